/** One progress sample of the demo pipeline. */
export interface ProgressSample {
  /** Bytes the producer has handed to its channel writer. */
  sent: number;
  /** Bytes the consumer has finished processing. */
  received: number;
  /** Total bytes expected, when known. */
  total?: number;
  /** Milliseconds since the transfer started. */
  elapsedMs: number;
  /** Bytes queued inside the engine's channel buffer, when the engine can be asked (embedded engine). */
  engineQueued?: number;
}

const MiB = 1024 * 1024;

/** Formats a byte count with a binary unit. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MiB) return `${(bytes / (1024 * MiB)).toFixed(2)} GiB`;
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** Formats a duration in seconds as `m:ss`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/**
 * Renders one line of the demo's progress bar: bar, bytes done, MB/s, ETA and what is buffered: the bytes
 * queued in the engine's channel buffer when the engine reports them (`engineQueued`), otherwise an estimate
 * of the bytes in flight (sent by the producer, not yet processed by the consumer).
 *
 * @example
 * ```ts
 * renderProgress({ sent: 64 << 20, received: 60 << 20, total: 128 << 20, elapsedMs: 1000 }, 20);
 * // '[#########-----------]  46.9%  60.0 MiB / 128.0 MiB  62.9 MB/s  ETA 0:01  buffered ~4.0 MiB'
 * ```
 */
export function renderProgress(sample: ProgressSample, width = 30): string {
  const { sent, received, total, elapsedMs, engineQueued } = sample;
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? received / seconds : 0;
  const buffered = Math.max(0, sent - received);
  const mbps = `${(rate / 1e6).toFixed(1)} MB/s`;
  // the engine's own count is exact; sent − received compares samples of two processes, so it is an estimate
  const inFlight = engineQueued === undefined ? `buffered ~${formatBytes(buffered)}` : `buffered in engine ${formatBytes(engineQueued)}`;
  if (total === undefined || total <= 0) {
    return `${formatBytes(received)}  ${mbps}  ${inFlight}`;
  }
  const fraction = Math.min(1, received / total);
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const eta = rate > 0 ? formatDuration((total - received) / rate) : '--:--';
  const pct = `${(fraction * 100).toFixed(1)}%`.padStart(6);
  return `${bar} ${pct}  ${formatBytes(received)} / ${formatBytes(total)}  ${mbps}  ETA ${eta}  ${inFlight}`;
}
