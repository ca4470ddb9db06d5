/**
 * An embedded engine in its own process, so its memory can be measured without the clients' sockets.
 * argv[2]: EngineOptions as JSON. Prints "url <url>". Commands on stdin, one per line:
 *   mem    → "mem <json>" with process.memoryUsage() after two forced GCs (run node with --expose-gc)
 *   stats  → "stats <json>" with engine.stats()
 */
import { createInterface } from 'node:readline';
import { startEngine } from '../../../lib/engine/startEngine';

async function main(): Promise<void> {
  const engine = await startEngine({ port: 0, ...JSON.parse(process.argv[2] ?? '{}') });
  const gc = (globalThis as { gc?: () => void }).gc;
  process.stdout.write(`url ${engine.url}\n`);
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line === 'mem') {
      gc?.();
      gc?.();
      process.stdout.write(`mem ${JSON.stringify(process.memoryUsage())}\n`);
    } else if (line === 'stats') {
      process.stdout.write(`stats ${JSON.stringify(engine.stats())}\n`);
    }
  });
  lines.on('close', () => void engine.close().then(() => process.exit(0)));
}

void main();
