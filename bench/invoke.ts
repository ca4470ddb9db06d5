/**
 * Invocation benchmark: iii-rx → iii-rx against iii-sdk → iii-sdk (the baseline), same embedded engine,
 * same process, same payload. Prints one JSON line per measurement and one with the ratios.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/invoke.js [--latency-calls 2000] [--throughput-calls 20000]
 *     [--in-flight 256] [--burst 10000] [--rounds 2] [--warmup 1000]
 *
 * Latency: one call at a time (p50, p99 round trip). Throughput: `inFlight` calls outstanding at once.
 * Burst: `burst` calls issued at once (all in flight together), then all awaited (0 skips it).
 * Engine, callers and callees share this one process, so besides calls/s each figure has the process's CPU
 * time per call (`cpu_us_per_call`, user + system): on a machine shared with other work that is the steadier
 * comparison, since wall-clock rates also measure whoever else got the cores.
 */
import { firstValueFrom, lastValueFrom, mergeMap, range, count } from 'rxjs';
import { registerWorker } from 'iii-sdk';
import { startEngine } from '../lib/engine/startEngine';
import { connectWorker } from '../lib/worker/connectWorker';
import type { Worker } from '../lib/worker/Worker';

interface Args {
  latencyCalls: number;
  throughputCalls: number;
  inFlight: number;
  warmup: number;
  rounds: number;
  burst: number;
}

function parseArgs(argv: string[]): Args {
  const get = (name: string, def: number) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] ? Number(argv[i + 1]) : def;
  };
  return {
    latencyCalls: get('latency-calls', 2000),
    throughputCalls: get('throughput-calls', 20000),
    inFlight: get('in-flight', 256),
    warmup: get('warmup', 1000),
    rounds: get('rounds', 2),
    burst: get('burst', 10_000),
  };
}

type Call = (i: number) => Promise<unknown>;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function latency(call: Call, n: number): Promise<{ p50_us: number; p99_us: number; mean_us: number }> {
  const samples: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await call(i);
    samples[i] = Number(process.hrtime.bigint() - start) / 1000;
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((s, x) => s + x, 0) / n;
  return { p50_us: round(percentile(samples, 50)), p99_us: round(percentile(samples, 99)), mean_us: round(mean) };
}

interface Rate {
  perSec: number;
  /** CPU time of the whole process (engine and both ends) per call, µs. */
  cpuUs: number;
}

/** Runs `work` (which makes `n` calls) and measures its rate and the process's CPU time per call. */
async function measured(n: number, work: () => Promise<void>): Promise<Rate> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { perSec: n / seconds, cpuUs: (used.user + used.system) / n };
}

function throughputPromises(call: Call, n: number, inFlight: number): Promise<Rate> {
  let next = 0;
  const lane = async () => {
    while (next < n) await call(next++);
  };
  return measured(n, async () => {
    await Promise.all(Array.from({ length: inFlight }, lane));
  });
}

/** `n` calls issued at once, then all awaited. */
function burst(call: Call, n: number): Promise<Rate> {
  return measured(n, async () => {
    const results = await Promise.all(Array.from({ length: n }, (_, i) => call(i)));
    if (results.length !== n) throw new Error(`expected ${n} results, got ${results.length}`);
  });
}

function throughputRx(worker: Worker, n: number, inFlight: number): Promise<Rate> {
  return measured(n, async () => {
    const done = await lastValueFrom(
      range(0, n).pipe(
        mergeMap((i) => worker.trigger('bench::echo', { i, s: 'hello' }), inFlight),
        count(),
      ),
    );
    if (done !== n) throw new Error(`expected ${n} results, got ${done}`);
  });
}

