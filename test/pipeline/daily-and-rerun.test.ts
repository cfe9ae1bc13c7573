// The daily tier and the analysts' tools against the naive oracle: full
// ranks of every product, overall and per category; rerun after a log is
// restored; rerun into a scratch --out; counts as CSV.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cli, stageNames } from './helpers/world.js';
import { HOUR, type Purchase, appendPurchases, makePurchases, oracleSales, writeCatalog } from './helpers/purchases.js';

const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 10, 27, 6, 10); // 06:10 UTC: the daily window ends at 00:00 today
const DAY_END = Date.UTC(2026, 10, 27);
const SLUGS = ['books', 'games', 'toys'];
const cats = (id: number) => (id > 150 ? ['uncategorized'] : id % 4 === 0 ? ['books', 'toys'] : [SLUGS[id % 3]]);

vi.setConfig({ testTimeout: 60_000 });

let data: string;
let all: Purchase[];
const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));
const latestBase = (out: string) => join(out, readJson(join(out, 'latest.json')).base);

/** Rank maps from the oracle: productId → rank, for sales > 0, by sales desc then id. */
function oracleRanks(sales: Map<number, number>): Map<number, number> {
  return new Map([...sales].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([id], i) => [id, i + 1]));
}

beforeAll(() => {
  data = mkdtempSync(join(tmpdir(), 'daily-'));
  writeCatalog(data, SLUGS.map((s) => [s, s.toUpperCase()]), Array.from({ length: 150 }, (_, i) => [i + 1, cats(i + 1)] as [number, string[]]));
  all = makePurchases({ seed: 11, count: 4000, fromMs: DAY_END - 8 * DAY, toMs: NOW, products: 170, categoriesOf: cats });
  appendPurchases(data, all);
});
afterAll(() => rmSync(data, { recursive: true, force: true }));

