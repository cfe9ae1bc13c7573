// Benchmark of the hourly pipeline (issue "The hourly pipeline", Speed),
// against DuckDB on the same files in the same run:
//
//  map      one peak hour's global log: our map stage (mapStage, the function
//           `run --hourly` calls: its tasks on the piscina pool the CLI uses,
//           a big directory cut into ranges and merged) vs DuckDB's GROUP BY
//           over read_csv.
//           MB/s of each, best of --reps. Target: ours ≥ 2× DuckDB.
//  cold     `rank-pipeline run --hourly` on a data dir holding only the
//           catalog and one unprocessed peak hour (global + category logs), no
//           state at all, vs DuckDB loading the catalog and computing the
//           overall and every category's top 100. Both are processes, both
//           timed spawn to exit. Target: ours ≤ DuckDB.
//  steady   168 processed hours (one untimed run), then one new hour, normal
//           and peak: `run --hourly` wall time and peak RSS. Targets: < 5 s,
//           < 15 s, < 2 GiB. DuckDB recomputing the window from scratch is the
//           baseline for the ratio. The normal hour runs a second time as
//           cron finds it: with the releases of the two hours before as well,
//           so that the run recycles the oldest (recyclableRelease), where the
//           base made by one run holds a single release.
// Every scenario checks the published lists against DuckDB's (AGREE or
// DISAGREE; a disagreement makes the exit code 1). Timings are printed,
// never asserted.
//
//   npm run build && node dist/test/bench/hourly.js --scale small
//   node dist/test/bench/hourly.js --scale full --only map,cold --reps 5 --profile
// Flags: --scale small|full, --only map,cold,steady, --reps N (map), --cli-reps N
// (cold, steady; default 1), --workers N,
// --sample N|all (categories compared), --profile (an extra --cpu-prof run of
// each scenario, summarized), --keep (keep the work dirs), --no-tty.
import { execFileSync } from 'node:child_process';
import { linkSync, readdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globalDirs } from '../../src/pipeline/log-dirs.js';
import { mapStage } from '../../src/pipeline/map-stage.js';
import { poolRunner } from '../../src/pipeline/runner.js';
import { RELEASE_ID_RE, catalogPaths, releaseId } from '../../src/layout.js';
import { recordPointer } from '../../src/publish/prune.js';
import { type Item, openDuck, topOverall } from './duckdb-baseline.js';
import { type Agreement, compareLists, compareRelease, readRelease, sampleCategories } from './helpers-agree.js';
import { BenchData, NEW_HOUR, RUN_NOW, BASE_NOW, SCALES, type Scale, copyTree, filesUnder, linkTree, sizeOf, warmPageCache } from './helpers-data.js';
import { type Measured, faultsText } from './helpers-process.js';
import { type Row, runCli, runDuckLists, printRow, printStages, printTable, profileRun } from './helpers-hourly.js';
import { exitOnHelp } from './helpers-usage.js';

export interface HourlyOptions {
  scale: Scale;
  only: Set<string>;
  reps: number;
  /** Rounds of each CLI scenario (cold, steady); the best is reported. */
  cliReps: number;
  workers: number;
  sample: number | '*';
  profile: boolean;
  keep: boolean;
  tty: boolean;
}

const SCENARIOS = ['map', 'cold', 'steady'];

export function parseArgs(argv: string[]): HourlyOptions {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const scaleName = value('--scale') ?? 'full';
  const scale = SCALES[scaleName as keyof typeof SCALES];
  if (!scale) throw new Error(`--scale ${scaleName}: expected small or full`);
  const only = new Set((value('--only') ?? SCENARIOS.join(',')).split(',').filter((s) => s !== 'hourly'));
  if (only.size === 0) for (const s of SCENARIOS) only.add(s);
  for (const s of only) if (!SCENARIOS.includes(s)) throw new Error(`--only ${s}: expected one of ${SCENARIOS.join(', ')}`);
  const sample = value('--sample') ?? '200';
  return {
    scale,
    only,
    reps: Number(value('--reps') ?? 3),
    cliReps: Number(value('--cli-reps') ?? 1),
    workers: Number(value('--workers') ?? 2),
    sample: sample === 'all' ? '*' : Number(sample),
    profile: argv.includes('--profile'),
    keep: argv.includes('--keep'),
    tty: !argv.includes('--no-tty'),
  };
}

