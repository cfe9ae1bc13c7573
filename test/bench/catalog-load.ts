// Benchmark of loadCatalog at production size: writes a deterministic catalog
// of 10M products in 30k categories (1% of the names quoted, as real names
// with commas are) into a temp dir, then measures the cold load (CSV parse +
// cache write) and the warm load (from the cache), each in a fresh process so
// that RSS is the catalog's and not the previous step's garbage. --catalog
// loads an existing catalog directory instead (e.g. the full-scale bench's,
// whose names are 13% quoted), hard-linked into the temp dir so that its
// cache is written there and not beside the original.
//
//   node dist/test/bench/catalog-load.js [--products N] [--categories C] [--catalog DIR] [--keep]
import { spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../../src/catalog/load.js';
import { exitOnHelp } from './helpers-usage.js';

const flag = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

/** A tiny LCG: the same catalog on every machine and every run. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** Hard-links (or, across file systems, copies) the catalog CSVs of `from` into dir/catalog. */
function linkCatalog(dir: string, from: string): void {
  mkdirSync(join(dir, 'catalog'), { recursive: true });
  for (const file of ['categories.csv', 'products.csv']) {
    try {
      linkSync(join(from, file), join(dir, 'catalog', file));
    } catch {
      copyFileSync(join(from, file), join(dir, 'catalog', file));
    }
  }
}

/** Writes the CSVs in ~1 MB strings: a row at a time through a stream would take longer than the parse. */
function writeCatalog(dir: string, products: number, categories: number): void {
  mkdirSync(join(dir, 'catalog'), { recursive: true });
  const slug = (i: number) => `c-${String(i).padStart(5, '0')}`;
  const write = (file: string, rows: (emit: (s: string) => void) => void) => {
    const fd = openSync(join(dir, 'catalog', file), 'w');
    let buf = '';
    rows((s) => {
      buf += s;
      if (buf.length > 1 << 20) (writeSync(fd, buf), (buf = ''));
    });
    writeSync(fd, buf);
    closeSync(fd);
  };
  write('categories.csv', (emit) => {
    emit('slug,name\n');
    for (let i = 0; i < categories; i++) emit(`${slug(i)},Category ${i}\n`);
  });
  const next = lcg(42);
  write('products.csv', (emit) => {
    emit('product_id,categories,name\n');
    for (let i = 0; i < products; i++) {
      const id = 1 + i * 3 + (next() % 3);
      const r = next();
      // 0.5% without a category, the rest in 1 to 3 neighbouring (so distinct) categories.
      const count = Math.min(r % 200 === 0 ? 0 : 1 + (r % 3), categories);
      const first = next() % categories;
      let cats = '';
      for (let k = 0; k < count; k++) cats += (k > 0 ? '|' : '') + slug((first + k) % categories);
      const name = i % 100 === 0 ? `"Product ${id}, size ""L"""` : `Product ${id}`;
      emit(`${id},${cats},${name}\n`);
    }
  });
}

interface Measurement {
  seconds: number;
  cpuSeconds: number;
  /** Highest RSS of the process, i.e. during the load; `rss` is after it, once garbage is collected. */
  peakRss: number;
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
  products: number;
  categories: number;
}

/** Child mode: one load, then one line of JSON with its time and memory. */
async function measureLoad(dir: string): Promise<void> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const catalog = await loadCatalog(dir, { onCacheWriteError: (err) => console.error(err) });
  const seconds = (performance.now() - t0) / 1000;
  // CPU time as well as wall time: on a shared machine the wall clock also counts other people's work.
  const cpu = process.cpuUsage(cpu0);
  // ArrayBuffers die only after a second collection on a later tick.
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
  globalThis.gc?.();
  const m = process.memoryUsage();
  const result: Measurement = {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    peakRss: process.resourceUsage().maxRSS * 1024,
    rss: m.rss,
    heapUsed: m.heapUsed,
    arrayBuffers: m.arrayBuffers,
    products: catalog.productIds.length,
    categories: catalog.categories.length,
  };
  console.log(JSON.stringify(result));
}

function runChild(dir: string): Measurement {
  const res = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', dir], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (res.status !== 0) throw new Error(`child failed (${res.status}): ${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as Measurement;
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;

export async function main(): Promise<void> {
  exitOnHelp(process.argv.slice(2), import.meta.url);
  const products = flag('products', 10_000_000);
  const categories = flag('categories', 30_000);
  const dir = mkdtempSync(join(tmpdir(), 'catalog-bench-'));
  try {
    const t = performance.now();
    const from = process.argv.indexOf('--catalog');
    if (from > 0) linkCatalog(dir, process.argv[from + 1]!);
    else writeCatalog(dir, products, categories);
    const csvBytes = statSync(join(dir, 'catalog', 'products.csv')).size;
    console.log(`catalog-load ${from > 0 ? 'link-csv ' : 'write-csv'}     ${((performance.now() - t) / 1000).toFixed(1)} s  products.csv ${mb(csvBytes)}`);
    for (const phase of ['cold', 'warm'] as const) {
      const r = runChild(dir);
      const cache = statSync(join(dir, 'state', 'catalog.bin')).size;
      console.log(
        `catalog-load ${phase.padEnd(14)} ${r.seconds.toFixed(2)} s (cpu ${r.cpuSeconds.toFixed(2)} s)  ` +
          `rss ${mb(r.rss)} (peak ${mb(r.peakRss)})  heapUsed ${mb(r.heapUsed)}  arrayBuffers ${mb(r.arrayBuffers)}  ` +
          `${r.products} products  ${r.categories} categories  cache ${mb(cache)}`,
      );
    }
  } finally {
    if (process.argv.includes('--keep')) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const child = process.argv.indexOf('--child');
  await (child > 0 ? measureLoad(process.argv[child + 1]!) : main());
}
