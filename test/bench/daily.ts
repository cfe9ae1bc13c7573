// Benchmark of the daily tier (issue #4, Speed): `rank-pipeline run --daily`
// at the target scale, against DuckDB computing the same full ranks.
//
// Scenario: the 10M-product, 30k-category catalog and a week of purchases,
// 1M an hour on average (small scale: 100k products, 1k categories, 100k an
// hour), the 7 whole days [2026-11-21, 2026-11-28). The week is already
// processed by the hourly tier, as cron leaves it when the daily run comes:
// ONE untimed `run --hourly --now 2026-11-28T00:05Z` over the whole week maps
// every hour (the simplest way to get there; 168 hourly runs would leave the
// same count files, hour by hour). That run takes long at full scale (it maps
// ~6 GB of global and ~12 GB of category logs): its wall time and peak RSS are
// printed when it is built, and the result is cached (helpers-data.ts,
// week-processed-*), keyed by the compiled pipeline less the daily-only modules.
//
// Timed, as a process, spawn to exit: `rank-pipeline run --daily --now
// 2026-11-28T00:10Z` on a copy of that state (logs, catalog and count files
// hard-linked: the pipeline only ever writes new files and renames them; state
// and output copied). Its window is the week: it finds nothing new in the logs,
// rolls the 168 hours into 7 day files, ranks every product overall and in
// each of its categories, and publishes a release with the 256 ranks/NNN.json
// shards. Wall time, CPU (user+sys) and peak RSS (GNU time); targets < 2 min
// and < 2 GiB. Load average is printed with each run: the machine is shared.
//
// Baseline, in the same run: DuckDB (2 threads), as a process of its own, from
// the raw week: the catalog's product → categories column, the week's GLOBAL
// log aggregated per product, the overall rank of every product with sales > 0
// (row_number by sales desc, product asc) and its rank in each of its
// categories from the global sales joined with the catalog (`uncategorized`
// for products with no category or none in the catalog), into in-memory
// tables. DuckDB starts from nothing (no state) and writes no JSON; ours starts
// from the mapped hours and writes ~1 GB of shards. The ratio ours/DuckDB is
// printed.
//
// Agreement: the products of a sample of shards (--shards N evenly spaced, or
// all) read from the release as the storefront would (latest.json → ranks/NNN.json)
// compared with DuckDB's, product by product: the same products, sales,
// overall rank and category ranks; and the number of products ranked. AGREE or
// DISAGREE; a disagreement makes the exit code 1. Timings are printed, never
// asserted.
//
//   npm run build && node dist/test/bench/daily.js --scale small
//   npm run bench -- --only daily [--scale small]
// Flags: --scale small|full, --per-hour N (purchases an hour, default by scale),
// --cli-reps N (rounds, best wall reported; default 1), --workers N,
// --shards N|all (default 8), --profile (an extra --cpu-prof run, summarized),
// --keep (keep the work dirs), --no-tty.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globalDirs } from '../../src/pipeline/log-dirs.js';
import { packageRoot } from '../../src/package-root.js';
import { RANK_SHARDS, rankShardName } from '../../src/layout.js';
import { CATEGORY_PAIRS_SQL, openSales } from './duckdb-baseline.js';
import type { Agreement } from './helpers-agree.js';
import { BenchData, DAILY_NOW, SCALES, WEEK_END, WEEK_HOURLY_NOW, WEEK_PER_HOUR, type Scale, copyTree, filesUnder, linkTree, sizeOf, warmPageCache } from './helpers-data.js';
import { type Row, printTable, runCli, runDuckChild } from './helpers-hourly.js';
import { type Measured, faultsText, printTimeline, timelineOf } from './helpers-process.js';
import { printProfiles, summarizeProfiles } from './helpers-profile.js';
import { exitOnHelp } from './helpers-usage.js';

export interface DailyOptions {
  scale: Scale;
  perHour: number;
  cliReps: number;
  workers: number;
  /** How many shards to compare, evenly spaced over 000..255, or every one. */
  shards: number | 'all';
  profile: boolean;
  keep: boolean;
  tty: boolean;
}

