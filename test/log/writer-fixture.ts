// Shared by the writer tests: a small catalog, temp data directories, and a
// reader that collects every log line under a data directory by file.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { CatalogBuilder } from '../../src/catalog/build.js';
import type { Catalog } from '../../src/catalog/catalog.js';

/**
 * toys, books, garden (+ uncategorized). Product 1: toys; 2: toys and books;
 * 3: no category; 4: garden; product 99 is not in the catalog.
 */
export function smallCatalog(): Catalog {
  const b = new CatalogBuilder([
    { slug: 'toys', name: 'Toys' },
    { slug: 'books', name: 'Books, Comics' },
    { slug: 'garden', name: 'Garden' },
  ]);
  const ix = (slug: string) => b.categoryIndex(slug);
  b.addProduct(1, [ix('toys')], 'Trail shoe');
  b.addProduct(2, [ix('toys'), ix('books')]);
  b.addProduct(3, []);
  b.addProduct(4, [ix('garden')]);
  return b.build();
}

/** A catalog of `n` categories `c0..c{n-1}` and product i in category i % n. */
export function wideCatalog(categories: number, products: number): Catalog {
  const b = new CatalogBuilder(Array.from({ length: categories }, (_, i) => ({ slug: `c${i}`, name: `C ${i}` })));
  for (let id = 1; id <= products; id++) b.addProduct(id, [b.categoryIndex(`c${id % categories}`)]);
  return b.build();
}

const made: string[] = [];

export function tempDataDir(prefix = 'rank-log-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Every file under `root` (relative path → contents), for files under logs/. */
export function readLogs(dataDir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dataDir, path), readFileSync(path, 'latin1'));
    }
  };
  try {
    walk(join(dataDir, 'logs'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return out;
}

/** The lines of every log file whose path starts with `prefix` (e.g. `logs/global/2026-11-27/18`). */
export function linesUnder(logs: Map<string, string>, prefix: string): string[] {
  const lines: string[] = [];
  for (const [path, text] of logs) if (path.startsWith(prefix)) lines.push(...text.split('\n').filter(Boolean));
  return lines;
}