function ratio(a: number, b: number): number {
  return Math.round((a / b) * 100) / 100;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function emit(record: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ bench: 'invoke', ...record })}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const quiet = console.debug;
  console.debug = () => undefined; // the SDK narrates its connection on debug
  const engine = await startEngine({ port: 0 });

  const rxCallee = connectWorker(engine.url, { workerName: 'bench-rx-callee' });
  // room for the burst (the SDK has no such limit)
  const rxCaller = connectWorker(engine.url, { workerName: 'bench-rx-caller', maxPendingCalls: Math.max(10_000, args.burst) });
  rxCallee.registerFunction('bench::echo', (input: unknown) => input);
  const sdkCallee = registerWorker(engine.url, { otel: { enabled: false }, enableMetricsReporting: false });
  const sdkCaller = registerWorker(engine.url, { otel: { enabled: false }, enableMetricsReporting: false });
  sdkCallee.registerFunction('bench::echo-sdk', async (input: unknown) => input);

  const rxCall: Call = (i) => firstValueFrom(rxCaller.trigger('bench::echo', { i, s: 'hello' }));
  const sdkCall: Call = (i) => sdkCaller.trigger({ function_id: 'bench::echo-sdk', payload: { i, s: 'hello' } });

  // wait until both callees are registered (and warm up)
  const ready = async (call: Call) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await call(-1);
        return;
      } catch (err) {
        if (attempt > 200) throw err;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  };
  await Promise.all([ready(rxCall), ready(sdkCall)]);
  for (let i = 0; i < args.warmup; i++) {
    await rxCall(i);
    await sdkCall(i);
  }
  await throughputRx(rxCaller, args.warmup, args.inFlight);
  await throughputPromises(sdkCall, args.warmup, args.inFlight);
  if (args.burst > 0) {
    // the first burst of a process pays for JIT and buffer growth: once per side, unmeasured
    await burst(rxCall, args.burst);
    await burst(sdkCall, args.burst);
  }

  emit({ event: 'config', node: process.version, ...args });
  const zero = () => ({ p50: 0, p99: 0, tput: 0, cpu: 0, burst: 0, burstCpu: 0 });
  const totals = { rx: zero(), sdk: zero(), rxMerge: { tput: 0, cpu: 0 } };
  for (let r = 0; r < args.rounds; r++) {
    // alternate the order each round so neither side always runs on a warmer process
    const order = r % 2 === 0 ? (['rx', 'sdk'] as const) : (['sdk', 'rx'] as const);
    for (const side of order) {
      const call = side === 'rx' ? rxCall : sdkCall;
      const lat = await latency(call, args.latencyCalls);
      // the same promise-lane driver for both sides, so the ratio compares clients, not drivers
      const tput = await throughputPromises(call, args.throughputCalls, args.inFlight);
      const b = args.burst > 0 ? await burst(call, args.burst) : undefined;
      const client = side === 'rx' ? 'iii-rx' : 'iii-sdk@0.22.1 (baseline)';
      emit({
        round: r,
        client,
        ...lat,
        calls_per_s: Math.round(tput.perSec),
        cpu_us_per_call: round(tput.cpuUs),
        in_flight: args.inFlight,
        ...(b ? { burst: args.burst, burst_calls_per_s: Math.round(b.perSec), burst_cpu_us_per_call: round(b.cpuUs) } : {}),
      });
      const t = totals[side];
      t.p50 += lat.p50_us / args.rounds;
      t.p99 += lat.p99_us / args.rounds;
      t.tput += tput.perSec / args.rounds;
      t.cpu += tput.cpuUs / args.rounds;
      if (b) {
        t.burst += b.perSec / args.rounds;
        t.burstCpu += b.cpuUs / args.rounds;
      }
      if (side === 'rx') {
        // the idiomatic Rx driver: mergeMap with a concurrency limit
        const merged = await throughputRx(rxCaller, args.throughputCalls, args.inFlight);
        emit({
          round: r,
          client: 'iii-rx (mergeMap driver)',
          calls_per_s: Math.round(merged.perSec),
          cpu_us_per_call: round(merged.cpuUs),
          in_flight: args.inFlight,
        });
        totals.rxMerge.tput += merged.perSec / args.rounds;
        totals.rxMerge.cpu += merged.cpuUs / args.rounds;
      }
    }
  }
  const summaryOf = (t: ReturnType<typeof zero>) => ({
    p50_us: round(t.p50),
    p99_us: round(t.p99),
    calls_per_s: Math.round(t.tput),
    cpu_us_per_call: round(t.cpu),
    ...(args.burst > 0 ? { burst_calls_per_s: Math.round(t.burst), burst_cpu_us_per_call: round(t.burstCpu) } : {}),
  });
  emit({
    event: 'summary',
    rx: summaryOf(totals.rx),
    sdk: summaryOf(totals.sdk),
    // > 1 means iii-rx is better (lower latency, higher throughput, less CPU per call)
    latency_p50_ratio_sdk_over_rx: ratio(totals.sdk.p50, totals.rx.p50),
    latency_p99_ratio_sdk_over_rx: ratio(totals.sdk.p99, totals.rx.p99),
    throughput_ratio_rx_over_sdk: ratio(totals.rx.tput, totals.sdk.tput),
    cpu_per_call_ratio_sdk_over_rx: ratio(totals.sdk.cpu, totals.rx.cpu),
    throughput_ratio_rx_mergemap_over_sdk: ratio(totals.rxMerge.tput, totals.sdk.tput),
    ...(args.burst > 0
      ? {
          burst: args.burst,
          burst_ratio_rx_over_sdk: ratio(totals.rx.burst, totals.sdk.burst),
          burst_cpu_ratio_sdk_over_rx: ratio(totals.sdk.burstCpu, totals.rx.burstCpu),
        }
      : {}),
  });

  await sdkCallee.shutdown();
  await sdkCaller.shutdown();
  await Promise.all([rxCallee.close(), rxCaller.close()]);
  await engine.close();
  console.debug = quiet;
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(1);
});