export function parseArgs(argv: string[]): DailyOptions {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const scaleName = value('--scale') ?? 'full';
  if (scaleName !== 'small' && scaleName !== 'full') throw new Error(`--scale ${scaleName}: expected small or full`);
  const shards = value('--shards') ?? '8';
  return {
    scale: SCALES[scaleName],
    perHour: Number(value('--per-hour') ?? WEEK_PER_HOUR[scaleName]),
    cliReps: Number(value('--cli-reps') ?? 1),
    workers: Number(value('--workers') ?? 2),
    shards: shards === 'all' ? 'all' : Math.max(1, Math.min(RANK_SHARDS, Number(shards))),
    profile: argv.includes('--profile'),
    keep: argv.includes('--keep'),
    tty: !argv.includes('--no-tty'),
  };
}

const GIB = 2 ** 30;
const MIB = 2 ** 20;
const TARGET_SECONDS = 120;
const WEEK_START_HOUR = Date.parse(WEEK_END) / 3_600_000 - 168;
const WEEK_END_HOUR = Date.parse(WEEK_END) / 3_600_000;
const loads = () => loadavg().map((x) => x.toFixed(2)).join(' ');

export async function main(argv: string[] = process.argv.slice(2)): Promise<Row[]> {
  exitOnHelp(argv, import.meta.url);
  const opts = parseArgs(argv);
  const data = new BenchData(opts.scale);
  const s = opts.scale;
  console.log(
    `daily bench, scale ${s.name}: ${s.products} products, ${s.categories} categories; a week of ${opts.perHour} purchases an hour ` +
      `(${(opts.perHour * 168).toLocaleString('en-US')}), processed by run --hourly; --workers ${opts.workers}, DuckDB threads ${opts.workers}; ` +
      `data under ${data.root}; load average ${loads()}`,
  );
  const processed = await data.processedWeek(opts.perHour, async (dir) => {
    const m = await runCli(dir, WEEK_HOURLY_NOW, { ...opts, tty: false });
    console.log(`daily: the untimed run --hourly over the week took ${m.seconds.toFixed(1)} s, CPU ${m.cpuSeconds.toFixed(1)} s, peak RSS ${(m.maxRss / MIB).toFixed(0)} MiB, load ${m.load.toFixed(1)}`);
  });
  const rows: Row[] = [];
  const ours: Measured[] = [];
  const duck: Array<Measured & { result: DuckRanks }> = [];
  const agreement: Agreement = { agree: true, listsCompared: 0, itemsCompared: 0, differences: [] };
  try {
    for (let rep = 0; rep < opts.cliReps; rep++) {
      const work = setUp(data, processed, `daily-${rep}`);
      // What the daily run reads: the state, the catalog, the hour count files (the logs are only listed).
      for (const d of ['state', 'catalog', 'counts']) warmPageCache(join(work, d));
      // The run ends with a syncfs(2) of the whole file system: flush the set-up's own writes first.
      execFileSync('sync');
      const o = await runCli(work, DAILY_NOW, { ...opts, kind: 'daily' });
      console.log(`daily run ${rep + 1}: ours ${o.seconds.toFixed(2)} s, CPU ${o.cpuSeconds.toFixed(2)} s${faultsText(o)}, peak RSS ${(o.maxRss / MIB).toFixed(0)} MiB, load ${o.load.toFixed(1)}; progress timeline:`);
      printTimeline(timelineOf(o.stdout + o.stderr), o.seconds);
      ours.push(o);

      const globalFiles = globalDirs(WEEK_START_HOUR, WEEK_END_HOUR).flatMap((d) => filesUnder(join(work, d.dir)));
      warmPageCache(join(work, 'logs', 'global'));
      const release = readDailyRelease(join(work, 'public'));
      const shards = sampleShards(opts.shards);
      const d = await runDuckChild<DuckRanks>(work, fileURLToPath(import.meta.url), '--duck-child', { globalFiles, productsCsv: join(work, 'catalog', 'products.csv'), shards, threads: opts.workers } satisfies Omit<DuckSpec, 'resultFile'>);
      const t = d.result.timings;
      console.log(
        `daily run ${rep + 1} DuckDB: ${d.seconds.toFixed(2)} s, CPU ${d.cpuSeconds.toFixed(2)} s${faultsText(d)}, peak RSS ${(d.maxRss / MIB).toFixed(0)} MiB, load ${d.load.toFixed(1)}; ` +
          `open ${t.open.toFixed(2)}, catalog load ${t.catalog.toFixed(2)}, aggregate ${(sizeOf(globalFiles) / 1e6).toFixed(0)} MB ${t.aggregate.toFixed(2)}, ` +
          `overall ranks ${t.overall.toFixed(2)}, category ranks ${t.categories.toFixed(2)} s (${d.result.productsRanked} products, ${d.result.categoryRanks} category ranks)`,
      );
      duck.push(d);
      compareShards(release, d.result, shards, agreement);
      if (!opts.keep) data.discard(work);
    }
    if (opts.profile) {
      const dir = join(data.root, 'profiles', 'daily');
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const work = setUp(data, processed, 'daily-profile');
      execFileSync('sync');
      const m = await runCli(work, DAILY_NOW, { ...opts, kind: 'daily' }, ['--cpu-prof', '--cpu-prof-dir', dir]);
      console.log(`daily (under --cpu-prof): ${m.seconds.toFixed(2)} s, CPU ${m.cpuSeconds.toFixed(2)} s, peak RSS ${(m.maxRss / MIB).toFixed(0)} MiB; progress timeline:`);
      printTimeline(timelineOf(m.stdout + m.stderr), m.seconds);
      printProfiles('daily', summarizeProfiles(dir, packageRoot()));
    }
  } finally {
    if (!opts.keep) data.removeWork();
  }
  // Wall and CPU: the best round of each (a shared machine only adds time); RSS: the worst.
  const pick = (xs: Measured[]) => ({ seconds: Math.min(...xs.map((x) => x.seconds)), cpu: Math.min(...xs.map((x) => x.cpuSeconds)), rss: Math.max(...xs.map((x) => x.maxRss)) });
  const o = pick(ours);
  const d = pick(duck);
  const label = `run --daily, week of ${(opts.perHour * 168).toLocaleString('en-US')} purchases, ${s.products.toLocaleString('en-US')} products`;
  const row = (r: Row) => {
    rows.push(r);
    const unit = (x: number) => `${x.toFixed(2)} ${r.unit}`;
    console.log(`daily ${r.measurement}: ours ${unit(r.ours)}, DuckDB ${unit(r.duck)}, ratio ${r.ratio.toFixed(2)}×; target ${r.target}: ${r.met === undefined ? '-' : r.met ? 'met' : 'NOT met'}`);
  };
  row({ measurement: `${label}, wall`, ours: o.seconds, duck: d.seconds, unit: 's', ratio: o.seconds / d.seconds, target: `< ${TARGET_SECONDS} s`, met: o.seconds < TARGET_SECONDS });
  row({ measurement: `${label}, CPU user+sys`, ours: o.cpu, duck: d.cpu, unit: 's', ratio: o.cpu / d.cpu, target: '(info)', met: undefined });
  row({ measurement: `${label}, peak RSS`, ours: o.rss / GIB, duck: d.rss / GIB, unit: 'GiB', ratio: o.rss / d.rss, target: '< 2 GiB', met: o.rss < 2 * GIB });
  printTable(rows);
  console.log(
    `daily agree: ${agreement.agree ? 'AGREE' : 'DISAGREE'} (${agreement.listsCompared} shard(s), ${agreement.itemsCompared} products)` +
      `${agreement.agree ? '' : `: ${agreement.differences.slice(0, 5).join('; ')}`}; load average at the end ${loads()}`,
  );
  if (!agreement.agree) process.exitCode = 1;
  return rows;
}

