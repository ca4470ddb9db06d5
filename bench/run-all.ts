/**
 * `npm run bench`: runs every benchmark of bench/ (compiled to dist/bench) one after another and prints one
 * JSON line per figure on stdout, each with the baseline measured in the same run beside it:
 *
 *   channel throughput           iii-rx writer → engine → iii-rx reader   vs  plain ws relay (and iii-sdk 0.22.1)
 *   invocation latency           iii-rx → engine → iii-rx, one call at a time  vs  iii-sdk 0.22.1 both ends
 *   invocation throughput        256 calls in flight                      vs  iii-sdk 0.22.1 both ends
 *   invocation burst             10,000 calls issued at once              vs  iii-sdk 0.22.1 both ends
 *   memory under a slow consumer RSS growth per process, reader paced to --slow-mbps  vs  ws relay at full speed
 *   engine memory, slow reader   engine RSS while an iii-sdk writer feeds a slow raw reader  vs  plain ws relay
 *   memory, demand protocol      RSS growth per process of each idiomatic form (consume, pulled → writeChannel,
 *                                Observable in a payload, 8 MiB frames)  vs  ws relay in the same run
 *
 * `ratio` is always iii-rx ÷ baseline: above 1 is better for throughput, below 1 for latency and memory.
 *
 * Moderate sizes by default (256–512 MiB streams, about a minute on 2 cores); `--full` uses 1 GiB streams
 * and more rounds. Progress and the benchmarks' own stderr go to stderr; `--raw` also
 * copies every line the benchmarks print to stderr.
 *
 *   npm run bench [-- --full] [-- --raw]
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { join } from 'node:path';

type Line = Record<string, any>;

const full = process.argv.includes('--full');
const raw = process.argv.includes('--raw');
const mode = full ? 'full' : 'moderate';
let failures = 0;

/** Runs `dist/bench/<name>.js args` and returns the JSON lines it printed. */
function runBench(name: string, args: string[]): Promise<Line[]> {
  process.stderr.write(`# ${name} ${args.join(' ')}\n`);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, `${name}.js`), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const lines: Line[] = [];
      for (const text of out.split('\n')) {
        if (raw && text.trim()) process.stderr.write(`  ${text}\n`);
        try {
          const parsed = JSON.parse(text);
          if (parsed && typeof parsed === 'object') lines.push(parsed);
        } catch {
          // not a JSON line: narration
        }
      }
      process.stderr.write(`# ${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      if (code !== 0) reject(new Error(`${name} exited with ${code}`));
      else resolve(lines);
    });
  });
}

function emit(figure: string, fields: Line): void {
  process.stdout.write(`${JSON.stringify({ figure, ...fields, mode })}\n`);
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const maxOf = (growth: Record<string, number>) => Math.max(...Object.values(growth));

async function step(figures: string[], work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    failures++;
    for (const figure of figures) emit(figure, { error: (err as Error).message });
  }
}

async function main(): Promise<void> {
  const started = Date.now();

  await step(['channel throughput'], async () => {
    const lines = await runBench('channel-throughput', ['--mib', full ? '1024' : '256', '--rounds', full ? '3' : '2']);
    const summary = lines.find((l) => l.summary);
    if (!summary) throw new Error('channel-throughput printed no summary');
    const { rx, ws, sdk } = summary.mbps as Record<string, number>;
    emit('channel throughput', {
      iii_rx_MBps: rx,
      baseline: 'plain ws relay (raw ws writer → relay → raw ws reader)',
      baseline_MBps: ws,
      ratio: ratio(rx, ws),
      iii_sdk_0_22_1_MBps: sdk,
      ratio_vs_iii_sdk: ratio(rx, sdk),
      setup: `one stream of ${lines.find((l) => l.scenario === 'rx')?.bytes / 2 ** 20} MiB in 64 KiB frames; writer, broker, reader each in its own process; best of rounds`,
    });
  });

  await step(['invocation latency', 'invocation throughput'], async () => {
    const args = full ? ['--rounds', '4'] : [];
    const lines = await runBench('invoke', args);
    const s = lines.find((l) => l.event === 'summary');
    const config = lines.find((l) => l.event === 'config') ?? {};
    if (!s) throw new Error('invoke printed no summary');
    emit('invocation latency', {
      iii_rx_p50_us: s.rx.p50_us,
      iii_rx_p99_us: s.rx.p99_us,
      baseline: 'iii-sdk@0.22.1 caller and callee',
      baseline_p50_us: s.sdk.p50_us,
      baseline_p99_us: s.sdk.p99_us,
      ratio_p50: ratio(s.rx.p50_us, s.sdk.p50_us),
      ratio_p99: ratio(s.rx.p99_us, s.sdk.p99_us),
      setup: `round trip of one call at a time, ${config.latencyCalls} calls × ${config.rounds} rounds (mean of rounds), both clients and the embedded engine in one process`,
    });
    const mergeMap = lines
      .filter((l) => l.client === 'iii-rx (mergeMap driver)')
      .reduce((sum, l, _, all) => sum + l.calls_per_s / all.length, 0);
    emit('invocation throughput', {
      iii_rx_calls_per_s: s.rx.calls_per_s,
      iii_rx_mergeMap_calls_per_s: Math.round(mergeMap),
      baseline: 'iii-sdk@0.22.1 caller and callee',
      baseline_calls_per_s: s.sdk.calls_per_s,
      ratio: ratio(s.rx.calls_per_s, s.sdk.calls_per_s),
      setup: `${config.throughputCalls} calls, ${config.inFlight} in flight, same promise-lane driver for both`,
    });
    if (s.burst) {
      emit('invocation burst', {
        iii_rx_calls_per_s: s.rx.burst_calls_per_s,
        baseline: 'iii-sdk@0.22.1 caller and callee',
        baseline_calls_per_s: s.sdk.burst_calls_per_s,
        ratio: ratio(s.rx.burst_calls_per_s, s.sdk.burst_calls_per_s),
        setup: `${s.burst} calls issued at once and all awaited, after one unmeasured burst per client`,
      });
    }
  });

  await step(['memory under a slow consumer'], async () => {
    const mib = full ? '1024' : '512';
    const lines = await runBench('channel-memory', ['--mib', mib, '--slow-mbps', '50']);
    const byRun = (name: string) => lines.find((l) => l.run === name);
    const slow = byRun('rx-slow-reader');
    const relay = byRun('relay-full-speed');
    const fast = byRun('rx-full-speed');
    if (!slow || !relay || !fast) throw new Error('channel-memory printed fewer runs than expected');
    emit('memory under a slow consumer', {
      iii_rx_growth_MiB: slow.growthMiB,
      iii_rx_max_growth_MiB: maxOf(slow.growthMiB),
      iii_rx_reader_MBps: slow.mbps,
      iii_rx_full_speed_growth_MiB: fast.growthMiB,
      baseline: 'plain ws relay at full speed',
      baseline_growth_MiB: relay.growthMiB,
      baseline_max_growth_MiB: maxOf(relay.growthMiB),
      ratio: ratio(maxOf(slow.growthMiB), maxOf(relay.growthMiB)),
      limit_MiB: slow.limitMiB,
      within_limit: Boolean(slow.within && fast.within),
      setup: `${mib} MiB, iii-rx writer → embedded engine → iii-rx reader paced to ~50 MB/s with reader.pipe(consume(...)); each in its own process`,
    });
  });

  await step(['memory through the demand protocol'], async () => {
    const mib = full ? '1024' : '256';
    const lines = await runBench('channel-demand-memory', ['--mib', mib, '--slow-mbps', '50']);
    const summary = lines.find((l) => l.summary);
    const relay = lines.find((l) => l.run === 'ws-relay-baseline');
    const bigRelay = lines.find((l) => l.run === 'big-frames-ws-relay-baseline');
    if (!summary || !relay) throw new Error('channel-demand-memory printed no summary');
    const forms = summary.forms as Record<string, { maxGrowthMiB: number; within: boolean }>;
    emit('memory through the demand protocol', {
      iii_rx_max_growth_MiB: Object.fromEntries(Object.entries(forms).map(([k, v]) => [k, v.maxGrowthMiB])),
      baseline: 'plain ws relay at full speed (64 KiB frames; and 8 MiB frames for the big-frames form)',
      baseline_max_growth_MiB: summary.relayMaxGrowthMiB,
      baseline_8MiB_frames_max_growth_MiB: bigRelay ? maxOf(bigRelay.growthMiB) : undefined,
      limit_MiB: summary.limitMiB,
      within_limit: Boolean(summary.allWithin),
      setup: `${mib} MiB per form: consume pipeline (map/filter, ~50 MB/s consumer), pulled generator into writeChannel, Observable in a payload, 8 MiB raw frames; engine, writer, reader each in its own process`,
    });
  });

  await step(['engine memory under a slow reader'], async () => {
    const mib = full ? '1024' : '256';
    const [line] = await runBench('engine-memory', ['--mib', mib]);
    if (!line) throw new Error('engine-memory printed nothing');
    emit('engine memory under a slow reader', {
      iii_rx_engine_growth_MiB: line.deltaMiB,
      iii_rx_engine_MiBps: line.MBps,
      intact: line.intact,
      baseline: 'plain ws relay, same slow reader',
      baseline_growth_MiB: line.baseline?.deltaMiB,
      baseline_MiBps: line.baseline?.MBps,
      ratio: ratio(line.deltaMiB, line.baseline?.deltaMiB),
      engine_queue_cap_MiB: line.maxQueuedMiB,
      setup: `${mib} MiB from an iii-sdk@0.22.1 ChannelWriter through the engine (child process) to a raw ws reader that ${line.reader}`,
    });
  });

  process.stderr.write(
    `# all benchmarks done in ${((Date.now() - started) / 1000).toFixed(0)} s (node ${process.version}, ${cpus().length} cpus)\n`,
  );
  if (failures > 0) process.exitCode = 1;
}

main().catch((err) => {
  process.stderr.write(`${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
