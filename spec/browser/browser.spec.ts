import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { firstValueFrom, filter, lastValueFrom, tap } from 'rxjs';
import type { Browser, Page } from 'playwright-core';
import { startEngine } from '../../lib/engine/startEngine';
import type { EmbeddedEngine } from '../../lib/engine/EmbeddedEngine';
import { connectWorker } from '../../lib/worker/connectWorker';
import type { Worker } from '../../lib/worker/Worker';
import { openNodeSocket } from '../../lib/socket/openNodeSocket';
import type { SocketLike } from '../../lib/socket/SocketLike';
import { ChannelReader } from '../../lib/channel/ChannelReader';
import { ChannelWriter } from '../../lib/channel/ChannelWriter';
import { IiiRxError } from '../../lib/errors/IiiRxError';
import { bundlePage, launchChromium, openPage, servePages } from './browserHarness';
import type { ScenarioReport } from './page/scenario';
import type { AngularReport } from './page/angularScenario';

interface Ref {
  id: string;
  key: string;
}

const channelUrlOf = (engineUrl: string, ref: Ref, dir: 'read' | 'write') =>
  `${engineUrl}/ws/channels/${ref.id}?key=${encodeURIComponent(ref.key)}&dir=${dir}`;

/** Deterministic bytes (xorshift32), the same generator as the page's. */
function fillPattern(bytes: Uint8Array, seed: number): number {
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    bytes[i] = x & 0xff;
  }
  return x;
}

/** Installs handlers on a fresh socket: `open` settles when it opens, `closed` when it ends (rejects after an error). */
function track(socket: SocketLike, onMessage?: (data: string | Uint8Array) => void) {
  let failure: Error | undefined;
  let opened!: () => void;
  let openFailed!: (e: Error) => void;
  let closedOk!: () => void;
  let closedBad!: (e: Error) => void;
  const open = new Promise<void>((res, rej) => ((opened = res), (openFailed = rej)));
  const closed = new Promise<void>((res, rej) => ((closedOk = res), (closedBad = rej)));
  socket.setHandlers({
    open: () => opened(),
    message: onMessage,
    error: (err) => (failure = err),
    close: (code) => {
      const err = failure ?? new Error(`socket closed (${code}) before it opened`);
      openFailed(err);
      if (failure) closedBad(failure);
      else closedOk();
    },
  });
  open.catch(() => undefined); // reported through whichever promise the caller awaits
  return { open, closed };
}

/** Writes `size` pattern bytes into a channel in 64 KiB frames, each after the previous send callback. */
async function produce(engineUrl: string, ref: Ref, size: number, seed: number): Promise<{ sha256: string; bytes: number }> {
  const socket = openNodeSocket(channelUrlOf(engineUrl, ref, 'write'));
  const { open, closed } = track(socket);
  await open;
  const data = new Uint8Array(size);
  fillPattern(data, seed);
  for (let off = 0; off < size; off += 65536) {
    await new Promise<void>((resolve, reject) =>
      socket.send(data.subarray(off, Math.min(size, off + 65536)), (err) => (err ? reject(err) : resolve())),
    );
  }
  socket.close(1000, 'stream_complete');
  await closed;
  return { sha256: createHash('sha256').update(data).digest('hex'), bytes: size };
}

/** Reads a channel to its end and hashes the binary frames. */
async function consume(engineUrl: string, ref: Ref): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const socket = openNodeSocket(channelUrlOf(engineUrl, ref, 'read'));
  await track(socket, (data) => {
    if (typeof data !== 'string') {
      hash.update(data);
      bytes += data.byteLength;
    }
  }).closed;
  return { sha256: hash.digest('hex'), bytes };
}

