// Bench helper: the data sets of the hourly benchmark, made with the project's
// own generator and cached between runs under one directory per parameter set
// (generation at full scale takes minutes):
//
//   <cache>/rank-bench-p<P>-c<C>-s<seed>/
//     base-<perHour>x168/      generate(): the catalog + 168 hours of purchases
//     hour-<N>/logs/           the new hour [18:00, 19:00): N purchases appended
//                              through the log writer, under a writer id of its own
//     processed-<code>-<perHour>x168/   the base after one untimed `run --hourly`,
//                              keyed by a hash of the compiled pipeline
//     work/<scenario>/         throw-away data dirs the timed runs write into
//   and for the daily benchmark (daily.ts):
//     week-<perHour>x168/      generate(): the catalog + the 7 whole days before
//                              WEEK_END (the daily window of DAILY_NOW)
//     week-processed-<code>-<perHour>x168/   the week after one untimed
//                              `run --hourly --now WEEK_HOURLY_NOW`, keyed by a hash
//                              of the compiled pipeline less the daily-only modules
//
// Each cached directory is built under a temporary name and renamed when
// complete, so an interrupted generation is never reused. Scenario dirs
// hard-link the logs and the catalog (logs are append-only and the pipeline
// never writes into them) and copy what the pipeline writes (state, counts, out).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadCatalog } from '../../src/catalog/load.js';
import { generate } from '../../src/generate/generate.js';
import { generatePurchases } from '../../src/generate/purchase-gen.js';
import { openPurchaseLog } from '../../src/log/purchase-log.js';
import { packageRoot } from '../../src/package-root.js';

export interface Scale {
  name: string;
  products: number;
  categories: number;
  /** Purchases in the peak hour (cold start, map throughput, steady peak). */
  peak: number;
  /** Purchases in a normal new hour (steady normal). */
  normal: number;
  /** Average purchases per hour of the 168 processed hours (the generator's daily cycle spreads them). */
  basePerHour: number;
  seed: number;
}

export const SCALES: Record<'small' | 'full', Scale> = {
  small: { name: 'small', products: 100_000, categories: 1_000, peak: 1_000_000, normal: 100_000, basePerHour: 20_000, seed: 1 },
  full: { name: 'full', products: 10_000_000, categories: 30_000, peak: 10_000_000, normal: 1_000_000, basePerHour: 200_000, seed: 1 },
};

export const BASE_HOURS = 168;

/**
 * The daily benchmark's purchases per hour over its week, by scale: 1M at
 * full scale (the issue's target), a tenth at small scale like the hourly
 * scenarios' purchases.
 */
export const WEEK_PER_HOUR: Record<'small' | 'full', number> = { small: 100_000, full: 1_000_000 };
/** The week is the 7 days before this instant: [2026-11-21, 2026-11-28). */
export const WEEK_END = '2026-11-28T00:00:00Z';
/** `--now` of the untimed hourly run that maps the whole week (its window is the week too). */
export const WEEK_HOURLY_NOW = '2026-11-28T00:05:00Z';
/** `--now` of the timed daily run: its day is 2026-11-28, so its window is the week. */
export const DAILY_NOW = '2026-11-28T00:10:00Z';
/**
 * Compiled modules only `run --daily` executes: what an hourly run leaves
 * behind does not depend on them, so the processed week survives changes to them.
 */
export const DAILY_ONLY_CODE = ['dist/src/pipeline/daily-stage.js', 'dist/src/rank/full-ranks.js', 'dist/src/publish/rank-shards.js', 'dist/src/counts/day-counts.js'];
/** The new hour is [18:00, 19:00) of this day; the base is the 168 hours before it. */
export const NEW_HOUR_END_MS = Date.parse('2026-11-27T19:00:00Z');
export const NEW_HOUR = NEW_HOUR_END_MS / 3_600_000 - 1;
/** `--now` of the untimed run over the base, and of the timed runs (hour end + 5 min). */
export const BASE_NOW = '2026-11-27T18:05:00Z';
export const RUN_NOW = '2026-11-27T19:05:00Z';

