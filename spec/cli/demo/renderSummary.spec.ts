import { renderSummary, DemoReport } from '../../../lib/cli/demo/renderSummary';

const MiB = 1024 * 1024;
const hash = 'a'.repeat(64);

function report(overrides: Partial<DemoReport> = {}): DemoReport {
  return {
    expectedBytes: 64 * MiB,
    stream: {
      sentBytes: 64 * MiB,
      sentSha256: hash,
      digest: { bytes: 64 * MiB, frames: 1024, lines: 262_144, sha256: hash },
      ms: 500,
    },
    fanOut: { calls: 1000, correct: 1000, ms: 250 },
    ticks: { asked: 100, count: 100, sum: 5050, streamed: true, ms: 20 },
    peakRss: [
      { name: 'engine', bytes: 80 * MiB },
      { name: 'consumer', bytes: 90.5 * MiB },
      { name: 'producer', bytes: undefined },
    ],
    ...overrides,
  };
}

describe('renderSummary', () => {
  it('reports bytes, time, throughput, both checksums, fan-out, streamed result and peak RSS', () => {
    const { ok, lines } = renderSummary(report());
    expect(ok).toBe(true);
    expect(lines).toEqual([
      'summary',
      '  transfer   64.0 MiB in 0.50 s = 134.2 MB/s  (1,024 frames, 262,144 newlines counted by the consumer)',
      `  checksum   producer sha256 ${hash}  (67,108,864 bytes)`,
      `             consumer sha256 ${hash}  (67,108,864 bytes)  verified ✓`,
      '  fan-out    1,000 concurrent demo::square calls in 0.25 s = 4,000 calls/s, 1,000/1,000 correct ✓',
      '  streamed   demo::ticks returned an Observable: 100/100 values streamed back through a channel, sum 5,050 (expected 5,050) in 0.02 s ✓',
      '  peak RSS   engine 80.0 MiB · consumer 90.5 MiB · producer n/a',
      '  result     verified ✓',
    ]);
  });

  it('fails on a checksum mismatch', () => {
    const base = report();
    const { ok, lines } = renderSummary(report({ stream: { ...base.stream, digest: { ...base.stream.digest, sha256: 'b'.repeat(64) } } }));
    expect(ok).toBe(false);
    expect(lines[3]).toMatch(/MISMATCH ✗$/);
    expect(lines.at(-1)).toBe('  result     FAILED ✗ (checksum)');
  });

  it('fails when fewer bytes arrived than expected, even with matching hashes of what was sent', () => {
    const { ok, lines } = renderSummary(report({ expectedBytes: 65 * MiB }));
    expect(ok).toBe(false);
    expect(lines[3]).toContain('MISMATCH ✗ (expected 68,157,440 bytes)');
  });

  it('fails on a wrong fan-out answer or an incomplete stream', () => {
    const wrong = renderSummary(report({ fanOut: { calls: 1000, correct: 999, ms: 250 } }));
    expect(wrong.ok).toBe(false);
    expect(wrong.lines.at(-1)).toBe('  result     FAILED ✗ (fan-out)');
    const short = renderSummary(report({ ticks: { asked: 100, count: 99, sum: 4950, streamed: true, ms: 20 } }));
    expect(short.ok).toBe(false);
    expect(short.lines[5]).toMatch(/99\/100 values .* ✗$/);
  });
});
