#!/usr/bin/env bash
# Prepares the cross-language interop peers (official Python and Rust iii SDKs) for
# `npm run test:interop`. Build once, reuse when current: every peer has a stamp file that holds
# a hash of its sources and pinned versions; a peer whose stamp matches is not touched.
#
#   Python: one virtualenv per pinned iii-sdk version under .cache/interop/py-<version>/,
#           installed from spec/interop/peers/python/requirements-<version>.txt (a full pin list).
#   Rust:   spec/interop/peers/rust (iii-sdk pinned with "=", Cargo.lock committed), built with
#           `cargo build --locked` into .cache/interop/rust-target/ (outside spec/, so jest never
#           crawls it; override with INTEROP_RUST_TARGET).
#
# Writes .cache/interop/peers.json, the list of peers the jest suite runs against.
# Env: INTEROP_PYTHON (default python3), INTEROP_SKIP_RUST=1 / INTEROP_SKIP_PYTHON=1 to leave one out.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.cache/interop"
peers="$root/spec/interop/peers"
python="${INTEROP_PYTHON:-python3}"
py_versions=(0.22.1 0.25.0)
mkdir -p "$cache"

hash_of() { cat "$@" | sha256sum | cut -c1-16; }
log() { printf '[interop-setup] %s\n' "$*" >&2; }

manifest=()

if [[ "${INTEROP_SKIP_PYTHON:-}" != "1" ]]; then
  py_bin="$(command -v "$python")" || { log "python not found: $python"; exit 1; }
  py_ident="$("$py_bin" -c 'import sys; print(sys.version)')"
  for v in "${py_versions[@]}"; do
    req="$peers/python/requirements-$v.txt"
    venv="$cache/py-$v"
    want="$( (printf '%s\n' "$py_ident"; cat "$req") | sha256sum | cut -c1-16)"
    if [[ -f "$venv/.stamp" && "$(cat "$venv/.stamp")" == "$want" && -x "$venv/bin/python" ]]; then
      log "python iii-sdk $v: current"
    else
      log "python iii-sdk $v: creating $venv"
      rm -rf "$venv"
      "$py_bin" -m venv "$venv"
      "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
      "$venv/bin/python" -c "import importlib.metadata as m, sys; v=m.version('iii-sdk'); sys.exit(0 if v=='$v' else 'iii-sdk is '+v)"
      printf '%s' "$want" > "$venv/.stamp"
    fi
    manifest+=("{\"name\":\"python-$v\",\"lang\":\"python\",\"version\":\"$v\",\"command\":[\"$venv/bin/python\",\"-u\",\"$peers/python/peer.py\"]}")
  done
fi

if [[ "${INTEROP_SKIP_RUST:-}" != "1" ]]; then
  command -v cargo >/dev/null || { log "cargo not found"; exit 1; }
  crate="$peers/rust"
  target="${INTEROP_RUST_TARGET:-$cache/rust-target}"
  bin="$target/debug/iii-peer"
  rs_version="$(sed -n 's/^iii-sdk = "=\(.*\)"$/\1/p' "$crate/Cargo.toml")"
  want="$( (cargo --version; hash_of "$crate/Cargo.toml" "$crate/Cargo.lock" "$crate"/src/*.rs) | sha256sum | cut -c1-16)"
  stamp="$target/.interop-stamp"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$bin" ]]; then
    log "rust iii-sdk $rs_version: current"
  else
    log "rust iii-sdk $rs_version: building (first build takes a few minutes on 2 cores)"
    (cd "$crate" && CARGO_TARGET_DIR="$target" cargo build --locked --quiet)
    printf '%s' "$want" > "$stamp"
  fi
  manifest+=("{\"name\":\"rust-$rs_version\",\"lang\":\"rust\",\"version\":\"$rs_version\",\"command\":[\"$bin\"]}")
fi

{
  printf '[\n'
  for i in "${!manifest[@]}"; do
    sep=','; [[ $i -eq $((${#manifest[@]} - 1)) ]] && sep=''
    printf '  %s%s\n' "${manifest[$i]}" "$sep"
  done
  printf ']\n'
} > "$cache/peers.json"
log "peers: $cache/peers.json (${#manifest[@]} peers)"