/** A data dir for one timed run: the processed week, what the run writes copied, the rest hard-linked. */
function setUp(data: BenchData, processed: string, name: string): string {
  const work = data.workDir(name);
  for (const d of ['catalog', 'logs', 'counts']) linkTree(join(processed, d), join(work, d));
  for (const d of ['state', 'public', 'quarantine']) copyTree(join(processed, d), join(work, d));
  return work;
}

const sampleShards = (n: number | 'all'): number[] =>
  n === 'all' ? Array.from({ length: RANK_SHARDS }, (_, i) => i) : [...new Set(Array.from({ length: n }, (_, i) => Math.floor((i * RANK_SHARDS) / n)))];

interface ShardProduct {
  sales: number;
  overall: number | null;
  categories: Record<string, number>;
}

interface DailyRelease {
  dir: string;
  productsRanked: number;
  shard(n: number): Record<string, ShardProduct>;
}

/** The release latest.json names, which must serve its own ranks (a daily release). */
function readDailyRelease(outDir: string): DailyRelease {
  const latest = JSON.parse(readFileSync(join(outDir, 'latest.json'), 'utf8')) as { base: string };
  const dir = join(outDir, latest.base);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { ranksBase?: string; ranks?: { productsRanked: number } };
  if (manifest.ranksBase !== latest.base || !manifest.ranks) throw new Error(`${dir}: not a daily release (ranksBase ${manifest.ranksBase})`);
  return {
    dir,
    productsRanked: manifest.ranks.productsRanked,
    shard: (n) => (JSON.parse(readFileSync(join(dir, 'ranks', rankShardName(n)), 'utf8')) as { products: Record<string, ShardProduct> }).products,
  };
}

