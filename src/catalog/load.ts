// loadCatalog: the catalog of a data directory (CONTRACT §2), from the binary
// cache when both CSVs are unchanged since it was written, else parsed from
// the CSVs and cached for the next run. Every problem with the CSVs is a
// PipelineError with exit 64 naming the file, the line and the fix.
import type { Catalog, CatalogView, CheckedCache } from './catalog.js';
import { CatalogBuilder, DuplicateProductIdError } from './build.js';
import { type CacheKey, KEYED_HEADER, decodeCatalogCache, encodeCatalogCache, headerMismatch, openCatalogCache } from './cache.js';
import type { CacheFileCatalog } from './cache-file.js';
import { type CatalogFs, type FileStamp, nodeCatalogFs } from './catalog-fs.js';
import { CATEGORIES_HEADER, CategoriesSink } from './categories-csv.js';
import type { ColumnarCatalog } from './columnar.js';
import { readCsvRows, isBlankRow } from './csv-rows.js';
import { PRODUCTS_HEADER, ProductsSink } from './products-csv.js';
import { asIoError, usageError } from '../errors.js';
import { catalogPaths } from '../layout.js';

export interface LoadCatalogOptions {
  /** The file system; memfs in tests. */
  readonly fs?: CatalogFs;
  /**
   * Told when the cache could not be written (read-only or full disk). The
   * catalog is still returned: the cache only saves the next run some time.
   */
  readonly onCacheWriteError?: (err: unknown) => void;
  /**
   * When to begin checking a cache that carries both CSVs' stamps: a run's
   * main thread hands the map's tasks to the workers first (the check is
   * ~0.2 s of its CPU at 10M products). CSVs to parse begin at once.
   */
  readonly checkAfter?: Promise<void>;
  /**
   * The note of a cache file an earlier open found sound (CatalogView's
   * `checked`, kept by a run in its state): the same file is not checked
   * again (startOpeningCatalog; cache.ts, openCatalogCache).
   */
  readonly checked?: CheckedCache;
}

export async function loadCatalog(dataDir: string, options: LoadCatalogOptions = {}): Promise<Catalog> {
  const load = await startLoadingCatalog(dataDir, options);
  try {
    return await load.catalog;
  } finally {
    await load.cached;
  }
}

/** A catalog on its way: see startLoadingCatalog. */
export interface CatalogLoad<C = Catalog> {
  /** The catalog; rejects with the CSVs' error. */
  catalog: Promise<C>;
  /**
   * Settles once a cache rebuilt from the CSVs is written (a failure goes
   * to onCacheWriteError), after `catalog`; never rejects.
   */
  cached: Promise<void>;
}

/**
 * loadCatalog for a caller with other work to do meanwhile (a run maps the
 * logs). A missing CSV fails at once; the rest happens in the background,
 * and `catalog` settles later: the cache read and decoded when it carries
 * both CSVs' stamps, else the CSVs parsed (their errors are its rejection).
 * A cache rebuilt from them is written from libuv's thread pool after
 * `catalog` resolves: 335 MB at 10M products, whose write took up to 1.5 s
 * of the main thread in line.
 */
export function startLoadingCatalog(dataDir: string, options: LoadCatalogOptions = {}): Promise<CatalogLoad> {
  return startLoading(dataDir, options, readCache);
}

/**
 * startLoadingCatalog for a run (a CatalogView): from a sound cache, the
 * categories read and the products left in the file, open, to be walked
 * (cache-file.ts) until the caller closes it; parsed from the CSVs, the
 * catalog in memory.
 */
export function startOpeningCatalog(dataDir: string, options: LoadCatalogOptions = {}): Promise<CatalogLoad<CatalogView>> {
  return startLoading<CatalogView>(dataDir, options, openCache);
}

type CacheReader<C extends CatalogView> = (fs: CatalogFs, path: string, key: CacheKey, note: CheckedCache | undefined) => Promise<C | undefined>;

