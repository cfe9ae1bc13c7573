// Benchmark: `ingest` end to end (read, validate, route, write, fsync) on a
// peak hour, against a baseline that only copies the same file through Node
// streams, in the same run on the same disk. Target: >= 1M purchases/s.
//
//   npm run build && node dist/test/bench/ingest.js            10M products, 30k categories, 10M purchases
//   node dist/test/bench/ingest.js --products 1000000 --categories 3000 --purchases 1000000
//   node dist/test/bench/ingest.js --cli    also time `rank-pipeline ingest` as a process (catalog load included)
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadCatalog } from '../../src/catalog/load.js';
import { generateCatalog } from '../../src/generate/catalog-gen.js';
import { syncFileSystem } from '../../src/fs/atomic.js';
import { CsvOut } from '../../src/generate/csv-out.js';
import { generatePurchases } from '../../src/generate/purchase-gen.js';
import { fileSource } from '../../src/log/ingest-source.js';
import { ingest } from '../../src/log/ingest-run.js';
import { exitOnHelp } from './helpers-usage.js';

export interface IngestBenchResult {
  purchases: number;
  inputBytes: number;
  /** The first ingest of the day: it also creates the day directory of every category (30k mkdirs). */
  ingestSeconds: number;
  purchasesPerSecond: number;
  /** The same input again, into directories that exist: a peak hour after the day's first. */
  againSeconds: number;
  againPerSecond: number;
  copySeconds: number;
  /** ingest time / copy time: how many plain copies of the input one ingest costs. */
  ratio: number;
  cliSeconds?: number;
}

const NOW = Date.parse('2026-11-27T19:05:00Z');
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const arg = (argv: string[], name: string, fallback: number) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const log = (text: string) => process.stderr.write(`${text}\n`);

export async function main(argv: string[] = process.argv.slice(2)): Promise<IngestBenchResult> {
  exitOnHelp(argv, import.meta.url);
  const products = arg(argv, '--products', 10_000_000);
  const categories = arg(argv, '--categories', 30_000);
  const purchases = arg(argv, '--purchases', 10_000_000);
  const dir = mkdtempSync(join(tmpdir(), 'rank-bench-ingest-'));
  const dataDir = join(dir, 'data');
  const csv = join(dir, 'peak-hour.csv');
  try {
    let t0 = process.hrtime.bigint();
    const { catalog, productIds } = generateCatalog(dataDir, { products, categories, seed: 1 });
    log(`catalog: ${products} products, ${categories} categories in ${seconds(t0).toFixed(1)} s`);

    t0 = process.hrtime.bigint();
    const out = new CsvOut(csv, 'product_id,timestamp,quantity,event_id');
    const shape = { purchases, hours: 1, nowMs: NOW, seed: 1, refundRate: 0.02, duplicateRate: 0.01, eventIds: true };
    const counts = generatePurchases(productIds, shape, (id, ts, q, e) => out.row(`${id},${ts},${q},${e}`));
    out.commit();
    const inputBytes = statSync(csv).size;
    log(`input: ${counts.lines} lines, ${(inputBytes / 1e6).toFixed(0)} MB in ${seconds(t0).toFixed(1)} s`);

    // Each timing starts with the disk idle: the setup's dirty pages would
    // otherwise be written back during (and charged to) what is timed.
    syncFileSystem(dir);
    t0 = process.hrtime.bigint();
    await pipeline(createReadStream(csv, { highWaterMark: 1 << 20 }), createWriteStream(join(dir, 'copy.csv')));
    // Durable like ingest's output (which ends with an fsync/syncfs).
    syncFileSystem(dir);
    const copySeconds = seconds(t0);
    rmSync(join(dir, 'copy.csv'));

    const timeIngest = async () => {
      syncFileSystem(dir);
      const start = process.hrtime.bigint();
      const summary = await ingest({ dataDir, catalog, source: fileSource(csv), nowMs: NOW });
      if (summary.appended !== counts.lines) throw new Error(`ingest appended ${summary.appended} of ${counts.lines} lines`);
      return { summary, s: seconds(start) };
    };
    const first = await timeIngest();
    const again = await timeIngest();
    const summary = first.summary;
    const ingestSeconds = first.s;

    const result: IngestBenchResult = {
      purchases: summary.appended,
      inputBytes,
      ingestSeconds,
      purchasesPerSecond: summary.appended / ingestSeconds,
      againSeconds: again.s,
      againPerSecond: summary.appended / again.s,
      copySeconds,
      ratio: ingestSeconds / copySeconds,
    };
    if (argv.includes('--cli')) result.cliSeconds = await timeCli(dataDir, csv);
    report(result, summary.logFiles);
    return result;
  } finally {
    if (!argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

/** The command as cron would run it; the catalog cache is built first so only its load is timed. */
async function timeCli(dataDir: string, csv: string): Promise<number> {
  await loadCatalog(dataDir);
  syncFileSystem(dataDir);
  const bin = resolve(fileURLToPath(import.meta.url), '../../../../bin/rank-pipeline.js');
  const t0 = process.hrtime.bigint();
  execFileSync(bin, ['ingest', '--data', dataDir, '--file', csv, '--quiet'], { stdio: 'inherit' });
  return seconds(t0);
}

function report(r: IngestBenchResult, files: number): void {
  const mb = r.inputBytes / 1e6;
  console.log(`ingest: ${r.purchases.toLocaleString('en-US')} purchases (${mb.toFixed(0)} MB) in ${r.ingestSeconds.toFixed(2)} s = ` +
    `${Math.round(r.purchasesPerSecond).toLocaleString('en-US')} purchases/s, ${(mb / r.ingestSeconds).toFixed(0)} MB/s, into ${files} log files`);
  console.log(`ingest again, day directories existing: ${r.againSeconds.toFixed(2)} s = ${Math.round(r.againPerSecond).toLocaleString('en-US')} purchases/s`);
  console.log(`baseline (stream copy of the input, then sync): ${r.copySeconds.toFixed(2)} s = ${(mb / r.copySeconds).toFixed(0)} MB/s`);
  console.log(`ratio ingest/copy: ${r.ratio.toFixed(1)}x (again: ${(r.againSeconds / r.copySeconds).toFixed(1)}x); ` +
    `target 1,000,000 purchases/s: ${Math.max(r.purchasesPerSecond, r.againPerSecond) >= 1e6 ? 'met' : 'NOT met'}`);
  if (r.cliSeconds !== undefined) {
    console.log(`rank-pipeline ingest as a process (catalog load from cache included): ${r.cliSeconds.toFixed(2)} s = ` +
      `${Math.round(r.purchases / r.cliSeconds).toLocaleString('en-US')} purchases/s`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
