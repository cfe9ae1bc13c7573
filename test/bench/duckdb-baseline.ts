// The baseline of the hourly benchmark: DuckDB (2 threads) computing the same
// top lists from the same log files, measured in the same run.
//
//  - topOverall: the map-throughput query, read_csv with explicit columns over
//    one hour's global log files, GROUP BY product, ORDER BY sales DESC,
//    product LIMIT 100.
//  - lists (child mode, a process of its own like `rank-pipeline run`): load
//    the catalog's product → categories column (timed on its own), aggregate
//    the global log files of the window per product, take the overall top 100
//    and every category's top 100 (the join with the catalog, `uncategorized`
//    for products with no category or none in the catalog), into DuckDB tables.
//    The results of the categories asked for are written out after the clock stops.
//
//   node dist/test/bench/duckdb-baseline.js --child spec.json
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export interface Item {
  productId: number;
  sales: number;
}

export interface ListsSpec {
  /** Global log files of the window (one hour's directory per hour; lines are filed by their own hour). */
  globalFiles: string[];
  productsCsv: string;
  /** Category slugs whose lists to write to resultFile, or '*' for all. */
  sample: string[] | '*';
  resultFile: string;
  threads: number;
}

export interface ListsTimings {
  /** Creating the in-memory database. */
  open: number;
  /** products.csv → table (product_id, categories). */
  catalog: number;
  /** Global logs → per-product sales. */
  aggregate: number;
  overall: number;
  /** Every category's top 100 (join with the catalog, window function). */
  categories: number;
  /** All of the above. */
  total: number;
}

export interface ListsResult {
  timings: ListsTimings;
  overall: Item[];
  categories: Record<string, Item[]>;
  categoriesWithSales: number;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Seconds since the last call (the first call: since this was made), for a baseline's step timings. */
function lapTimer(): () => number {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const s = (now - last) / 1000;
    last = now;
    return s;
  };
}

/** products.csv's ids and categories as the table `catalog`, read as the contract defines the CSV. */
async function createCatalogTable(conn: DuckDBConnection, productsCsv: string): Promise<void> {
  await conn.run(
    `CREATE TABLE catalog AS SELECT product_id, categories FROM read_csv(${sqlString(productsCsv)}, header=true, ` +
      `columns={'product_id': 'UBIGINT', 'categories': 'VARCHAR', 'name': 'VARCHAR'}, delim=',', quote='"', escape='"', auto_detect=false)`,
  );
}
const sqlList = (xs: string[]) => `[${xs.map(sqlString).join(', ')}]`;

/** The log lines of CONTRACT.md §2 as DuckDB reads them: explicit columns, no sniffing, no quoting. */
export const readLogsSql = (files: string[]) =>
  `read_csv(${sqlList(files)}, columns={'product': 'UBIGINT', 'ts': 'VARCHAR', 'quantity': 'INTEGER'}, ` +
  `header=false, delim=',', quote='', escape='', auto_detect=false)`;

export async function openDuck(threads: number): Promise<{ instance: DuckDBInstance; conn: DuckDBConnection }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  return { instance, conn: await instance.connect() };
}

/**
 * What every baseline starts with, timed step by step: DuckDB opened, the
 * catalog table, and the table `sales` of the products whose net units in
 * the global log files are above 0.
 */
export async function openSales(spec: { threads: number; productsCsv: string; globalFiles: string[] }) {
  const t = performance.now();
  const lap = lapTimer();
  const { instance, conn } = await openDuck(spec.threads);
  const open = lap();
  await createCatalogTable(conn, spec.productsCsv);
  const catalog = lap();
  await conn.run(`CREATE TABLE sales AS SELECT product, sum(quantity)::BIGINT AS sales FROM ${readLogsSql(spec.globalFiles)} GROUP BY product HAVING sum(quantity) > 0`);
  const aggregate = lap();
  return { instance, conn, lap, started: t, timings: { open, catalog, aggregate } };
}

/**
 * Each product of `sales` once for every category of its catalog line, as
 * (product, sales, slug): a product the catalog lacks, or lists without a
 * category, is in `uncategorized` (CONTRACT.md §2).
 */
export const CATEGORY_PAIRS_SQL = `
  SELECT s.product, s.sales,
         unnest(CASE WHEN c.categories IS NULL OR c.categories = '' THEN ['uncategorized'] ELSE string_split(c.categories, '|') END) AS slug
  FROM sales s LEFT JOIN catalog c ON c.product_id = s.product`;

const toItems = (rows: unknown[][]): Item[] => rows.map((r) => ({ productId: Number(r[0] as bigint), sales: Number(r[1] as bigint) }));

/** The map-throughput query: one hour's global log → overall top 100. */
export async function topOverall(conn: DuckDBConnection, files: string[]): Promise<Item[]> {
  const r = await conn.runAndReadAll(
    `SELECT product::BIGINT, sum(quantity)::BIGINT AS sales FROM ${readLogsSql(files)} GROUP BY product ` +
      `HAVING sum(quantity) > 0 ORDER BY sales DESC, product LIMIT 100`,
  );
  return toItems(r.getRows());
}

export async function lists(spec: ListsSpec): Promise<ListsResult> {
  const { instance, conn, lap, started, timings } = await openSales(spec);
  const overall = toItems((await conn.runAndReadAll('SELECT product::BIGINT, sales FROM sales ORDER BY sales DESC, product LIMIT 100')).getRows());
  const overallS = lap();
  await conn.run(`
    CREATE TABLE category_top AS
    WITH pairs AS (${CATEGORY_PAIRS_SQL})
    SELECT slug, product, sales FROM pairs
    QUALIFY row_number() OVER (PARTITION BY slug ORDER BY sales DESC, product) <= 100`);
  const categoriesS = lap();
  const total = (performance.now() - started) / 1000;

  const where = spec.sample === '*' ? '' : `WHERE slug IN (SELECT unnest(${sqlList(spec.sample.length ? spec.sample : ['-none-'])}))`;
  const rows = (await conn.runAndReadAll(`SELECT slug, product::BIGINT, sales FROM category_top ${where} ORDER BY slug, sales DESC, product`)).getRows();
  const categories: Record<string, Item[]> = {};
  for (const r of rows) (categories[r[0] as string] ??= []).push({ productId: Number(r[1] as bigint), sales: Number(r[2] as bigint) });
  const withSales = Number((await conn.runAndReadAll('SELECT count(DISTINCT slug) FROM category_top')).getRows()[0][0] as bigint);
  conn.closeSync();
  instance.closeSync();
  return { timings: { ...timings, overall: overallS, categories: categoriesS, total }, overall, categories, categoriesWithSales: withSales };
}

/** Child mode: the lists of a spec file, results to spec.resultFile, timings on stdout. */
async function child(specFile: string): Promise<void> {
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as ListsSpec;
  const r = await lists(spec);
  writeFileSync(spec.resultFile, JSON.stringify(r));
  console.log(JSON.stringify(r.timings));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--child');
  if (i < 0) {
    console.error('usage: node dist/test/bench/duckdb-baseline.js --child spec.json (run-all and hourly.js call it)');
    process.exit(64);
  }
  await child(process.argv[i + 1]);
}