async function startLoading<C extends CatalogView>(dataDir: string, options: LoadCatalogOptions, fromCache: CacheReader<C>): Promise<CatalogLoad<C | ColumnarCatalog>> {
  const fs = options.fs ?? nodeCatalogFs;
  const paths = catalogPaths(dataDir);
  // Stamped before reading, so a CSV edited during the parse leaves a cache
  // keyed on the old stamp, which the next run rejects.
  const key: CacheKey = {
    categories: await stampOf(fs, paths.categories, `the header line "${CATEGORIES_HEADER}" and a line per category`),
    products: await stampOf(fs, paths.products, `the header line "${PRODUCTS_HEADER}" and a line per product`),
  };
  if (await cacheMatches(fs, paths.cache, key)) {
    // A cache that fails its checks is rebuilt from the CSVs, which were fine when it was written.
    const load = (options.checkAfter ?? Promise.resolve()).then(() => fromCache(fs, paths.cache, key, options.checked)).then((cached): CatalogLoad<C | ColumnarCatalog> =>
      cached ? { catalog: Promise.resolve(cached), cached: Promise.resolve() } : parseAndCache(fs, dataDir, key, options),
    );
    return { catalog: load.then((l) => l.catalog), cached: load.then((l) => l.cached) };
  }
  return parseAndCache(fs, dataDir, key, options);
}

function parseAndCache(fs: CatalogFs, dataDir: string, key: CacheKey, options: LoadCatalogOptions): CatalogLoad<ColumnarCatalog> {
  const paths = catalogPaths(dataDir);
  const catalog = parseCatalog(fs, paths.categories, paths.products, key.products.size);
  const cached = catalog.then(
    async (parsed) => {
      try {
        await fs.writeFileAtomic(paths.cache, encodeCatalogCache(parsed, key));
      } catch (err) {
        options.onCacheWriteError?.(err);
      }
    },
    () => undefined,
  );
  return { catalog, cached };
}

async function stampOf(fs: CatalogFs, path: string, contents: string): Promise<FileStamp> {
  try {
    return await fs.stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw asIoError(err, path);
    throw usageError('catalog file not found', {
      path,
      hint: `create it with ${contents}, or run \`rank-pipeline generate\` to write a synthetic catalog`,
    });
  }
}

/** Whether the cache's header is for these CSVs (its checksum is checked when it is read whole). */
async function cacheMatches(fs: CatalogFs, path: string, key: CacheKey): Promise<boolean> {
  try {
    const file = await fs.openRead(path);
    try {
      const head = Buffer.alloc(KEYED_HEADER);
      let got = 0;
      while (got < head.length) {
        const n = await file.read(head, got, head.length - got);
        if (n === 0) break;
        got += n;
      }
      return headerMismatch(head.subarray(0, got), key) === undefined;
    } finally {
      await file.close();
    }
  } catch {
    return false; // no cache, or unreadable: parse the CSVs
  }
}

/** The cache file, checked (or known from its note) and left open, or undefined when there is none or it cannot be trusted. */
async function openCache(fs: CatalogFs, path: string, key: CacheKey, note: CheckedCache | undefined): Promise<CacheFileCatalog | undefined> {
  const file = await fs.openAt(path).catch(() => undefined);
  if (!file) return undefined;
  try {
    const opened = await openCatalogCache(file, key, { checked: note });
    if (typeof opened !== 'string') return opened;
  } catch {
    // unreadable: rebuilt from the CSVs
  }
  file.close();
  return undefined;
}

/** The cached catalog, or undefined when there is none or it cannot be trusted. */
async function readCache(fs: CatalogFs, path: string, key: CacheKey): Promise<ColumnarCatalog | undefined> {
  try {
    const decoded = await decodeCatalogCache(await fs.readFile(path), key);
    return typeof decoded === 'string' ? undefined : decoded;
  } catch {
    // Missing, unreadable or unparsable: all mean "rebuild from the CSVs".
    return undefined;
  }
}

async function parseCatalog(fs: CatalogFs, categoriesPath: string, productsPath: string, productsBytes: number): Promise<ColumnarCatalog> {
  const categories = new CategoriesSink(categoriesPath);
  await readCsvRows(fs, categoriesPath, categories);
  const builder = new CatalogBuilder(categories.finish());
  const products = new ProductsSink(productsPath, builder, productsBytes);
  await readCsvRows(fs, productsPath, products);
  products.finish();
  try {
    return builder.build();
  } catch (err) {
    if (!(err instanceof DuplicateProductIdError)) throw err;
    // Rare, so the lines are found by reading the file again rather than by
    // keeping a line number for each of 10M products.
    const lines: number[] = [];
    const id = String(err.productId);
    let header = true;
    await readCsvRows(fs, productsPath, {
      row(fields, line) {
        if (isBlankRow(fields)) return;
        if (!header && fields[0] === id) lines.push(line);
        header = false;
      },
    });
    throw usageError(`duplicate product id ${id}, already on line ${lines[0]}`, {
      path: productsPath,
      line: lines[1],
      hint: "a product has one line: merge them, joining all its categories with '|'",
    });
  }
}
