// The oracle test: published lists equal a naive count over the same lines,
// with refunds, retried eventIds, multi-category products, ties at rank 100,
// lines on the window's edges and lines not yet due; then again after late
// lines and a new hour (incremental), and after a rebuild from scratch.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli, stageNames } from './helpers/world.js';
import { HOUR, type Purchase, appendPurchases, makePurchases, oracleSales, oracleTop, writeCatalog } from './helpers/purchases.js';

const END = Date.UTC(2026, 10, 27, 19);
const SLUGS = ['books', 'garden', 'music', 'tools', 'toys'];
const inCatalog = (id: number) => id <= 400;
const catalogCats = (id: number) => (id % 7 === 0 ? [] : [SLUGS[id % 5], ...(id % 3 === 0 ? [SLUGS[(id + 1) % 5]] : [])]);
const logCats = (id: number) => {
  const c = inCatalog(id) ? catalogCats(id) : [];
  return c.length ? c : ['uncategorized'];
};

vi.setConfig({ testTimeout: 60_000 });

let data: string;
let all: Purchase[];

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
function published(out: string) {
  const latest = readJson(join(out, 'latest.json'));
  const base = join(out, latest.base);
  return { latest, manifest: readJson(join(base, 'manifest.json')), list: (rel: string) => readJson(join(base, rel)) };
}
const strip = (items: Array<{ rank: number; productId: number; sales: number }>) => items.map(({ rank, productId, sales }) => ({ rank, productId, sales }));

function expectMatchesOracle(out: string, end: number) {
  const start = end - 168 * HOUR;
  const p = published(out);
  expect(p.manifest.window).toEqual({ start: new Date(start).toISOString(), end: new Date(end).toISOString() });
  expect(strip(p.list('overall.json').items)).toEqual(oracleTop(oracleSales(all, start, end)));
  for (const slug of [...SLUGS, 'uncategorized']) {
    const doc = p.list(`categories/${slug}.json`);
    expect(doc.category.slug).toBe(slug);
    expect(strip(doc.items), slug).toEqual(oracleTop(oracleSales(all, start, end, slug)));
  }
  return p;
}

beforeAll(() => {
  data = mkdtempSync(join(tmpdir(), 'oracle-'));
  writeCatalog(data, SLUGS.map((s) => [s, s[0].toUpperCase() + s.slice(1)]), Array.from({ length: 400 }, (_, i) => [i + 1, catalogCats(i + 1), `Product ${i + 1}`] as [number, string[], string]));
  all = makePurchases({ seed: 7, count: 6000, fromMs: END - 172 * HOUR, toMs: END + 2 * HOUR, products: 420, categoriesOf: logCats });
  // Exactly on the edges: the first instant of the window counts, the first instant after it does not.
  all.push({ productId: 5, ms: END - 168 * HOUR, quantity: 40, categories: logCats(5), writer: 'a' });
  all.push({ productId: 6, ms: END, quantity: 50, categories: logCats(6), writer: 'a' });
  all.push({ productId: 6, ms: END - 168 * HOUR - 1, quantity: 50, categories: logCats(6), writer: 'b' });
  appendPurchases(data, all);
});
afterAll(() => rmSync(data, { recursive: true, force: true }));

describe('run --hourly against a naive oracle', () => {
  it('publishes every list exactly, for the window ending at the hour of --now', async () => {
    const r = await cli(['run', '--hourly', '--data', data, '--now', new Date(END + 5 * 60_000).toISOString(), '--json', '--workers', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.status).toBe('published');
    expect(summary.disagreements).toBe(0);
    expect(stageNames(summary.stages)).toEqual(['map', 'catalog', 'window', 'reduce', 'publish', 'commit']);
    const p = expectMatchesOracle(join(data, 'public'), END);
    expect(p.latest.release).toBe(summary.release);
    expect(p.list('overall.json').items[0].name).toMatch(/^Product \d+$/);
  });

  it('counts late lines, refunds and a new hour incrementally, exactly once', async () => {
    const late = makePurchases({ seed: 8, count: 500, fromMs: END - 160 * HOUR, toMs: END + HOUR, products: 420, categoriesOf: logCats });
    appendPurchases(data, late);
    all.push(...late);
    const r = await cli(['run', '--hourly', '--data', data, '--now', new Date(END + HOUR + 60_000).toISOString(), '--json', '--workers', '1']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).hoursRebuilt).toBeGreaterThan(1);
    expectMatchesOracle(join(data, 'public'), END + HOUR);
  });

  it('says there is nothing to do when nothing changed, and keeps the release', async () => {
    const before = published(join(data, 'public')).latest.release;
    const r = await cli(['run', '--hourly', '--data', data, '--now', new Date(END + HOUR + 120_000).toISOString(), '--json']);
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.status).toBe('nothing to do');
    expect(stageNames(summary.stages)).toEqual(['map', 'catalog']);
    expect(published(join(data, 'public')).latest.release).toBe(before);
  });

  it('rebuilds identical lists from the logs alone', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'oracle-copy-'));
    try {
      cpSync(join(data, 'catalog'), join(copy, 'catalog'), { recursive: true });
      cpSync(join(data, 'logs'), join(copy, 'logs'), { recursive: true });
      const r = await cli(['run', '--hourly', '--data', copy, '--now', new Date(END + HOUR + 60_000).toISOString(), '--quiet']);
      expect(r.code).toBe(0);
      const a = published(join(data, 'public'));
      const b = published(join(copy, 'public'));
      for (const rel of ['overall.json', 'categories/toys.json', 'categories/uncategorized.json']) expect(b.list(rel)).toEqual(a.list(rel));
      expect(b.manifest.categories).toEqual(a.manifest.categories);
      expect(b.manifest.totals.purchasesCounted).toBe(a.manifest.totals.purchasesCounted);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
