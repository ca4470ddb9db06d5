/**
 * An embedded engine in its own process, so its memory can be measured without the clients' sockets.
 * argv[2]: EngineOptions as JSON, or `plain-ws` for the baseline: a bare `ws` server that accepts every
 * socket and does nothing else. Prints "url <url>". Commands on stdin, one per line:
 *   mem    → "mem <json>" with process.memoryUsage() after two forced GCs (run node with --expose-gc), plus
 *            `maxRss`: the peak RSS of the process so far, in bytes
 *   stats  → "stats <json>" with engine.stats()
 */
import { createInterface } from 'node:readline';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
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

async function main(): Promise<void> {
  const engine = process.argv[2] === 'plain-ws' ? await plainWs() : await startEngine({ port: 0, ...JSON.parse(process.argv[2] ?? '{}') });
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
    }
  });
  lines.on('close', () => void engine.close().then(() => process.exit(0)));
}

void main();
