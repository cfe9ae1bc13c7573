// What a reader of OUT sees: latest.json, the release it names, and checks
// that the release is whole (manifest and every file it lists exist and
// parse). Lists are compared as bytes: "identical" means byte-identical.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { HOUR, type Purchase, oracleSales, oracleTop } from '../../pipeline/helpers/purchases.js';

export const outOf = (data: string) => join(data, 'public');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

export interface Latest {
  schemaVersion: number;
  release: string;
  base: string;
  generatedAt: string;
}

export function latestOf(data: string): Latest | undefined {
  const path = join(outOf(data), 'latest.json');
  return existsSync(path) ? (readJson(path) as Latest) : undefined;
}

/**
 * Asserts latest.json names a whole release: its manifest and every list the
 * manifest names exist and parse, with the release's window. Returns the
 * release's list files, path → bytes.
 */
/** The manifest fields these tests read; the rest is checked where a test needs it. */
export interface Manifest {
  release: string;
  window: { start: string; end: string };
  overall: { path: string };
  categories: Array<{ slug: string; path: string }>;
  /** Free-form JSON the tests match against. */
  consistency: any;
  [field: string]: unknown;
}

export function wholeRelease(data: string): { latest: Latest; manifest: Manifest; lists: Map<string, string> } {
  const latest = latestOf(data);
  expect(latest, 'latest.json exists').toBeDefined();
  const base = join(outOf(data), latest!.base);
  const manifest = readJson(join(base, 'manifest.json')) as Manifest;
  expect(manifest.release).toBe(latest!.release);
  const lists = new Map<string, string>();
  for (const rel of [manifest.overall.path, ...manifest.categories.map((c) => c.path)]) {
    const body = readFileSync(join(base, rel), 'utf8');
    const doc = JSON.parse(body);
    expect(doc.window).toEqual(manifest.window);
    lists.set(rel, body);
  }
  // Nothing in the release directory that the manifest does not name.
  expect(new Set(filesUnder(base))).toEqual(new Set(['manifest.json', ...lists.keys()]));
  return { latest: latest!, manifest, lists };
}

/** Every file under dir, as paths relative to it. */
export function filesUnder(dir: string, root = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, root));
    else out.push(relative(root, p));
  }
  return out;
}

/** The published list files, path → bytes (throws if no whole release is published). */
export const listsOf = (data: string) => Object.fromEntries(wholeRelease(data).lists);

type Item = { rank: number; productId: number; sales: number };
const strip = (items: Item[]) => items.map(({ rank, productId, sales }) => ({ rank, productId, sales }));

/** One list of the release latest.json names (a daily release too, ranks/ and all), without names. */
export function publishedItems(data: string, scope: string): Item[] {
  const latest = latestOf(data);
  expect(latest, 'latest.json exists').toBeDefined();
  return strip(readJson(join(outOf(data), latest!.base, scope)).items);
}

/** Asserts every published list equals the naive oracle over the ledger for the window ending at `end`. */
export function expectOracle(data: string, ledger: readonly Purchase[], end: number, slugs: readonly string[]): void {
  const start = end - 168 * HOUR;
  const { manifest, lists } = wholeRelease(data);
  expect(manifest.window).toEqual({ start: new Date(start).toISOString(), end: new Date(end).toISOString() });
  expect(strip(JSON.parse(lists.get('overall.json')!).items), 'overall').toEqual(oracleTop(oracleSales(ledger, start, end)));
  for (const slug of slugs) {
    const body = lists.get(`categories/${slug}.json`);
    expect(body, `categories/${slug}.json`).toBeDefined();
    expect(strip(JSON.parse(body!).items), slug).toEqual(oracleTop(oracleSales(ledger, start, end, slug)));
  }
}

/** Sales of one product in the published overall list (0 when absent). */
export function overallSales(data: string, productId: number): number {
  const items = JSON.parse(wholeRelease(data).lists.get('overall.json')!).items as Item[];
  return items.find((i) => i.productId === productId)?.sales ?? 0;
}

/** Every row of every quarantine CSV under DATA/quarantine/ (header dropped), as raw text lines. */
export function quarantineRows(data: string): Array<{ file: string; row: string }> {
  const dir = join(data, 'quarantine');
  if (!existsSync(dir)) return [];
  const rows: Array<{ file: string; row: string }> = [];
  for (const name of readdirSync(dir).sort()) {
    const lines = readFileSync(join(dir, name), 'utf8').split('\n').slice(1);
    for (const row of lines) if (row !== '') rows.push({ file: name, row });
  }
  return rows;
}
