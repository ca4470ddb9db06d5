#!/usr/bin/env python3
"""Cross-language interop peer: the official Python ``iii-sdk`` as a test peer for iii-rx.

Driven by the jest suite in ``spec/interop/xlang/``. It connects to the engine given by ``--url``,
registers a few functions under ``--prefix`` and prints JSON lines on stdout:

    {"event": "ready", "sdk": "python", "version": "<iii-sdk version>", "prefix": "<prefix>"}
    {"event": "exit", "code": 0}

It runs until stdin reaches EOF (then shuts the SDK down and exits 0) or until ``--timeout``
seconds passed (exit 2). Any setup failure exits 1. The same file works with iii-sdk 0.22.1 and
0.25.0: it uses only ``register_worker``, ``register_function``, ``trigger_async``,
``iii.helpers.create_channel_async`` and the ``ChannelReader`` / ``ChannelWriter`` that the SDK
puts where a payload holds a channel ref.

Functions (``P`` is the prefix):
    P::ping     -> {"pong": true}
    P::echo     -> {"echo": <data without _caller_worker_id>, "caller_id_seen": bool}
    P::fail     raises RuntimeError(data["message"])  (wire error invocation_failed)
    P::sleep    sleeps data["ms"] then answers (used to observe invocation_stopped)
    P::read     reads data["source"] (a reader): sha256, bytes, text messages with byte offsets
    P::write    writes data["size"] pseudo-random bytes and data["messages"] into data["sink"]
    P::nested   reads every data["jobs"][i]["src"], reports into data["out"]["deep"][0]["sink"]
    P::make_source  creates a channel, returns its reader ref in the result, writes in background
    P::drive    the peer as caller: {"op": "call"|"send"|"receive"|"nested", ...} (see below)
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.metadata
import json
import os
import random
import sys
import threading
from typing import Any

from iii import InitOptions, register_worker
from iii.channels import ChannelReader, ChannelWriter
from iii.helpers import create_channel_async

SDK_VERSION = importlib.metadata.version("iii-sdk")
CHUNK = 64 * 1024


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def make_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def describe(value: Any) -> Any:
    """The payload with live channel objects named by their class (for reporting what the SDK built)."""
    if isinstance(value, (ChannelReader, ChannelWriter)):
        return f"<{type(value).__name__}>"
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [describe(v) for v in value]
    return value


async def read_channel(reader: ChannelReader) -> dict[str, Any]:
    """Read a channel to its end: sha256 of the binary bytes and every text message with its byte offset."""
    digest = hashlib.sha256()
    state = {"bytes": 0, "chunks": 0}
    messages: list[dict[str, Any]] = []
    reader.on_message(lambda text: messages.append({"text": text, "at": state["bytes"]}))
    async for chunk in reader:
        digest.update(chunk)
        state["bytes"] += len(chunk)
        state["chunks"] += 1
    return {"sha256": digest.hexdigest(), "bytes": state["bytes"], "chunks": state["chunks"], "messages": messages}


async def write_channel(writer: ChannelWriter, size: int, seed: int, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """Write `size` bytes (deterministic for `seed`) with text messages at the given byte offsets, then close."""
    data = make_bytes(size, seed)
    cuts = sorted({min(max(int(m["at"]), 0), size) for m in messages} | {size})
    pending = sorted(messages, key=lambda m: int(m["at"]))
    offset = 0
    for cut in cuts:
        while offset < cut:
            end = min(cut, offset + 1024 * 1024)
            await writer.write(data[offset:end])
            offset = end
        while pending and min(max(int(pending[0]["at"]), 0), size) <= offset:
            await writer.send_message_async(pending.pop(0)["text"])
    await writer.close_async()
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": size}


def ref_dict(ref: Any) -> dict[str, Any]:
    return ref.model_dump() if hasattr(ref, "model_dump") else dict(ref)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    prefix = args.prefix

    iii = register_worker(args.url, InitOptions(worker_name=f"interop-{prefix}"))

    async def ping(_data: Any) -> Any:
        return {"pong": True}

    async def echo(data: Any) -> Any:
        seen = isinstance(data, dict) and "_caller_worker_id" in data
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if k != "_caller_worker_id"}
        return {"echo": data, "caller_id_seen": seen}

    async def fail(data: Any) -> Any:
        raise RuntimeError(data.get("message", "failed on purpose"))

    async def sleep(data: Any) -> Any:
        await asyncio.sleep(float(data.get("ms", 1000)) / 1000.0)
        return {"slept": data.get("ms")}

    async def read(data: Any) -> Any:
        source = data["source"]
        return {"kind": type(source).__name__, **(await read_channel(source))}

    async def write(data: Any) -> Any:
        sink = data["sink"]
        out = await write_channel(sink, int(data["size"]), int(data.get("seed", 1)), data.get("messages", []))
        return {"kind": type(sink).__name__, **out}

    async def nested(data: Any) -> Any:
        shape = describe(data)
        reads = await asyncio.gather(*(read_channel(job["src"]) for job in data["jobs"]))
        report = {job["name"]: r["sha256"] for job, r in zip(data["jobs"], reads)}
        sink = data["out"]["deep"][0]["sink"]
        await sink.send_message_async(json.dumps(report, sort_keys=True))
        await sink.write(json.dumps(report, sort_keys=True).encode())
        await sink.close_async()
        shape.pop("_caller_worker_id", None)
        return {"shape": shape, "reads": report}

    background: set[asyncio.Task[Any]] = set()

    async def make_source(data: Any) -> Any:
        size, seed = int(data["size"]), int(data.get("seed", 7))
        channel = await create_channel_async(iii, data.get("buffer_size"))
        task = asyncio.ensure_future(write_channel(channel.writer, size, seed, data.get("messages", [])))
        background.add(task)
        task.add_done_callback(background.discard)
        return {"reader": ref_dict(channel.reader_ref), "sha256": hashlib.sha256(make_bytes(size, seed)).hexdigest(), "bytes": size}

    async def call(function_id: str, payload: Any, timeout_ms: int | None) -> dict[str, Any]:
        request: dict[str, Any] = {"function_id": function_id, "payload": payload}
        if timeout_ms:
            request["timeout_ms"] = timeout_ms
        try:
            return {"ok": True, "result": await iii.trigger_async(request)}
        except Exception as err:  # InvocationError carries .code; anything else is reported as is
            return {"ok": False, "code": getattr(err, "code", type(err).__name__), "message": getattr(err, "message", str(err))}

    async def drive(data: Any) -> Any:
        op = data["op"]
        fid = data["function_id"]
        timeout_ms = data.get("timeout_ms")
        extra = data.get("extra", {})
        if op == "call":
            return await call(fid, data.get("payload"), timeout_ms)
        if op == "send":
            channel = await create_channel_async(iii, data.get("buffer_size"))
            payload = {**extra, "source": ref_dict(channel.reader_ref)}
            sent, outcome = await asyncio.gather(
                write_channel(channel.writer, int(data["size"]), int(data.get("seed", 3)), data.get("messages", [])),
                call(fid, payload, timeout_ms),
            )
            return {"sent": sent, "call": outcome}
        if op == "receive":
            channel = await create_channel_async(iii, data.get("buffer_size"))
            payload = {**extra, "sink": ref_dict(channel.writer_ref)}
            received, outcome = await asyncio.gather(read_channel(channel.reader), call(fid, payload, timeout_ms))
            return {"received": received, "call": outcome}
        if op == "nested":
            sizes = data["sizes"]
            sources = [await create_channel_async(iii) for _ in sizes]
            sink = await create_channel_async(iii)
            payload = {
                "meta": {"from": "python", "list": [1, "two", None]},
                "jobs": [{"name": f"job{i}", "src": ref_dict(c.reader_ref)} for i, c in enumerate(sources)],
                "out": {"deep": [{"sink": ref_dict(sink.writer_ref)}]},
            }
            results = await asyncio.gather(
                *(write_channel(c.writer, int(n), 11 + i, []) for i, (c, n) in enumerate(zip(sources, sizes))),
                read_channel(sink.reader),
                call(fid, payload, timeout_ms),
            )
            sent = {f"job{i}": r["sha256"] for i, r in enumerate(results[: len(sizes)])}
            return {"sent": sent, "sink": results[len(sizes)], "call": results[len(sizes) + 1]}
        raise ValueError(f"unknown op {op}")

    for name, handler in {
        "ping": ping,
        "echo": echo,
        "fail": fail,
        "sleep": sleep,
        "read": read,
        "write": write,
        "nested": nested,
        "make_source": make_source,
        "drive": drive,
    }.items():
        iii.register_function(f"{prefix}::{name}", handler)

    # Ready once our own registration made a round trip through the engine.
    for _ in range(100):
        try:
            if iii.trigger({"function_id": f"{prefix}::ping", "payload": {}, "timeout_ms": 5000}) == {"pong": True}:
                break
        except Exception:
            pass
        threading.Event().wait(0.05)
    else:
        emit({"event": "error", "message": "own functions never became callable"})
        iii.shutdown()
        return 1

    emit({"event": "ready", "sdk": "python", "version": SDK_VERSION, "prefix": prefix, "pid": os.getpid()})

    done = threading.Event()

    def wait_stdin() -> None:
        sys.stdin.read()
        done.set()

    threading.Thread(target=wait_stdin, daemon=True).start()
    if not done.wait(args.timeout):
        emit({"event": "exit", "code": 2, "reason": "timeout"})
        os._exit(2)
    iii.shutdown()
    emit({"event": "exit", "code": 0})
    return 0


if __name__ == "__main__":
    sys.exit(main())
