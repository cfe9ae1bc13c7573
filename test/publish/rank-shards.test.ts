import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeRankShards } from '../../src/publish/rank-shards.js';
import type { FullRanks } from '../../src/rank/full-ranks.js';

const head = { generatedAt: '2026-11-28T00:10:00.000Z', window: { start: '2026-11-21T00:00:00.000Z', end: '2026-11-28T00:00:00.000Z' } };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Product {
  id: number;
  sales: number;
  overall: number;
  categories: Array<[number, number]>;
}

function ranksOf(products: Product[], slugs: string[]): FullRanks {
  const offsets = [0];
  for (const p of products) offsets.push(offsets.at(-1)! + p.categories.length);
  return {
    ids: Uint32Array.from(products.map((p) => p.id)),
    sales: Int32Array.from(products.map((p) => p.sales)),
    overall: Uint32Array.from(products.map((p) => p.overall)),
    catOffsets: Uint32Array.from(offsets),
    catIndex: Uint32Array.from(products.flatMap((p) => p.categories.map(([c]) => c))),
    catRank: Uint32Array.from(products.flatMap((p) => p.categories.map(([, r]) => r))),
    slugs,
    ranked: new Uint32Array(slugs.length),
  };
}

/** The shard as CONTRACT.md §4 spells it, by JSON.stringify. */
function expected(products: Product[], slugs: string[], shard: number): string {
  const entries = products
    .filter((p) => p.id % 256 === shard)
    .map((p) => `"${p.id}":${JSON.stringify({ sales: p.sales, overall: p.overall || null, categories: Object.fromEntries(p.categories.map(([c, r]) => [slugs[c], r])) })}`);
  return `{"schemaVersion":1,"generatedAt":${JSON.stringify(head.generatedAt)},"window":${JSON.stringify(head.window)},"products":{${entries.join(',')}}}`;
}

function write(products: Product[], slugs: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'rank-shards-'));
  dirs.push(dir);
  const hash = createHash('sha256');
  writeRankShards(dir, ranksOf(products, slugs), head, hash);
  return { dir, digest: hash.digest('hex') };
}

describe('writeRankShards', () => {
  it('writes the 256 shards byte for byte as JSON.stringify would, past many buffer flushes', () => {
    const slugs = ['books', 'toys', `long-${'x'.repeat(59)}`, 'uncategorized'];
    const products: Product[] = [];
    let x = 7;
    const next = (n: number) => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n;
    for (let id = 1; products.length < 40_000; id += 1 + next(3000)) {
      const cats: Array<[number, number]> = [];
      for (let c = 0; c < slugs.length; c++) if (next(3) === 0) cats.push([c, 1 + next(1_000_000)]);
      products.push({ id, sales: next(10) === 0 ? -1 - next(2 ** 31 - 1) : 1 + next(2 ** 31 - 1), overall: next(5) === 0 ? 0 : 1 + next(2 ** 32 - 1), categories: cats });
    }
    products.push({ id: 4294967295, sales: -2147483648, overall: 4294967295, categories: slugs.map((_, c) => [c, 4294967295] as [number, number]) });
    const { dir } = write(products, slugs);
    expect(readdirSync(join(dir, 'ranks')).sort()).toEqual(Array.from({ length: 256 }, (_, s) => `${String(s).padStart(3, '0')}.json`));
    for (let s = 0; s < 256; s++) expect(readFileSync(join(dir, 'ranks', `${String(s).padStart(3, '0')}.json`), 'utf8')).toBe(expected(products, slugs, s));
  });

  it('writes a product of 32 categories with the longest slugs, and empty shards', () => {
    const slugs = Array.from({ length: 32 }, (_, c) => `${String(c).padStart(2, '0')}${'z'.repeat(62)}`);
    const products: Product[] = [{ id: 300, sales: 9, overall: 1, categories: slugs.map((_, c) => [c, c + 1] as [number, number]) }];
    const { dir } = write(products, slugs);
    for (const s of [0, 44, 255]) expect(readFileSync(join(dir, 'ranks', `${String(s).padStart(3, '0')}.json`), 'utf8')).toBe(expected(products, slugs, s));
  });

  it('gives the release hash the same value for the same ranks, another for others', () => {
    const products: Product[] = [{ id: 1, sales: 3, overall: 1, categories: [[0, 1]] }];
    expect(write(products, ['toys']).digest).toBe(write(products, ['toys']).digest);
    expect(write(products, ['toys']).digest).not.toBe(write([{ ...products[0], sales: 4 }], ['toys']).digest);
  });
});