/**
 * Times are reported as the best of the rounds, for both contestants: the
 * machine is shared, and other processes only ever add time. Every round is
 * printed too.
 */
const best = (xs: number[]) => Math.min(...xs);
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const GIB = 2 ** 30;

export async function main(argv: string[] = process.argv.slice(2)): Promise<Row[]> {
  exitOnHelp(argv, import.meta.url);
  const opts = parseArgs(argv);
  const data = new BenchData(opts.scale);
  const s = opts.scale;
  console.log(
    `hourly bench, scale ${s.name}: ${s.products} products, ${s.categories} categories; peak hour ${s.peak}, normal hour ${s.normal}, ` +
      `base 168 h × ${s.basePerHour}; --workers ${opts.workers}, DuckDB threads ${opts.workers}; data under ${data.root}`,
  );
  const rows: Row[] = [];
  const agreements: Array<[string, Agreement]> = [];
  try {
    if (opts.only.has('map')) await mapThroughput(data, opts, rows, agreements);
    if (opts.only.has('cold')) await coldStart(data, opts, rows, agreements);
    if (opts.only.has('steady')) await steadyState(data, opts, rows, agreements);
  } finally {
    if (!opts.keep) data.removeWork();
  }
  printTable(rows);
  let allAgree = true;
  for (const [label, a] of agreements) {
    allAgree &&= a.agree;
    console.log(`hourly agree ${label}: ${a.agree ? 'AGREE' : 'DISAGREE'} (${a.listsCompared} lists, ${a.itemsCompared} items)${a.agree ? '' : `: ${a.differences.slice(0, 5).join('; ')}`}`);
  }
  if (!allAgree) process.exitCode = 1;
  return rows;
}

/** Our map job vs DuckDB's aggregate on one peak hour's global log directory. */
async function mapThroughput(data: BenchData, opts: HourlyOptions, rows: Row[], agreements: Array<[string, Agreement]>): Promise<void> {
  const hourDir = await data.hour(opts.scale.peak);
  const dir = globalDirs(NEW_HOUR, NEW_HOUR + 1)[0];
  const files = filesUnder(join(hourDir, dir.dir)).filter((f) => f.endsWith('.log'));
  const bytes = sizeOf(files);
  warmPageCache(join(hourDir, dir.dir));
  const runner = poolRunner(opts.workers);
  const { instance, conn } = await openDuck(opts.workers);
  try {
    // One untimed round each: piscina starts its threads lazily, DuckDB loads its CSV reader.
    await mapStage([dir], {}, runner, { dataDir: hourDir, end: NEW_HOUR + 1, maxBadRatio: 0.01 });
    await topOverall(conn, files);
    const ours: number[] = [];
    const duck: number[] = [];
    let ourTop: Item[] = [];
    let duckTop: Item[] = [];
    // CPU time of this process covers every thread: the pool's workers and DuckDB's.
    const cpu = () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e6;
    };
    const oursCpu: number[] = [];
    const duckCpu: number[] = [];
    for (let rep = 0; rep < opts.reps; rep++) {
      let t0 = process.hrtime.bigint();
      let c0 = cpu();
      duckTop = await topOverall(conn, files);
      duck.push(seconds(t0));
      duckCpu.push(cpu() - c0);
      t0 = process.hrtime.bigint();
      c0 = cpu();
      const r = await mapStage([dir], {}, runner, { dataDir: hourDir, end: NEW_HOUR + 1, maxBadRatio: 0.01 });
      ours.push(seconds(t0));
      oursCpu.push(cpu() - c0);
      const counts = r.updates.get(NEW_HOUR)?.get('');
      if (!counts) throw new Error('mapStage: no counts for the hour');
      ourTop = top100(counts.ids, counts.sales);
    }
    const mb = bytes / 1e6;
    const oursMBs = mb / best(ours);
    const duckMBs = mb / best(duck);
    const list = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `hourly map: ${files.length} file(s), ${mb.toFixed(0)} MB, load ${loadavg()[0].toFixed(1)}; wall ours ${list(ours)} s, DuckDB ${list(duck)} s; ` +
        `CPU ours ${list(oursCpu)} s, DuckDB ${list(duckCpu)} s (best of ${opts.reps} reported)`,
    );
    const label = `map throughput, peak hour global log (${mb.toFixed(0)} MB)`;
    printRow(rows, { measurement: label, ours: oursMBs, duck: duckMBs, unit: 'MB/s', ratio: oursMBs / duckMBs, target: 'ours ≥ 2× DuckDB', met: oursMBs >= 2 * duckMBs });
    const perCpu = (xs: number[]) => mb / best(xs);
    printRow(rows, { measurement: `${label}, per CPU-second`, ours: perCpu(oursCpu), duck: perCpu(duckCpu), unit: 'MB/s', ratio: perCpu(oursCpu) / perCpu(duckCpu), target: '(info)', met: undefined });
    const a: Agreement = { agree: true, listsCompared: 0, itemsCompared: 0, differences: [] };
    compareLists('map top 100', ourTop, duckTop, a);
    agreements.push(['map (top 100 of the hour)', a]);
  } finally {
    await runner.close();
    conn.closeSync();
    instance.closeSync();
  }
}

