// `generate` as a library call (the CLI, the demo and the benchmarks use it):
// a synthetic catalog and purchase logs, byte-identical for the same options.
// The logs are written through the ordinary purchase log writer, under one
// fixed writer id (`generate-s<seed>`), so file names repeat too; that is
// only safe in logs nobody else has written, hence the refusal below.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Catalog } from '../catalog/catalog.js';
import { usageError } from '../errors.js';
import { catalogPaths } from '../layout.js';
import { openPurchaseLog } from '../log/purchase-log.js';
import { isoOfMs } from '../time.js';
import { generateCatalog } from './catalog-gen.js';
import { generatePurchases } from './purchase-gen.js';

export interface GenerateOptions {
  readonly dataDir: string;
  readonly products: number;
  readonly categories: number;
  readonly purchases: number;
  /** Purchases fall in the `hours` whole UTC hours before the hour of nowMs. */
  readonly hours: number;
  readonly nowMs: number;
  readonly seed: number;
  readonly refundRate?: number;
  readonly duplicateRate?: number;
  readonly eventIds?: boolean;
}

export const GENERATE_DEFAULTS = { products: 5_000, categories: 60, purchases: 100_000, hours: 168, seed: 1 } as const;

export type GeneratePhase = 'catalog' | 'purchases';
export type GenerateProgress = (phase: GeneratePhase, done: number, total: number) => void;

export interface GenerateSummary {
  readonly dataDir: string;
  readonly seed: number;
  readonly products: number;
  readonly categories: number;
  readonly purchases: number;
  readonly refunds: number;
  readonly duplicates: number;
  /** Lines appended to logs/global (each also went to its categories' logs). */
  readonly lines: number;
  readonly window: { readonly start: string; readonly end: string };
  readonly logFileName: string;
  readonly logFiles: number;
  readonly catalogFiles: readonly string[];
}

export interface GenerateResult {
  readonly summary: GenerateSummary;
  /** The catalog just written, in memory (product names are only in products.csv). */
  readonly catalog: Catalog;
}

export const generatorWriterId = (seed: number) => `generate-s${seed}`;

export async function generate(options: GenerateOptions, progress?: GenerateProgress): Promise<GenerateResult> {
  checkOptions(options);
  refuseUsedLogs(options.dataDir);
  const { dataDir, seed } = options;
  const generated = generateCatalog(dataDir, options, (done) => progress?.('catalog', done, options.products));
  const log = openPurchaseLog({ dataDir, catalog: generated.catalog, writerId: generatorWriterId(seed) });
  let counts: ReturnType<typeof generatePurchases>;
  try {
    counts = generatePurchases(
      generated.productIds,
      {
        purchases: options.purchases,
        hours: options.hours,
        nowMs: options.nowMs,
        seed,
        refundRate: options.refundRate ?? 0,
        duplicateRate: options.duplicateRate ?? 0,
        eventIds: options.eventIds ?? false,
      },
      (productId, timestamp, quantity, eventId) => {
        const r = log.append({ productId, timestamp, quantity, eventId });
        // The generator only makes valid lines: a rejection is a bug here.
        if (!r.ok) throw new Error(`generate made an invalid line (${r.reason}): ${productId},${timestamp},${quantity},${eventId ?? ''}`);
      },
      (done) => progress?.('purchases', done, options.purchases),
    );
  } finally {
    await log.close();
  }
  const paths = catalogPaths(dataDir);
  return {
    catalog: generated.catalog,
    summary: {
      dataDir,
      seed,
      products: options.products,
      categories: options.categories,
      purchases: counts.purchases,
      refunds: counts.refunds,
      duplicates: counts.duplicates,
      lines: counts.lines,
      window: { start: isoOfMs(counts.startMs), end: isoOfMs(counts.endMs) },
      logFileName: log.fileName,
      logFiles: log.stats().files,
      catalogFiles: [paths.categories, paths.products],
    },
  };
}

function checkOptions(o: GenerateOptions): void {
  const whole = (value: number, flag: string, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) throw usageError(`${flag} ${value} is not a whole number from ${min} to ${max}`);
  };
  whole(o.products, '--products', 1, 100_000_000);
  whole(o.categories, '--categories', 1, 1_000_000);
  whole(o.purchases, '--purchases', 0, 1_000_000_000);
  whole(o.hours, '--hours', 1, 24 * 366);
  whole(o.seed, '--seed', 0, 0xffff_ffff);
  for (const [rate, flag] of [[o.refundRate, '--refund-rate'], [o.duplicateRate, '--duplicate-rate']] as const) {
    if (rate !== undefined && !(rate >= 0 && rate <= 1)) throw usageError(`${flag} ${rate} is not a share from 0 to 1`, { hint: `for example ${flag} 0.02` });
  }
}

/** generate appends under a fixed writer id: into logs that already hold files it could mix with them. */
function refuseUsedLogs(dataDir: string): void {
  const logs = join(dataDir, 'logs');
  const first = existsSync(logs) ? firstFile(logs) : undefined;
  if (first !== undefined) {
    throw usageError(`already has files (${first}); generate writes a fresh data set`, {
      path: logs,
      hint: 'give an empty or new --data directory, or remove its logs/ first',
    });
  }
}

function firstFile(dir: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (!entry.isDirectory()) return path;
    const inner = firstFile(path);
    if (inner !== undefined) return inner;
  }
  return undefined;
}
