//! Cross-language interop peer: the official Rust `iii-sdk` crate as a test peer for iii-rx.
//!
//! Driven by the jest suite in `spec/interop/xlang/`; the same contract as the Python peer
//! (`spec/interop/peers/python/peer.py`):
//!
//! ```text
//! iii-peer --url ws://127.0.0.1:PORT --prefix rs [--timeout SECONDS]
//! ```
//!
//! Registers `<prefix>::{ping,echo,fail,sleep,read,write,nested,make_source,drive}`, prints
//! `{"event":"ready",...}` once its own `ping` made a round trip through the engine, and runs until
//! stdin reaches EOF (exit 0) or the timeout passes (exit 2). Setup failures exit 1.
//!
//! The Rust SDK does not turn refs into channel objects by itself: handlers find them with
//! `iii_sdk::helpers::extract_channel_refs` and open `ChannelReader` / `ChannelWriter` on the
//! worker's address, as the crate's own examples do.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use iii_sdk::channel::{ChannelReader, ChannelWriter, StreamChannelRef};
use iii_sdk::helpers::{create_channel, extract_channel_refs, ChannelDirection};
use iii_sdk::protocol::TriggerRequest;
use iii_sdk::{register_worker, Error, IIIClient, InitOptions, RegisterFunction};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

const SDK_VERSION: &str = "0.25.0";

fn emit(value: Value) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

/// Deterministic pseudo-random bytes (xorshift64*), so a writer can report the sha256 it sent.
fn make_bytes(size: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(size + 8);
    while out.len() < size {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        out.extend_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
    }
    out.truncate(size);
    out
}

fn handler_error(err: impl std::fmt::Display) -> Error {
    Error::Handler(err.to_string())
}

async fn read_channel(reader: &ChannelReader) -> Result<Value, Error> {
    let bytes = Arc::new(AtomicU64::new(0));
    let messages: Arc<Mutex<Vec<Value>>> = Arc::new(Mutex::new(Vec::new()));
    {
        let bytes = bytes.clone();
        let messages = messages.clone();
        reader
            .on_message(move |text| {
                let at = bytes.load(Ordering::SeqCst);
                messages.lock().unwrap().push(json!({ "text": text, "at": at }));
            })
            .await;
    }
    let mut digest = Sha256::new();
    let mut chunks: u64 = 0;
    while let Some(chunk) = reader.next_binary().await? {
        digest.update(&chunk);
        bytes.fetch_add(chunk.len() as u64, Ordering::SeqCst);
        chunks += 1;
    }
    let messages = messages.lock().unwrap().clone();
    Ok(json!({
        "sha256": hex::encode(digest.finalize()),
        "bytes": bytes.load(Ordering::SeqCst),
        "chunks": chunks,
        "messages": messages,
    }))
}

