import { formatBytes, formatDuration, renderProgress } from '../../../lib/cli/demo/renderProgress';

const MiB = 1024 * 1024;

describe('renderProgress', () => {
  it('shows bar, percentage, bytes, rate, ETA and what is buffered', () => {
    const line = renderProgress({ sent: 64 * MiB, received: 60 * MiB, total: 128 * MiB, elapsedMs: 1000 }, 20);
    expect(line).toBe('[#########-----------]  46.9%  60.0 MiB / 128.0 MiB  62.9 MB/s  ETA 0:01  buffered ~4.0 MiB');
  });

  it('handles the start (nothing received yet) and an unknown total', () => {
    expect(renderProgress({ sent: 0, received: 0, total: 10, elapsedMs: 0 }, 4)).toContain('ETA --:--');
    expect(renderProgress({ sent: 2048, received: 1024, elapsedMs: 1000 })).toBe('1.0 KiB  0.0 MB/s  buffered ~1.0 KiB');
  });

  it('shows the engine queue instead of the estimate when the engine reports it', () => {
    const line = renderProgress({ sent: 64 * MiB, received: 60 * MiB, total: 128 * MiB, elapsedMs: 1000, engineQueued: 3 * MiB });
    expect(line).toMatch(/ETA 0:01  buffered in engine 3\.0 MiB$/);
  });

  it('caps the bar at 100%', () => {
    expect(renderProgress({ sent: 20, received: 20, total: 10, elapsedMs: 1 }, 4)).toMatch(/^\[####\] 100\.0%/);
  });
});

describe('formatBytes / formatDuration', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(3 * 1024 * MiB)).toBe('3.00 GiB');
  });
  it('formats m:ss and rejects nonsense', () => {
    expect(formatDuration(125)).toBe('2:05');
    expect(formatDuration(Infinity)).toBe('--:--');
  });
});
