/**
 * Channel memory: 1 GiB from an iii-rx writer through the embedded engine to an iii-rx reader, once with a
 * slow consumer (~50 MB/s, paced inside `consume` on the reader) and once at full speed. Writer, engine and reader
 * each run in their own process; the parent samples each one's RSS (/proc) every 50 ms and reports idle
 * (connected, before the first byte) and peak. Target: every process stays within 64 MiB of its idle RSS.
 * Baseline in the same run: the plain ws relay (raw writer → relay → raw reader) at full speed.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/channel-memory.js [--mib 1024] [--slow-mbps 50]
 *
 * Prints one JSON line per run and a summary line.
 */
import { MiB, runScenario } from './channel-throughput';
import { numberFlag, runBench } from './support/benchChild';

async function main(): Promise<void> {
  const bytes = numberFlag('mib', 1024) * MiB;
  const slow = numberFlag('slow-mbps', 50);
  const limitMiB = 64;
  const runs: [string, 'rx' | 'ws', number][] = [
    ['relay-full-speed', 'ws', 0],
    ['rx-slow-reader', 'rx', slow],
    ['rx-full-speed', 'rx', 0],
  ];
  const verdicts: Record<string, boolean> = {};
  for (const [name, kind, mbps] of runs) {
    const r = await runScenario(kind, bytes, mbps);
    const growth = Object.fromEntries(
      Object.entries(r.rss).map(([k, v]) => [k, Math.round((v.peak - v.idle) * 10) / 10]),
    );
    const within = Object.values(growth).every((g) => g <= limitMiB);
    verdicts[name] = within;
    console.log(
      JSON.stringify({ bench: 'channel-memory', run: name, readerMbpsTarget: mbps || null, ...r, growthMiB: growth, limitMiB, within }),
    );
  }
  console.log(JSON.stringify({ bench: 'channel-memory', summary: true, withinLimit: verdicts }));
}

runBench(main);