describe('run --daily', () => {
  it('ranks every product sold in the 7 days before today, overall and in each category, in 256 shards', async () => {
    const r = await cli(['run', '--daily', '--data', data, '--now', new Date(NOW).toISOString(), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout);
    const window = { start: new Date(DAY_END - 7 * DAY).toISOString(), end: new Date(DAY_END).toISOString() };
    expect(summary.ranks.window).toEqual(window);
    expect(stageNames(summary.stages)).toEqual(['map', 'catalog', 'window', 'reduce', 'daily', 'publish', 'commit']);
    const base = latestBase(join(data, 'public'));
    const manifest = readJson(join(base, 'manifest.json'));
    expect(manifest.ranksBase).toBe(`releases/${manifest.release}/`);
    expect(readdirSync(join(base, 'ranks'))).toHaveLength(256);

    const overall = oracleRanks(oracleSales(all, DAY_END - 7 * DAY, DAY_END));
    const perCat = new Map([...SLUGS, 'uncategorized'].map((c) => [c, oracleRanks(oracleSales(all, DAY_END - 7 * DAY, DAY_END, c))]));
    const globalSales = oracleSales(all, DAY_END - 7 * DAY, DAY_END);
    let seen = 0;
    for (let shard = 0; shard < 256; shard++) {
      const doc = readJson(join(base, 'ranks', `${String(shard).padStart(3, '0')}.json`));
      expect(doc.window).toEqual(window);
      for (const [id, p] of Object.entries(doc.products) as Array<[string, { sales: number; overall: number; categories: Record<string, number> }]>) {
        expect(+id % 256).toBe(shard);
        expect(p.overall).toBe(overall.get(+id));
        expect(p.sales).toBe(globalSales.get(+id));
        const want = Object.fromEntries([...perCat].filter(([, m]) => m.has(+id)).map(([c, m]) => [c, m.get(+id)]));
        expect(p.categories).toEqual(want);
        seen++;
      }
    }
    expect(seen).toBe(overall.size);
  });

  it('is named in ranksBase by the next hourly release', async () => {
    const daily = readJson(join(data, 'public', 'latest.json')).release;
    const r = await cli(['run', '--hourly', '--data', data, '--now', new Date(NOW + HOUR).toISOString(), '--json']);
    expect(r.code).toBe(0);
    const manifest = readJson(join(latestBase(join(data, 'public')), 'manifest.json'));
    expect(manifest.release).not.toBe(daily);
    expect(manifest.ranksBase).toBe(`releases/${daily}/`);
  });
});

describe('rerun', () => {
  it('into --out leaves what the storefront serves untouched', async () => {
    const served = readFileSync(join(data, 'public', 'latest.json'), 'utf8');
    const scratch = mkdtempSync(join(tmpdir(), 'scratch-'));
    try {
      const r = await cli(['rerun', '--data', data, '--out', scratch, '--from', new Date(DAY_END - 2 * DAY).toISOString(), '--to', new Date(DAY_END).toISOString(), '--now', new Date(NOW + HOUR).toISOString(), '--json']);
      expect(r.code).toBe(0);
      expect(readFileSync(join(data, 'public', 'latest.json'), 'utf8')).toBe(served);
      const a = readJson(join(latestBase(join(data, 'public')), 'overall.json'));
      const b = readJson(join(latestBase(scratch), 'overall.json'));
      expect(b.items).toEqual(a.items);
      // The daily release is not under the scratch OUT: its manifest names none.
      expect(readJson(join(latestBase(scratch), 'manifest.json')).ranksBase).toBeUndefined();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('after a log is restored from a backup gives the same lists as a clean run', async () => {
    const before = readJson(join(latestBase(join(data, 'public')), 'categories/toys.json')).items;
    const hourDir = join(data, 'logs', 'global', new Date(DAY_END - DAY + 5 * HOUR).toISOString().slice(0, 10), '05');
    const file = join(hourDir, readdirSync(hourDir)[0]);
    const body = readFileSync(file);
    rmSync(file);
    writeFileSync(file, body.subarray(0, body.lastIndexOf(10, body.length - 2) + 1)); // a backup one line older
    const hourly = await cli(['run', '--hourly', '--data', data, '--now', new Date(NOW + 2 * HOUR).toISOString()]);
    expect(hourly.code).toBe(65);
    expect(hourly.stderr).toMatch(/replaced|shrank/);
    const r = await cli(['rerun', '--data', data, '--from', new Date(DAY_END - DAY).toISOString(), '--to', new Date(DAY_END).toISOString(), '--now', new Date(NOW + 2 * HOUR).toISOString(), '--quiet']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const clean = mkdtempSync(join(tmpdir(), 'clean-'));
    try {
      cpSync(join(data, 'catalog'), join(clean, 'catalog'), { recursive: true });
      cpSync(join(data, 'logs'), join(clean, 'logs'), { recursive: true });
      expect((await cli(['run', '--hourly', '--data', clean, '--now', new Date(NOW + 2 * HOUR).toISOString()])).code).toBe(0);
      for (const rel of ['overall.json', 'categories/toys.json', 'categories/uncategorized.json']) {
        expect(readJson(join(latestBase(join(data, 'public')), rel)).items).toEqual(readJson(join(latestBase(join(clean, 'public')), rel)).items);
      }
      expect(before.length).toBeGreaterThan(0);
    } finally {
      rmSync(clean, { recursive: true, force: true });
    }
  });

  it('says so and exits 0 when the range has no logs', async () => {
    const r = await cli(['rerun', '--data', data, '--from', '2020-01-01T00:00Z', '--to', '2020-01-02T00:00Z']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no logs/);
  });
});

describe('counts', () => {
  it('writes a day as CSV that sums to the oracle', async () => {
    const day = new Date(DAY_END - 3 * DAY).toISOString().slice(0, 10);
    const r = await cli(['counts', '--data', data, '--day', day]);
    expect(r.code).toBe(0);
    const rows = r.stdout.trim().split('\n');
    expect(rows[0]).toBe('product_id,category,sales');
    const global = new Map(rows.slice(1).map((l) => l.split(',')).filter(([, c]) => c === '').map(([id, , s]) => [+id, +s]));
    const want = new Map([...oracleSales(all, DAY_END - 3 * DAY, DAY_END - 2 * DAY)].filter(([, s]) => s !== 0));
    expect(global).toEqual(want);
  });
});
