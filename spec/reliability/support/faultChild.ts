/**
 * Entry of the child processes the fault specs kill with SIGKILL. Bundled with esbuild (see
 * childProcess.ts) so it runs iii-rx from source. Talks to its parent through stdout lines.
 *
 *   serve <engineUrl>            registers fault::hang (never answers) and fault::echo, prints "ready",
 *                                then "called <function_id>" for every call it receives
 *   write <engineUrl> <refJson>  writes an endless deterministic byte stream (patternChunk) to the ref,
 *                                printing "wrote <bytes>" now and then
 *   read <engineUrl> <refJson>   reads the ref, printing "read <bytes>" now and then
 */
import { lastValueFrom } from 'rxjs';
import { connectWorker } from '../../../lib/worker/connectWorker';
import { ChannelReader } from '../../../lib/channel/ChannelReader';
import { ChannelWriter } from '../../../lib/channel/ChannelWriter';
import { patternChunk } from './pattern';

const say = (line: string) => process.stdout.write(`${line}\n`);

async function serve(url: string): Promise<void> {
  const worker = connectWorker(url, { reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
  worker.registerFunction('fault::hang', () => {
    say('called fault::hang');
    return new Promise(() => undefined);
  });
  worker.registerFunction('fault::echo', (x: unknown) => x);
  await lastValueFrom(worker.trigger('fault::no-such-function', null)).catch(() => undefined);
  say('ready');
}

async function write(url: string, refJson: string): Promise<void> {
  const writer = new ChannelWriter(url, JSON.parse(refJson));
  async function* endless(): AsyncGenerator<Uint8Array> {
    for (let i = 0; ; i++) yield patternChunk(i);
  }
  let reported = 0;
  writer.write(endless()).subscribe({
    next: (p) => {
      if (p.bytes - reported >= 256 * 1024) {
        reported = p.bytes;
        say(`wrote ${p.bytes}`);
      }
    },
    error: (err) => say(`error ${err.code ?? err.message}`),
  });
}

async function read(url: string, refJson: string): Promise<void> {
  const reader = new ChannelReader(url, JSON.parse(refJson));
  let bytes = 0;
  let reported = 0;
  reader.bytes$.subscribe({
    next: (chunk) => {
      bytes += chunk.byteLength;
      if (bytes - reported >= 256 * 1024) {
        reported = bytes;
        say(`read ${bytes}`);
      }
    },
    error: (err) => say(`error ${err.code ?? err.message}`),
    complete: () => say(`end ${bytes}`),
  });
}

const [role, url, arg] = process.argv.slice(2);
const run = role === 'serve' ? serve(url) : role === 'write' ? write(url, arg) : role === 'read' ? read(url, arg) : Promise.reject(new Error(`unknown role ${role}`));
run.catch((err) => {
  say(`fatal ${err?.stack ?? err}`);
  process.exit(1);
});
