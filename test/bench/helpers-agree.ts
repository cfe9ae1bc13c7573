// Bench helper: do our published lists say what DuckDB says? Reads the
// release the way the storefront does (OUT/latest.json → releases/ID/…, the
// contract's files, not the pipeline's internals) and compares item by item:
// same products, same sales, same order (sales desc, productId asc), ranks 1..n.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Item } from './duckdb-baseline.js';

export interface Release {
  dir: string;
  manifest: { categories: Array<{ slug: string; path: string; productsRanked: number }> };
  overall: Item[];
  category(slug: string): Item[];
}

interface TopListFile {
  items: Array<{ rank: number; productId: number; sales: number }>;
}

function itemsOf(path: string): Item[] {
  const doc = JSON.parse(readFileSync(path, 'utf8')) as TopListFile;
  doc.items.forEach((it, i) => {
    if (it.rank !== i + 1) throw new Error(`${path}: item ${i} has rank ${it.rank}`);
  });
  return doc.items.map((it) => ({ productId: it.productId, sales: it.sales }));
}

export function readRelease(outDir: string): Release {
  const latest = JSON.parse(readFileSync(join(outDir, 'latest.json'), 'utf8')) as { base: string };
  const dir = join(outDir, latest.base);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Release['manifest'];
  const paths = new Map(manifest.categories.map((c) => [c.slug, c.path]));
  return {
    dir,
    manifest,
    overall: itemsOf(join(dir, 'overall.json')),
    category(slug) {
      const p = paths.get(slug);
      return p === undefined ? [] : itemsOf(join(dir, p));
    },
  };
}

/**
 * Which categories to compare: the 20 that rank the most products, the 20
 * that rank the fewest (but some), `uncategorized`, and evenly spaced ones in
 * between, n in all; every one with '*'.
 */
export function sampleCategories(r: Release, n: number): string[] {
  const ranked = r.manifest.categories.filter((c) => c.productsRanked > 0).sort((a, b) => b.productsRanked - a.productsRanked || (a.slug < b.slug ? -1 : 1));
  if (ranked.length <= n) return ranked.map((c) => c.slug).sort();
  const pick = new Set<string>(['uncategorized']);
  for (const c of ranked.slice(0, 20)) pick.add(c.slug);
  for (const c of ranked.slice(-20)) pick.add(c.slug);
  const step = ranked.length / Math.max(1, n - pick.size);
  for (let i = 0; pick.size < n && i < ranked.length; i += step) pick.add(ranked[Math.floor(i)].slug);
  return [...pick].sort();
}

export interface Agreement {
  agree: boolean;
  listsCompared: number;
  itemsCompared: number;
  differences: string[];
}

export function compareLists(label: string, ours: Item[], theirs: Item[], out: Agreement): void {
  out.listsCompared++;
  out.itemsCompared += Math.max(ours.length, theirs.length);
  if (ours.length !== theirs.length) {
    out.agree = false;
    out.differences.push(`${label}: ${ours.length} items, DuckDB ${theirs.length}`);
    return;
  }
  for (let i = 0; i < ours.length; i++) {
    if (ours[i].productId !== theirs[i].productId || ours[i].sales !== theirs[i].sales) {
      out.agree = false;
      out.differences.push(`${label}: rank ${i + 1} is ${ours[i].productId}×${ours[i].sales}, DuckDB ${theirs[i].productId}×${theirs[i].sales}`);
      return;
    }
  }
}

export function compareRelease(r: Release, overall: Item[], categories: Record<string, Item[]>, sample: string[]): Agreement {
  const out: Agreement = { agree: true, listsCompared: 0, itemsCompared: 0, differences: [] };
  compareLists('overall', r.overall, overall, out);
  for (const slug of sample) compareLists(`category ${slug}`, r.category(slug), categories[slug] ?? [], out);
  return out;
}
