// `npm run bench`: every benchmark in sequence, each in a process of its own
// (helpers-child-main.ts calls the module's exported main()).
//
//   npm run bench                                  all of them, full scale
//   npm run bench -- --scale small                 a quick end-to-end pass
//   npm run bench -- --only hourly                 one of: catalog-load, ingest, hourly, daily (comma-separated for several)
//   npm run bench -- --only hourly -- --profile    flags after a second `--` go to every benchmark
//
// Exit code: 1 when any benchmark failed or found a disagreement (timings are
// reported, never asserted), else 0.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { exitOnHelp } from './helpers-usage.js';

type ScaleName = 'small' | 'full';

interface Bench {
  name: string;
  /** Compiled module, next to this one. */
  file: string;
  args: Record<ScaleName, string[]>;
}

const BENCHES: Bench[] = [
  { name: 'catalog-load', file: 'catalog-load.js', args: { small: ['--products', '100000', '--categories', '1000'], full: [] } },
  { name: 'ingest', file: 'ingest.js', args: { small: ['--products', '100000', '--categories', '1000', '--purchases', '1000000'], full: [] } },
  { name: 'hourly', file: 'hourly.js', args: { small: ['--scale', 'small'], full: ['--scale', 'full'] } },
  { name: 'daily', file: 'daily.js', args: { small: ['--scale', 'small'], full: ['--scale', 'full'] } },
];

const NO_MAIN = 3;

function parse(argv: string[]): { only?: Set<string>; scale: ScaleName; extra: string[] } {
  const split = argv.indexOf('--');
  const own = split >= 0 ? argv.slice(0, split) : argv;
  const extra = split >= 0 ? argv.slice(split + 1) : [];
  const value = (name: string) => {
    const i = own.indexOf(name);
    return i >= 0 ? own[i + 1] : undefined;
  };
  const scale = (value('--scale') ?? 'full') as ScaleName;
  if (scale !== 'small' && scale !== 'full') usage(`--scale ${scale}: expected small or full`);
  const onlyText = value('--only');
  const only = onlyText === undefined ? undefined : new Set(onlyText.split(','));
  for (const n of only ?? []) if (!BENCHES.some((b) => b.name === n)) usage(`--only ${n}: expected one of ${BENCHES.map((b) => b.name).join(', ')}`);
  return { only, scale, extra };
}

function usage(message: string): never {
  console.error(`run-all: ${message}\nusage: node dist/test/bench/run-all.js [--scale small|full] [--only NAME[,NAME]] [-- FLAGS FOR EVERY BENCH]`);
  process.exit(64);
}

/**
 * Between benchmarks: each deletes its data when done, and on ext4 without a
 * journal (this machine's) files created in the next minute are several times
 * slower to create (the inode allocator skips recently deleted inodes one by
 * one, for 60 s once they are on disk). Flush, then wait that out.
 */
function settle(): void {
  spawnSync('sync');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SETTLE_MS);
}

const SETTLE_MS = 65_000;

export function main(argv: string[] = process.argv.slice(2)): number {
  exitOnHelp(argv.includes('--') ? argv.slice(0, argv.indexOf('--')) : argv, import.meta.url);
  const { only, scale, extra } = parse(argv);
  const here = (f: string) => fileURLToPath(new URL(`./${f}`, import.meta.url));
  const results: Array<{ name: string; status: string; seconds: number }> = [];
  for (const b of BENCHES) {
    if (only && !only.has(b.name)) continue;
    const file = here(b.file);
    if (!existsSync(file)) {
      results.push({ name: b.name, status: 'skipped (not built)', seconds: 0 });
      continue;
    }
    if (results.length > 0 && scale === 'full') settle();
    console.log(`\n=== bench ${b.name} (scale ${scale}) ===`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [here('helpers-child-main.js'), file, ...b.args[scale], ...extra], { stdio: 'inherit' });
    const seconds = (performance.now() - t0) / 1000;
    const status = r.status === 0 ? 'ok' : r.status === NO_MAIN ? 'skipped (no main export)' : `FAILED (exit ${r.status ?? r.signal})`;
    results.push({ name: b.name, status, seconds });
  }
  console.log('\n=== bench summary ===');
  for (const r of results) console.log(`${r.name.padEnd(14)} ${r.status.padEnd(28)} ${r.seconds.toFixed(0)} s`);
  return results.some((r) => r.status.startsWith('FAILED')) ? 1 : 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = main();
}