/** The top 100 of a count block: sales desc, productId asc, sales > 0. */
function top100(ids: Uint32Array, sales: Int32Array): Item[] {
  const best: Item[] = [];
  // Does (s, id) come before item a in the order of a top list?
  const before = (s: number, id: number, a: Item) => s > a.sales || (s === a.sales && id < a.productId);
  for (let i = 0; i < ids.length; i++) {
    const s = sales[i];
    if (s <= 0) continue;
    if (best.length === 100 && !before(s, ids[i], best[99])) continue;
    let j = best.length;
    while (j > 0 && before(s, ids[i], best[j - 1])) j--;
    best.splice(j, 0, { productId: ids[i], sales: s });
    if (best.length > 100) best.pop();
  }
  return best;
}

/** A data dir with the catalog and one unprocessed peak hour, nothing else. */
async function coldStart(data: BenchData, opts: HourlyOptions, rows: Row[], agreements: Array<[string, Agreement]>): Promise<void> {
  const base = await data.base();
  const hour = await data.hour(opts.scale.peak);
  const setUp = (name: string) => {
    const work = data.workDir(name);
    linkTree(join(base, 'catalog'), join(work, 'catalog'));
    linkTree(join(hour, 'logs'), join(work, 'logs'));
    return work;
  };
  const globalFilesOf = (work: string) => filesUnder(join(work, globalDirs(NEW_HOUR, NEW_HOUR + 1)[0].dir));
  const { ours, duck, duckCatalogLoad, agreement } = await contest('cold start', data, opts, setUp, globalFilesOf);
  agreements.push(['cold start', agreement]);
  const label = `cold start, peak hour (${opts.scale.peak.toLocaleString('en-US')} purchases)`;
  printRow(rows, { measurement: `${label}, wall (DuckDB incl. catalog load)`, ours: ours.seconds, duck: duck.seconds, unit: 's', ratio: ours.seconds / duck.seconds, target: 'ours ≤ DuckDB', met: ours.seconds <= duck.seconds });
  const duckNoCatalog = duck.seconds - duckCatalogLoad;
  printRow(rows, { measurement: `${label}, wall (DuckDB catalog load excluded)`, ours: ours.seconds, duck: duckNoCatalog, unit: 's', ratio: ours.seconds / duckNoCatalog, target: '(info)', met: undefined });
  printRow(rows, { measurement: `${label}, CPU user+sys`, ours: ours.cpuSeconds, duck: duck.cpuSeconds, unit: 's', ratio: ours.cpuSeconds / duck.cpuSeconds, target: '(info)', met: undefined });
  printRow(rows, { measurement: `${label}, peak RSS`, ours: ours.maxRss / GIB, duck: duck.maxRss / GIB, unit: 'GiB', ratio: ours.maxRss / duck.maxRss, target: '(info)', met: undefined });
  if (opts.profile) await profileRun('cold start', setUp('cold-profile'), RUN_NOW, opts, join(data.root, 'profiles', 'cold'));
}

