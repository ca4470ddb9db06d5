/**
 * An embedded engine in its own process, so its memory can be measured without the clients' sockets.
 * argv[2]: EngineOptions as JSON, or `plain-ws` for the baseline: a bare `ws` server that accepts every
 * socket and does nothing else. argv[3] `measure-logs`: give the engine a logger that measures its lines (see
 * `logs`; off by default, as it costs CPU per line). Prints "url <url>". Commands on stdin, one per line:
 *   mem    → "mem <json>" with process.memoryUsage() after two forced GCs (run node with --expose-gc), plus
 *            `maxRss`: the peak RSS of the process so far, in bytes
 *   stats  → "stats <json>" with engine.stats()
 *   logs   → "logs <json>": `{ lines, longest }`, how many log lines the engine wrote and the length of the
 *            longest one as JSON (message and details); the lines themselves are not kept
 */
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { EngineLogDetails, EngineLogger } from '../../../lib/engine/EngineLogger';
import { startEngine } from '../../../lib/engine/startEngine';

/** The baseline: what two idle sockets cost in a bare `ws` server (no engine around them). */
async function plainWs(): Promise<{ url: string; stats: () => object; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws) => ws.on('error', () => undefined));
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    stats: () => ({ channelSockets: wss.clients.size }),
    close: () => new Promise<void>((resolve) => {
      for (const ws of wss.clients) ws.terminate();
      wss.close(() => resolve());
    }),
  };
}

/** A logger that keeps only the count and the longest length of what it is given. */
function measuringLogger(): { logger: EngineLogger; report: () => { lines: number; longest: number } } {
  let lines = 0;
  let longest = 0;
  const write = (message: string, details?: EngineLogDetails) => {
    lines++;
    longest = Math.max(longest, JSON.stringify({ message, details }).length);
  };
  return { logger: { debug: write, info: write, warn: write, error: write }, report: () => ({ lines, longest }) };
}

async function main(): Promise<void> {
  const logs = measuringLogger();
  const logger = process.argv[3] === 'measure-logs' ? logs.logger : undefined;
  const engine = process.argv[2] === 'plain-ws' ? await plainWs() : await startEngine({ port: 0, logger, ...JSON.parse(process.argv[2] ?? '{}') });
  const gc = (globalThis as { gc?: () => void }).gc;
  process.stdout.write(`url ${engine.url}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'mem') {
      gc?.();
      gc?.();
      const maxRss = process.resourceUsage().maxRSS * 1024;
      process.stdout.write(`mem ${JSON.stringify({ ...process.memoryUsage(), maxRss })}\n`);
    } else if (line === 'stats') {
      process.stdout.write(`stats ${JSON.stringify(engine.stats())}\n`);
    } else if (line === 'logs') {
      process.stdout.write(`logs ${JSON.stringify(logs.report())}\n`);
    }
  });
  lines.on('close', () => void engine.close().then(() => process.exit(0)));
}

void main();