const log = (text: string) => process.stderr.write(`[bench data] ${text}\n`);
const since = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(1)} s`;

export class BenchData {
  readonly root: string;
  private discarded = 0;

  constructor(
    readonly scale: Scale,
    cacheDir = process.env.RANK_BENCH_CACHE ?? tmpdir(),
  ) {
    this.root = join(cacheDir, `rank-bench-p${scale.products}-c${scale.categories}-s${scale.seed}`);
  }

  /** The catalog and 168 hours of purchases, via the project's `generate` (catalog and logs in one call). */
  async base(): Promise<string> {
    const s = this.scale;
    return this.cached(`base-${s.basePerHour}x${BASE_HOURS}`, async (dir) => {
      const t0 = performance.now();
      const r = await generate({
        dataDir: dir,
        products: s.products,
        categories: s.categories,
        purchases: s.basePerHour * BASE_HOURS,
        hours: BASE_HOURS,
        nowMs: Date.parse(BASE_NOW),
        seed: s.seed,
      });
      log(`generate: ${r.summary.products} products, ${r.summary.categories} categories, ${r.summary.lines} lines over ${BASE_HOURS} h in ${since(t0)}`);
      return r.summary;
    });
  }

  /**
   * One new hour of n purchases, written by the project's purchase generator
   * through the log writer with the base's catalog (so the category logs match
   * it), and the base's seed (so the same products are popular). Its own
   * writer id keeps its files apart from the base's when both are linked into
   * one data dir.
   */
  async hour(n: number): Promise<string> {
    const base = await this.base();
    return this.cached(`hour-${n}`, async (dir) => {
      const t0 = performance.now();
      const catalog = await this.loadCatalogOf(base);
      const writerId = `bench-hour-${n}`;
      const out = openPurchaseLog({ dataDir: dir, catalog, writerId });
      let lines = 0;
      try {
        generatePurchases(
          catalog.productIds,
          { purchases: n, hours: 1, nowMs: NEW_HOUR_END_MS, seed: this.scale.seed, refundRate: 0, duplicateRate: 0, eventIds: false },
          (productId, timestamp, quantity, eventId) => {
            const r = out.append({ productId, timestamp, quantity, eventId });
            if (!r.ok) throw new Error(`the generator made an invalid line (${r.reason})`);
            lines++;
          },
        );
      } finally {
        await out.close();
      }
      log(`hour of ${n} purchases: ${lines} lines in ${since(t0)}`);
      return { purchases: n, lines, writerId };
    });
  }

  /** The base after one untimed `run --hourly --now BASE_NOW` (RunBase does the run). */
  async processed(run: (dataDir: string) => Promise<void>): Promise<string> {
    const key = `processed-${pipelineCodeHash()}-${this.scale.basePerHour}x${BASE_HOURS}`;
    return this.processedFrom(await this.base(), key, (name) => name.startsWith('processed-'), BASE_NOW, 'the base', run);
  }

  /** The catalog and the week before WEEK_END at perHour purchases an hour on average, via `generate`. */
  async week(perHour: number): Promise<string> {
    const s = this.scale;
    return this.cached(`week-${perHour}x${BASE_HOURS}`, async (dir) => {
      const t0 = performance.now();
      const r = await generate({
        dataDir: dir,
        products: s.products,
        categories: s.categories,
        purchases: perHour * BASE_HOURS,
        hours: BASE_HOURS,
        nowMs: Date.parse(WEEK_END),
        seed: s.seed,
      });
      log(`generate: ${r.summary.products} products, ${r.summary.categories} categories, ${r.summary.lines} lines over ${BASE_HOURS} h in ${since(t0)}`);
      return r.summary;
    });
  }

  /**
   * The week after one untimed `run --hourly --now WEEK_HOURLY_NOW` (run does
   * it): every hour mapped, the state cron's daily run finds.
   */
  async processedWeek(perHour: number, run: (dataDir: string) => Promise<void>): Promise<string> {
    const key = `week-processed-${pipelineCodeHash(DAILY_ONLY_CODE)}-${perHour}x${BASE_HOURS}`;
    const stale = (name: string) => name.startsWith('week-processed-') && name.endsWith(`-${perHour}x${BASE_HOURS}`);
    return this.processedFrom(await this.week(perHour), key, stale, WEEK_HOURLY_NOW, 'the week', run);
  }

  /**
   * `source`'s catalog and logs after one untimed `run --hourly --now now`
   * (run does it), cached under `key`. Other cached dirs that `stale` names
   * belong to older code: they only take disk, and are removed.
   */
  private async processedFrom(source: string, key: string, stale: (name: string) => boolean, now: string, what: string, run: (dataDir: string) => Promise<void>): Promise<string> {
    for (const name of existsSync(this.root) ? readdirSync(this.root) : []) {
      if (stale(name) && name !== key) rmSync(join(this.root, name), { recursive: true, force: true });
    }
    return this.cached(key, async (dir) => {
      linkTree(join(source, 'catalog'), join(dir, 'catalog'));
      linkTree(join(source, 'logs'), join(dir, 'logs'));
      const t0 = performance.now();
      await run(dir);
      log(`processed ${what} (untimed run --hourly --now ${now}) in ${since(t0)}`);
      return { now };
    });
  }

  /** A fresh data dir for one timed scenario. */
  workDir(name: string): string {
    const dir = join(this.root, 'work', name);
    this.discard(dir);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /**
   * Moves a used data dir out of the way, to be deleted by removeWork once
   * nothing is timed any more. On ext4 without a journal (this machine's),
   * creating files in the minutes after tens of thousands were deleted is
   * several times slower (the inode allocator skips recently deleted inodes
   * one by one): a delete between timed runs would slow the next run's
   * publish by seconds.
   */
  discard(dir: string): void {
    if (!existsSync(dir)) return;
    const trash = join(this.root, 'work', '.trash');
    mkdirSync(trash, { recursive: true });
    renameSync(dir, join(trash, `${process.pid}-${++this.discarded}`));
  }

  removeWork(): void {
    rmSync(join(this.root, 'work'), { recursive: true, force: true });
  }

  private async loadCatalogOf(dataDir: string) {
    // loadCatalog writes its cache under DATA/state: do that in a scratch dir, not in the cached base.
    const scratch = join(this.root, `.catalog-${process.pid}`);
    rmSync(scratch, { recursive: true, force: true });
    linkTree(join(dataDir, 'catalog'), join(scratch, 'catalog'));
    try {
      return await loadCatalog(scratch);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }

  private async cached(name: string, build: (dir: string) => Promise<unknown>): Promise<string> {
    const dir = join(this.root, name);
    mkdirSync(this.root, { recursive: true });
    const marker = join(dir, '.bench-complete.json');
    if (existsSync(marker)) return dir;
    rmSync(dir, { recursive: true, force: true });
    // Leftovers of interrupted builds (their process is gone) only take disk.
    for (const other of readdirSync(this.root)) {
      const m = /\.tmp-(\d+)$/.exec(other);
      if (other.startsWith(`${name}.tmp-`) && m && !alive(Number(m[1]))) rmSync(join(this.root, other), { recursive: true, force: true });
    }
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    log(`building ${dir} (cached for the next runs)`);
    const summary = await build(tmp);
    writeFileSync(join(tmp, '.bench-complete.json'), `${JSON.stringify({ scale: this.scale, name, summary, at: new Date().toISOString() }, null, 1)}\n`);
    renameSync(tmp, dir);
    return dir;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Hard links of every file under src, at the same paths under dst (directories merge). */
export function linkTree(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  execFileSync('cp', ['-al', `${src}/.`, `${dst}/`]);
}

/** A real copy: for what the pipeline writes. */
export function copyTree(src: string, dst: string): void {
  if (!existsSync(src)) return;
  mkdirSync(dst, { recursive: true });
  execFileSync('cp', ['-a', `${src}/.`, `${dst}/`]);
}

/** Reads every file under dir once, so the timed runs that follow all start with the same warm page cache. */
export function warmPageCache(dir: string): number {
  let bytes = 0;
  for (const f of filesUnder(dir)) bytes += readFileSync(f).length;
  return bytes;
}

export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

export const sizeOf = (files: string[]) => files.reduce((n, f) => n + statSync(f).size, 0);

/** A hash of the compiled pipeline (dist/src, dist/jobs) less the files `except`: a processed base is only reused by the same code. */
export function pipelineCodeHash(except: readonly string[] = []): string {
  const root = packageRoot();
  const h = createHash('sha256');
  for (const sub of ['dist/src', 'dist/jobs']) {
    for (const f of filesUnder(join(root, sub))) {
      if (!f.endsWith('.js') || except.includes(relative(root, f))) continue;
      h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
    }
  }
  return h.digest('hex').slice(0, 12);
}