/** 168 processed hours, then one new hour (normal, then peak). */
async function steadyState(data: BenchData, opts: HourlyOptions, rows: Row[], agreements: Array<[string, Agreement]>): Promise<void> {
  const processed = await data.processed(async (dir) => {
    const r = await runCli(dir, BASE_NOW, { ...opts, tty: false });
    console.log(`hourly steady: the untimed run over the base took ${r.seconds.toFixed(1)} s, peak RSS ${(r.maxRss / 2 ** 20).toFixed(0)} MiB`);
    // cron's next run, with nothing new, checks the catalog cache the first one wrote and notes it in the state, as cron's steady state has it.
    await runCli(dir, BASE_NOW, { ...opts, tty: false });
  });
  const scenarios = [
    ['normal', opts.scale.normal, 5, false],
    ['normal', opts.scale.normal, 5, true],
    ['peak', opts.scale.peak, 15, false],
  ] as const;
  for (const [kind, purchases, limit, asCron] of scenarios) {
    const hour = await data.hour(purchases);
    const setUp = (name: string) => {
      const work = data.workDir(name);
      for (const d of ['catalog', 'logs']) linkTree(join(processed, d), join(work, d));
      for (const d of ['state', 'counts', 'public', 'quarantine']) copyTree(join(processed, d), join(work, d));
      // The catalog cache as the same file, which the state's note names: a run replaces it, never writes into it.
      rmSync(catalogPaths(work).cache);
      linkSync(catalogPaths(processed).cache, catalogPaths(work).cache);
      linkTree(join(hour, 'logs'), join(work, 'logs'));
      if (asCron) addEarlierReleases(join(work, 'public'));
      return work;
    };
    // DuckDB has no state to start from: it recomputes the whole window.
    const globalFilesOf = (work: string) => globalDirs(NEW_HOUR + 1 - 168, NEW_HOUR + 1).flatMap((d) => filesUnder(join(work, d.dir)));
    const name = `steady ${kind}${asCron ? ' as cron' : ''}`;
    const { ours, duck, agreement } = await contest(name, data, opts, setUp, globalFilesOf);
    agreements.push([name, agreement]);
    const label = `steady state${asCron ? ' as cron finds it (3 releases)' : ''}, +1 ${kind} hour (${purchases.toLocaleString('en-US')} purchases)`;
    printRow(rows, { measurement: `${label}, wall`, ours: ours.seconds, duck: duck.seconds, unit: 's', ratio: ours.seconds / duck.seconds, target: `< ${limit} s`, met: ours.seconds < limit });
    printRow(rows, { measurement: `${label}, CPU user+sys`, ours: ours.cpuSeconds, duck: duck.cpuSeconds, unit: 's', ratio: ours.cpuSeconds / duck.cpuSeconds, target: '(info)', met: undefined });
    printRow(rows, { measurement: `${label}, peak RSS`, ours: ours.maxRss / GIB, duck: duck.maxRss / GIB, unit: 'GiB', ratio: ours.maxRss / duck.maxRss, target: '< 2 GiB', met: ours.maxRss < 2 * GIB });
    if (opts.profile) await profileRun(name, setUp(`${name.replace(/ /g, '-')}-profile`), RUN_NOW, opts, join(data.root, 'profiles', name.replace(/ /g, '-')));
  }
}

/**
 * cron's steady state: besides the base's release (made at BASE_NOW), copies
 * of it made one and two hours before, each recorded (recordPointer) as
 * latest.json's release in its hour (their manifests still give the base's
 * id, which nothing reads). The run at RUN_NOW keeps the two newest and the
 * one it publishes, so it recycles the oldest, as every hourly run does once
 * three releases exist.
 */