describe('iii-rx in headless Chromium against the embedded engine', () => {
  let engine: EmbeddedEngine;
  let nodeWorker: Worker;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    // channelAnswerReaderClose: the overflow case below checks that a Node writer learns its reader left; the real
    // engine (and the embedded one by default, PROTOCOL.md §10.3) never answers a reader's Close, so it is opt-in
    engine = await startEngine({ port: 0, host: '127.0.0.1', channelAnswerReaderClose: true });
    nodeWorker = connectWorker(engine.url, { workerName: 'node-side' });
    nodeWorker.registerFunction('node::echo', (input: unknown) => ({ echo: input }));
    nodeWorker.registerFunction('node::callBrowser', (input: { n: number }, ctx) =>
      ctx.worker.trigger('browser::double', input.n),
    );
    nodeWorker.registerFunction('node::produce', (input: { channel: Ref; size: number; seed: number }) =>
      produce(engine.url, input.channel, input.size, input.seed),
    );
    nodeWorker.registerFunction('node::consume', (input: { channel: Ref }) => consume(engine.url, input.channel));
    nodeWorker.registerFunction('node::produceApi', async (input: { out: ChannelWriter; size: number; seed: number }) => {
      const data = new Uint8Array(input.size);
      fillPattern(data, input.seed);
      const chunks = function* () {
        for (let off = 0; off < data.length; off += 65536) yield data.subarray(off, Math.min(data.length, off + 65536));
      };
      await lastValueFrom(input.out.write(chunks())); // the ref arrived as a live writer
      return { sha256: createHash('sha256').update(data).digest('hex'), bytes: data.length };
    });
    nodeWorker.registerFunction('node::consumeApi', async (input: { in: ChannelReader }) => {
      const hash = createHash('sha256');
      let bytes = 0;
      const texts: string[] = [];
      await lastValueFrom(
        input.in.pipe(
          tap((item) => {
            if (typeof item === 'string') texts.push(item);
            else {
              hash.update(item);
              bytes += item.byteLength;
            }
          }),
        ),
        { defaultValue: undefined },
      );
      return { sha256: hash.digest('hex'), bytes, texts };
    });
    nodeWorker.registerFunction('node::flood', async (input: { out: ChannelWriter }) => {
      const frame = new Uint8Array(65536);
      const frames = function* () {
        for (let i = 0; i < 256; i++) yield frame;
      };
      try {
        await lastValueFrom(input.out.write(frames()));
        return 'all written';
      } catch (err) {
        return err instanceof IiiRxError ? err.code : `untyped: ${String(err)}`;
      }
    });
    nodeWorker.registerFunction('node::callPage', async (input: { id: string; n: number }, ctx) => {
      for (let i = 0; i < input.n; i++) await firstValueFrom(ctx.worker.trigger(input.id, { i }));
      return input.n;
    });
    await firstValueFrom(nodeWorker.state$.pipe(filter((s) => s === 'open')));
    server = await servePages({
      scenario: await bundlePage(join(__dirname, 'page/scenario.ts')),
      angular: await bundlePage(join(__dirname, 'page/angularScenario.ts')),
    });
    browser = await launchChromium();
    ({ page, problems } = await openPage(browser, `${server.url}scenario.html`, 'runScenario'));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await nodeWorker?.close();
    await engine?.close();
  });

  let report: ScenarioReport;

  it('runs the scenario in a secure-context page of real Chromium', async () => {
    report = await page.evaluate((url) => window.runScenario(url), engine.url);
    expect(report.userAgent).toMatch(/Chrom/);
    expect(report.secureContext).toBe(true);
    expect(report.runtimeInPage).toBe('browser');
    expect(problems).toEqual([]);
    if (process.env.IIIRX_BROWSER_REPORT) process.stdout.write(`${JSON.stringify(report)}\n`);
  });

  it('talks raw frames through the DOM socket adapter: text stays text, binary arrives as bytes', () => {
    expect(report.raw.firstFrameType).toBe('workerregistered');
    expect(report.raw.firstFrameWasText).toBe(true);
    expect(report.raw.echoed).toEqual({ echo: { from: 'raw', _caller_worker_id: expect.any(String) } });
    expect(report.raw.binaryEcho).toEqual([1, 2, 3, 250]);
  });

  it('runs a worker in the page: triggers a Node function and serves one that Node calls', () => {
    expect(report.worker.echoed).toEqual({ echo: { from: 'worker', _caller_worker_id: expect.any(String) } });
    expect(report.worker.viaNode).toBe(42);
    expect(report.worker.stateSeen).toContain('open');
  });

  it('keeps a quiet worker connected past its idle timeout (the engine answers JSON pings)', () => {
    expect(report.idle.idledMs).toBeGreaterThanOrEqual(report.idle.idleTimeoutMs * 2);
    expect(report.idle.stateSeen).toEqual(['connecting', 'open']);
    expect(report.idle.echoedAfter).toEqual({ echo: { from: 'idle', _caller_worker_id: expect.any(String) } });
  });

  it('reads a channel of a few MiB written by Node, hash checked with SubtleCrypto', () => {
    const d = report.download;
    expect(d.allBinary).toBe(true);
    expect(d.bytes).toBe(4 * 1024 * 1024 + 123);
    expect(d.nodeBytes).toBe(d.bytes);
    expect(d.sha256).toBe(d.nodeSha256);
    expect(d.chunks).toBe(Math.ceil(d.bytes / 65536));
  });

  it('moves channel data both ways through the channel API in the page (createChannel, reader, writeChannel)', () => {
    const { download, upload } = report.api;
    expect(download.bytes).toBe(3 * 1024 * 1024 + 321);
    expect(download.nodeBytes).toBe(download.bytes);
    expect(download.sha256).toBe(download.nodeSha256);
    expect(upload.node.texts).toEqual(['begin', 'end ✓']);
    expect(upload.node.bytes).toBe(2 * 1024 * 1024 + 77);
    expect(upload.node.sha256).toBe(upload.sha256);
    expect(upload.bytes).toBe(upload.node.bytes + Buffer.byteLength('beginend ✓'));
    expect(upload.frames).toBeGreaterThanOrEqual(Math.ceil(upload.node.bytes / 65536) + 2);
  });

  it('applies the explicit overflow policy where the socket cannot pause, and the Node writer learns of it (engine extension channelAnswerReaderClose)', () => {
    expect(report.api.overflow.pageError).toBe('CHANNEL_OVERFLOW');
    expect(report.api.overflow.nodeOutcome).toBe('CHANNEL_CLOSED');
  });

  it('writes a channel that Node reads, with the send buffer kept near its bound', () => {
    const u = report.upload;
    expect(u.nodeBytes).toBe(u.bytes);
    expect(u.nodeSha256).toBe(u.sha256);
    const expected = new Uint8Array(u.bytes);
    fillPattern(expected, 11);
    expect(createHash('sha256').update(expected).digest('hex')).toBe(u.sha256);
    expect(u.maxBufferedAmount).toBeLessThanOrEqual(u.sendBufferBytes + 65536);
  });

  it('runs iii-rx/angular with zone.js in the page: socket work outside the zone, results and state inside', async () => {
    const { page: ngPage, problems: ngProblems } = await openPage(browser, `${server.url}angular.html`, 'runAngularScenario');
    const ng: AngularReport = await ngPage.evaluate((url) => window.runAngularScenario(url), engine.url);
    await ngPage.close();
    expect(ngProblems).toEqual([]);
    expect(ng.zoneLoaded).toBe(true);
    expect(ng.outside.handlerInZone).toEqual(Array(10).fill(false));
    expect(ng.outside.unstableDuringIncomingCalls).toBe(0);
    expect(ng.outside.resultInZone).toBe(true);
    expect(ng.outside.stateInZone).toBe(true);
    expect(ng.closedOnDestroy).toBe('closed');
    // the contrast: left inside the zone, the same traffic keeps waking change detection
    expect(ng.inside.unstableDuringIncomingCalls).toBeGreaterThan(0);
  });
});
