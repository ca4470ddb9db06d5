import type { FanOutOutcome, StreamOutcome, TicksOutcome } from './DemoProducer';
import { formatBytes } from './renderProgress';

/** Everything the demo measured, for {@link renderSummary}. */
export interface DemoReport {
  /** Bytes the orchestrator expected (the size asked for, or the file's size). */
  expectedBytes: number;
  stream: StreamOutcome;
  fanOut: FanOutOutcome;
  ticks: TicksOutcome;
  /** Peak RSS per process, in bytes; `undefined` when not known (an external engine). */
  peakRss: ReadonlyArray<{ name: string; bytes: number | undefined }>;
}

/** The summary's lines and whether every check passed. */
export interface DemoVerdict {
  ok: boolean;
  lines: string[];
}

const MiB = 1024 * 1024;
const tick = (ok: boolean) => (ok ? '✓' : '✗');
const count = (n: number) => n.toLocaleString('en-US');
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/**
 * Renders the demo's summary (bytes, time, throughput, checksums from both sides, fan-out, streamed
 * result, peak RSS per process) and decides whether the run is verified: the consumer hashed and counted
 * exactly what the producer sent (and what was expected), every fan-out answer was right, and the streamed
 * Observable arrived whole.
 *
 * @example
 * ```ts
 * const { ok, lines } = renderSummary(report);
 * lines.forEach((line) => console.log(line));
 * process.exitCode = ok ? 0 : 1;
 * ```
 */
export function renderSummary(report: DemoReport): DemoVerdict {
  const { stream, fanOut, ticks, expectedBytes } = report;
  const { digest } = stream;
  const sameBytes = stream.sentBytes === expectedBytes && digest.bytes === stream.sentBytes;
  const sameHash = digest.sha256 === stream.sentSha256;
  const transferOk = sameBytes && sameHash;
  const fanOutOk = fanOut.correct === fanOut.calls;
  const expectedSum = (ticks.asked * (ticks.asked + 1)) / 2;
  const ticksOk = ticks.count === ticks.asked && ticks.sum === expectedSum;
  const rate = stream.ms > 0 ? stream.sentBytes / 1e6 / (stream.ms / 1000) : 0;
  const callsPerSecond = fanOut.ms > 0 ? Math.round(fanOut.calls / (fanOut.ms / 1000)) : 0;
  const rss = report.peakRss
    .map(({ name, bytes }) => `${name} ${bytes === undefined ? 'n/a' : `${(bytes / MiB).toFixed(1)} MiB`}`)
    .join(' · ');
  const lines = [
    'summary',
    `  transfer   ${formatBytes(stream.sentBytes)} in ${seconds(stream.ms)} = ${rate.toFixed(1)} MB/s` +
      `  (${count(digest.frames)} frames, ${count(digest.lines)} newlines counted by the consumer)`,
    `  checksum   producer sha256 ${stream.sentSha256}  (${count(stream.sentBytes)} bytes)`,
    `             consumer sha256 ${digest.sha256}  (${count(digest.bytes)} bytes)  ` +
      (transferOk ? 'verified ✓' : `MISMATCH ✗${sameBytes ? '' : ` (expected ${count(expectedBytes)} bytes)`}`),
    `  fan-out    ${count(fanOut.calls)} concurrent demo::square calls in ${seconds(fanOut.ms)} = ` +
      `${count(callsPerSecond)} calls/s, ${count(fanOut.correct)}/${count(fanOut.calls)} correct ${tick(fanOutOk)}`,
    `  streamed   demo::ticks returned an Observable: ${count(ticks.count)}/${count(ticks.asked)} values ` +
      `${ticks.streamed ? 'streamed back through a channel' : 'returned as one value'}, sum ${count(ticks.sum)} ` +
      `(expected ${count(expectedSum)}) in ${seconds(ticks.ms)} ${tick(ticksOk)}`,
    `  peak RSS   ${rss}`,
  ];
  const ok = transferOk && fanOutOk && ticksOk;
  const failed = [!transferOk && 'checksum', !fanOutOk && 'fan-out', !ticksOk && 'streamed result'].filter(Boolean);
  lines.push(ok ? '  result     verified ✓' : `  result     FAILED ✗ (${failed.join(', ')})`);
  return { ok, lines };
}