function addEarlierReleases(outDir: string): void {
  const releases = join(outDir, 'releases');
  const [current, ...more] = readdirSync(releases).filter((n) => RELEASE_ID_RE.test(n));
  if (!current || more.length > 0) throw new Error(`expected the base's one release in ${releases}`);
  for (const hoursBefore of [2, 1]) {
    const at = Date.parse(BASE_NOW) - hoursBefore * 3_600_000;
    const id = releaseId(at, 'hourly', current.slice(current.lastIndexOf('-') + 1));
    copyTree(join(releases, current), join(releases, id));
    recordPointer(outDir, id, at);
  }
}

type DuckRun = Awaited<ReturnType<typeof runDuckLists>>;

/**
 * --cli-reps rounds of: a fresh data dir, page cache warmed, our run, then
 * DuckDB's; the lists compared every round. Medians of wall, CPU and RSS.
 */
async function contest(label: string, data: BenchData, opts: HourlyOptions, setUp: (name: string) => string, globalFilesOf: (work: string) => string[]) {
  const ours: Measured[] = [];
  const duck: DuckRun[] = [];
  const agreement: Agreement = { agree: true, listsCompared: 0, itemsCompared: 0, differences: [] };
  for (let rep = 0; rep < opts.cliReps; rep++) {
    const work = setUp(`${label.replace(/ /g, '-')}-${rep}`);
    warmPageCache(work);
    // The run ends with a syncfs(2) of the whole file system: flush the set-up's own writes first, or it pays for them.
    execFileSync('sync');
    const o = await runCli(work, RUN_NOW, opts);
    printStages(`${label} run ${rep + 1}`, o);
    ours.push(o);
    const release = readRelease(join(work, 'public'));
    const globalFiles = globalFilesOf(work);
    const sample = opts.sample === '*' ? '*' : sampleCategories(release, opts.sample);
    const d = await runDuckLists(work, { globalFiles, productsCsv: join(work, 'catalog', 'products.csv'), sample, threads: opts.workers });
    const t = d.result.timings;
    console.log(
      `hourly ${label} run ${rep + 1} DuckDB: ${d.seconds.toFixed(2)} s, CPU ${d.cpuSeconds.toFixed(2)} s${faultsText(d)}, peak RSS ${(d.maxRss / 2 ** 20).toFixed(0)} MiB, load ${d.load.toFixed(1)}; ` +
        `open ${t.open.toFixed(2)}, catalog load ${t.catalog.toFixed(2)}, aggregate ${(sizeOf(globalFiles) / 1e6).toFixed(0)} MB ${t.aggregate.toFixed(2)}, ` +
        `overall ${t.overall.toFixed(2)}, categories ${t.categories.toFixed(2)} s (${d.result.categoriesWithSales} with sales)`,
    );
    duck.push(d);
    const a = agree(release, d.result, sample);
    agreement.agree &&= a.agree;
    agreement.listsCompared += a.listsCompared;
    agreement.itemsCompared += a.itemsCompared;
    agreement.differences.push(...a.differences);
    if (!opts.keep) data.discard(work);
  }
  // Wall and CPU: the best round (and the catalog load of DuckDB's best round); RSS: the worst.
  const pick = <T extends Measured>(xs: T[]): T => {
    const b = xs.reduce((a, x) => (x.seconds < a.seconds ? x : a));
    return { ...b, cpuSeconds: best(xs.map((x) => x.cpuSeconds)), maxRss: Math.max(...xs.map((x) => x.maxRss)) };
  };
  const duckBest = pick(duck);
  return { ours: pick(ours), duck: duckBest, duckCatalogLoad: duckBest.result.timings.catalog, agreement };
}

function agree(release: ReturnType<typeof readRelease>, duck: { overall: Item[]; categories: Record<string, Item[]> }, sample: string[] | '*'): Agreement {
  const slugs = sample === '*' ? [...new Set([...release.manifest.categories.map((c) => c.slug), ...Object.keys(duck.categories)])].sort() : sample;
  return compareRelease(release, duck.overall, duck.categories, slugs);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await main();
}