async fn write_channel(writer: &ChannelWriter, size: usize, seed: u64, messages: &[Value]) -> Result<Value, Error> {
    let data = make_bytes(size, seed);
    let mut pending: Vec<(usize, String)> = messages
        .iter()
        .map(|m| {
            let at = m["at"].as_u64().unwrap_or(0) as usize;
            (at.min(size), m["text"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    pending.sort_by_key(|(at, _)| *at);
    let mut cuts: Vec<usize> = pending.iter().map(|(at, _)| *at).collect();
    cuts.push(size);
    cuts.dedup();
    let mut offset = 0usize;
    let mut next = 0usize;
    for cut in cuts {
        while offset < cut {
            let end = cut.min(offset + 1024 * 1024);
            writer.write(&data[offset..end]).await?;
            offset = end;
        }
        while next < pending.len() && pending[next].0 <= offset {
            writer.send_message(&pending[next].1).await?;
            next += 1;
        }
    }
    writer.close().await?;
    Ok(json!({ "sha256": hex::encode(Sha256::digest(&data)), "bytes": size }))
}

/// The channel ref at `path` (as named by `extract_channel_refs`), or an error naming the path.
fn ref_at(data: &Value, path: &str) -> Result<StreamChannelRef, Error> {
    extract_channel_refs(data)
        .into_iter()
        .find(|(p, _)| p == path)
        .map(|(_, r)| r)
        .ok_or_else(|| handler_error(format!("no channel ref at {path}")))
}

fn reader_for(iii: &IIIClient, r: &StreamChannelRef) -> Result<ChannelReader, Error> {
    match r.direction {
        ChannelDirection::Read => Ok(ChannelReader::new(iii.address(), r)),
        ChannelDirection::Write => Err(handler_error("expected a read ref, got a write ref")),
    }
}

fn writer_for(iii: &IIIClient, r: &StreamChannelRef) -> Result<ChannelWriter, Error> {
    match r.direction {
        ChannelDirection::Write => Ok(ChannelWriter::new(iii.address(), r)),
        ChannelDirection::Read => Err(handler_error("expected a write ref, got a read ref")),
    }
}

async fn call(iii: &IIIClient, function_id: &str, payload: Value, timeout_ms: Option<u64>) -> Value {
    let request = TriggerRequest { function_id: function_id.to_string(), payload, action: None, timeout_ms };
    match iii.trigger(request).await {
        Ok(result) => json!({ "ok": true, "result": result }),
        Err(Error::Remote { code, message, .. }) => json!({ "ok": false, "code": code, "message": message }),
        Err(Error::Timeout) => json!({ "ok": false, "code": "TIMEOUT", "message": "invocation timed out" }),
        Err(other) => json!({ "ok": false, "code": format!("{other:?}").split(['(', ' ', '{']).next().unwrap_or("Error"), "message": other.to_string() }),
    }
}

fn ref_json(r: &StreamChannelRef) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

async fn drive(iii: IIIClient, data: Value) -> Result<Value, Error> {
    let op = data["op"].as_str().unwrap_or_default().to_string();
    let fid = data["function_id"].as_str().unwrap_or_default().to_string();
    let timeout_ms = data["timeout_ms"].as_u64();
    let mut extra = data.get("extra").cloned().unwrap_or_else(|| json!({}));
    let size = data["size"].as_u64().unwrap_or(0) as usize;
    let messages = data["messages"].as_array().cloned().unwrap_or_default();
    let buffer_size = data["buffer_size"].as_u64().map(|n| n as usize);
    match op.as_str() {
        "call" => Ok(call(&iii, &fid, data.get("payload").cloned().unwrap_or(Value::Null), timeout_ms).await),
        "send" => {
            let channel = create_channel(&iii, buffer_size).await?;
            extra["source"] = ref_json(&channel.reader_ref);
            let seed = data["seed"].as_u64().unwrap_or(3);
            let (sent, outcome) = tokio::join!(
                write_channel(&channel.writer, size, seed, &messages),
                call(&iii, &fid, extra, timeout_ms)
            );
            Ok(json!({ "sent": sent?, "call": outcome }))
        }
        "receive" => {
            let channel = create_channel(&iii, buffer_size).await?;
            extra["sink"] = ref_json(&channel.writer_ref);
            let (received, outcome) = tokio::join!(read_channel(&channel.reader), call(&iii, &fid, extra, timeout_ms));
            Ok(json!({ "received": received?, "call": outcome }))
        }
        "nested" => {
            let sizes: Vec<usize> =
                data["sizes"].as_array().cloned().unwrap_or_default().iter().map(|v| v.as_u64().unwrap_or(0) as usize).collect();
            let mut sources = Vec::new();
            for _ in &sizes {
                sources.push(create_channel(&iii, None).await?);
            }
            let sink = create_channel(&iii, None).await?;
            let jobs: Vec<Value> = sources
                .iter()
                .enumerate()
                .map(|(i, c)| json!({ "name": format!("job{i}"), "src": ref_json(&c.reader_ref) }))
                .collect();
            let payload = json!({
                "meta": { "from": "rust", "list": [1, "two", null] },
                "jobs": jobs,
                "out": { "deep": [ { "sink": ref_json(&sink.writer_ref) } ] },
            });
            let writes = futures_util::future::join_all(
                sources.iter().zip(sizes.iter()).enumerate().map(|(i, (c, n))| write_channel(&c.writer, *n, 11 + i as u64, &[])),
            );
            let (written, received, outcome) = tokio::join!(writes, read_channel(&sink.reader), call(&iii, &fid, payload, timeout_ms));
            let mut sent = serde_json::Map::new();
            for (i, w) in written.into_iter().enumerate() {
                sent.insert(format!("job{i}"), w?["sha256"].clone());
            }
            Ok(json!({ "sent": sent, "sink": received?, "call": outcome }))
        }
        other => Err(handler_error(format!("unknown op {other}"))),
    }
}

fn register(iii: &IIIClient, prefix: &str) {
    iii.register_function(
        format!("{prefix}::ping"),
        RegisterFunction::new_async(|_input: Value| async move { Ok::<Value, Error>(json!({ "pong": true })) }),
    );
    iii.register_function(
        format!("{prefix}::echo"),
        RegisterFunction::new_async(|input: Value| async move {
            let mut data = input;
            let seen = data.as_object_mut().map(|o| o.remove("_caller_worker_id").is_some()).unwrap_or(false);
            Ok::<Value, Error>(json!({ "echo": data, "caller_id_seen": seen }))
        }),
    );
    iii.register_function(
        format!("{prefix}::fail"),
        RegisterFunction::new_async(|input: Value| async move {
            Err::<Value, Error>(handler_error(input["message"].as_str().unwrap_or("failed on purpose")))
        }),
    );
    iii.register_function(
        format!("{prefix}::sleep"),
        RegisterFunction::new_async(|input: Value| async move {
            let ms = input["ms"].as_u64().unwrap_or(1000);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            Ok::<Value, Error>(json!({ "slept": ms }))
        }),
    );
    let c = iii.clone();
    iii.register_function(
        format!("{prefix}::read"),
        RegisterFunction::new_async(move |input: Value| {
            let iii = c.clone();
            async move {
                let reader = reader_for(&iii, &ref_at(&input, "source")?)?;
                let mut out = read_channel(&reader).await?;
                out["kind"] = json!("ChannelReader");
                Ok::<Value, Error>(out)
            }
        }),
    );
    let c = iii.clone();
    iii.register_function(
        format!("{prefix}::write"),
        RegisterFunction::new_async(move |input: Value| {
            let iii = c.clone();
            async move {
                let writer = writer_for(&iii, &ref_at(&input, "sink")?)?;
                let size = input["size"].as_u64().unwrap_or(0) as usize;
                let seed = input["seed"].as_u64().unwrap_or(1);
                let messages = input["messages"].as_array().cloned().unwrap_or_default();
                let mut out = write_channel(&writer, size, seed, &messages).await?;
                out["kind"] = json!("ChannelWriter");
                Ok::<Value, Error>(out)
            }
        }),
    );
    let c = iii.clone();
    iii.register_function(
        format!("{prefix}::nested"),
        RegisterFunction::new_async(move |input: Value| {
            let iii = c.clone();
            async move {
                let refs = extract_channel_refs(&input);
                let paths: BTreeMap<String, String> = refs
                    .iter()
                    .map(|(p, r)| (p.clone(), format!("{:?}", r.direction).to_lowercase()))
                    .collect();
                let jobs = input["jobs"].as_array().cloned().unwrap_or_default();
                let mut readers = Vec::new();
                for (i, job) in jobs.iter().enumerate() {
                    let r = ref_at(&input, &format!("jobs[{i}].src"))?;
                    readers.push((job["name"].as_str().unwrap_or_default().to_string(), reader_for(&iii, &r)?));
                }
                let reads = futures_util::future::join_all(readers.iter().map(|(_, r)| read_channel(r))).await;
                let mut report = serde_json::Map::new();
                for ((name, _), read) in readers.iter().zip(reads) {
                    report.insert(name.clone(), read?["sha256"].clone());
                }
                let report = Value::Object(report);
                let sink = writer_for(&iii, &ref_at(&input, "out.deep[0].sink")?)?;
                let text = serde_json::to_string(&report)?;
                sink.send_message(&text).await?;
                sink.write(text.as_bytes()).await?;
                sink.close().await?;
                Ok::<Value, Error>(json!({ "paths": paths, "reads": report }))
            }
        }),
    );
    let c = iii.clone();
    iii.register_function(
        format!("{prefix}::make_source"),
        RegisterFunction::new_async(move |input: Value| {
            let iii = c.clone();
            async move {
                let size = input["size"].as_u64().unwrap_or(0) as usize;
                let seed = input["seed"].as_u64().unwrap_or(7);
                let messages = input["messages"].as_array().cloned().unwrap_or_default();
                let buffer_size = input["buffer_size"].as_u64().map(|n| n as usize);
                let channel = create_channel(&iii, buffer_size).await?;
                let reader_ref = ref_json(&channel.reader_ref);
                let writer = channel.writer;
                tokio::spawn(async move {
                    let _ = write_channel(&writer, size, seed, &messages).await;
                });
                let sha = hex::encode(Sha256::digest(make_bytes(size, seed)));
                Ok::<Value, Error>(json!({ "reader": reader_ref, "sha256": sha, "bytes": size }))
            }
        }),
    );
    let c = iii.clone();
    iii.register_function(
        format!("{prefix}::drive"),
        RegisterFunction::new_async(move |input: Value| {
            let iii = c.clone();
            async move { drive(iii, input).await }
        }),
    );
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(url), Some(prefix)) = (arg(&args, "--url"), arg(&args, "--prefix")) else {
        eprintln!("usage: iii-peer --url ws://HOST:PORT --prefix NAME [--timeout SECONDS]");
        std::process::exit(1);
    };
    let timeout = arg(&args, "--timeout").and_then(|s| s.parse::<f64>().ok()).unwrap_or(300.0);

    let iii = register_worker(&url, InitOptions::default());
    register(&iii, &prefix);

    let mut ready = false;
    for _ in 0..100 {
        let request = TriggerRequest {
            function_id: format!("{prefix}::ping"),
            payload: json!({}),
            action: None,
            timeout_ms: Some(5000),
        };
        if let Ok(v) = iii.trigger(request).await {
            if v == json!({ "pong": true }) {
                ready = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    if !ready {
        emit(json!({ "event": "error", "message": "own functions never became callable" }));
        std::process::exit(1);
    }
    emit(json!({ "event": "ready", "sdk": "rust", "version": SDK_VERSION, "prefix": prefix, "pid": std::process::id() }));

    let stdin_closed = async {
        let mut sink = Vec::new();
        let _ = tokio::io::stdin().read_to_end(&mut sink).await;
    };
    match tokio::time::timeout(Duration::from_secs_f64(timeout), stdin_closed).await {
        Ok(()) => {
            iii.shutdown_async().await;
            emit(json!({ "event": "exit", "code": 0 }));
            std::process::exit(0);
        }
        Err(_) => {
            emit(json!({ "event": "exit", "code": 2, "reason": "timeout" }));
            std::process::exit(2);
        }
    }
}