function compareShards(release: DailyRelease, duck: DuckRanks, shards: number[], out: Agreement): void {
  const differ = (why: string) => {
    out.agree = false;
    out.differences.push(why);
  };
  if (release.productsRanked !== duck.productsRanked) differ(`products ranked: ours ${release.productsRanked}, DuckDB ${duck.productsRanked}`);
  for (const n of shards) {
    out.listsCompared++;
    const ours = release.shard(n);
    const theirs = duck.shards[n] ?? {};
    const ids = new Set([...Object.keys(ours), ...Object.keys(theirs)]);
    out.itemsCompared += ids.size;
    let shown = 0;
    for (const id of ids) {
      const a = ours[id];
      const b = theirs[id];
      const text = (p: ShardProduct | undefined) => (p ? JSON.stringify({ ...p, categories: Object.fromEntries(Object.entries(p.categories).sort()) }) : 'absent');
      if (text(a) !== text(b) && shown++ < 3) differ(`shard ${rankShardName(n)} product ${id}: ours ${text(a)}, DuckDB ${text(b)}`);
    }
  }
}

interface DuckSpec {
  globalFiles: string[];
  productsCsv: string;
  /** Shards whose products to write to resultFile. */
  shards: number[];
  resultFile: string;
  threads: number;
}

interface DuckRanks {
  timings: { open: number; catalog: number; aggregate: number; overall: number; categories: number; total: number };
  productsRanked: number;
  categoryRanks: number;
  /** Shard → productId → what its ranks shard says. */
  shards: Record<number, Record<string, ShardProduct>>;
}

async function duckFullRanks(spec: DuckSpec): Promise<DuckRanks> {
  const { instance, conn, lap, started, timings } = await openSales(spec);
  await conn.run('CREATE TABLE overall AS SELECT product, sales, row_number() OVER (ORDER BY sales DESC, product) AS rank FROM sales');
  const overall = lap();
  await conn.run(`
    CREATE TABLE category_ranks AS
    WITH pairs AS (${CATEGORY_PAIRS_SQL})
    SELECT slug, product, row_number() OVER (PARTITION BY slug ORDER BY sales DESC, product) AS rank FROM pairs`);
  const categories = lap();
  const total = (performance.now() - started) / 1000;

  // After the clock: the sampled shards' products, as the shards would say it.
  const count = async (sql: string) => Number((await conn.runAndReadAll(sql)).getRows()[0][0] as bigint);
  const productsRanked = await count('SELECT count(*) FROM overall');
  const categoryRanks = await count('SELECT count(*) FROM category_ranks');
  const inShards = `IN (${spec.shards.join(', ') || '-1'})`;
  const shards: DuckRanks['shards'] = {};
  const entry = (product: bigint) => (shards[Number(product % BigInt(RANK_SHARDS))] ??= {});
  for (const [product, sales, rank] of (await conn.runAndReadAll(`SELECT product::BIGINT, sales, rank::BIGINT FROM overall WHERE product % ${RANK_SHARDS} ${inShards}`)).getRows() as bigint[][]) {
    entry(product)[String(product)] = { sales: Number(sales), overall: Number(rank), categories: {} };
  }
  const rows = (await conn.runAndReadAll(`SELECT product::BIGINT, slug, rank::BIGINT FROM category_ranks WHERE product % ${RANK_SHARDS} ${inShards}`)).getRows();
  for (const [product, slug, rank] of rows as [bigint, string, bigint][]) entry(product)[String(product)].categories[slug] = Number(rank);
  conn.closeSync();
  instance.closeSync();
  return { timings: { ...timings, overall, categories, total }, productsRanked, categoryRanks, shards };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--duck-child');
  if (i >= 0) {
    const spec = JSON.parse(readFileSync(process.argv[i + 1], 'utf8')) as DuckSpec;
    const r = await duckFullRanks(spec);
    writeFileSync(spec.resultFile, JSON.stringify(r));
    console.log(JSON.stringify(r.timings));
  } else await main();
}
