import { describe, expect, it } from 'vitest';
import { topK } from '../../src/rank/top-k.js';
import { compareLists, pairwiseMerge } from '../../src/rank/pairwise-merge.js';
import { ListArena, type Ranked } from '../../src/rank/order.js';
import { itemsOf, topListOf } from './lists.js';

const naiveTop = (entries: Ranked[], k: number) =>
  entries.filter((e) => e.sales > 0).sort((a, b) => b.sales - a.sales || a.productId - b.productId).slice(0, k);

function randomEntries(n: number, seed: number): Ranked[] {
  let x = seed;
  const next = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % 1000) / 1000;
  const out: Ranked[] = [];
  let id = 0;
  for (let i = 0; i < n; i++) {
    id += 1 + Math.floor(next() * 5);
    out.push({ productId: id, sales: Math.floor(next() * 30) - 5 });
  }
  return out;
}

describe('topK', () => {
  it('matches a full sort, ties broken by productId, non-positive sales left out', () => {
    for (const seed of [1, 2, 3]) {
      const entries = randomEntries(5000, seed);
      const block = { ids: Uint32Array.from(entries.map((e) => e.productId)), sales: Int32Array.from(entries.map((e) => e.sales)) };
      expect(itemsOf(topK(block, 100))).toEqual(naiveTop(entries, 100));
      expect(itemsOf(topK(block, 7))).toEqual(naiveTop(entries, 7));
    }
  });
  it('matches a full sort for blocks of any size and sales, one after another', () => {
    // Small sales (the histogram's threshold), sales around and above its last
    // bucket (the heap), few positives; blocks in a row into one small arena, as
    // rankWindow calls it, so that one block's counts cannot leak into the next
    // and a list keeps its entries when later ones need a new chunk.
    let x = 7;
    const rand = (m: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % m;
    const arena = new ListArena(256);
    const kept: Array<{ list: ReturnType<typeof topK>; want: Ranked[] }> = [];
    const shapes = [() => rand(12) - 2, () => 1000 + rand(60), () => rand(5000), () => (rand(50) === 0 ? 1 + rand(3) : 0), () => 1 + rand(2)];
    for (let round = 0; round < 60; round++) {
      const shape = shapes[round % shapes.length];
      const n = [0, 1, 99, 100, 101, 350, 4000][rand(7)];
      const entries: Ranked[] = [];
      for (let i = 0, id = 0; i < n; i++) entries.push({ productId: (id += 1 + rand(4)), sales: shape() });
      const block = { ids: Uint32Array.from(entries.map((e) => e.productId)), sales: Int32Array.from(entries.map((e) => e.sales)) };
      for (const k of [100, 1, 37]) {
        const list = topK(block, k, arena);
        expect(itemsOf(list)).toEqual(naiveTop(entries, k));
        kept.push({ list, want: naiveTop(entries, k) });
      }
    }
    for (const { list, want } of kept) expect(itemsOf(list)).toEqual(want);
  });
  it('keeps exactly 100 when many products tie at rank 100', () => {
    const entries = Array.from({ length: 300 }, (_, i) => ({ productId: 1000 - i, sales: i < 90 ? 50 : 10 }));
    const sorted = [...entries].sort((a, b) => a.productId - b.productId);
    const block = { ids: Uint32Array.from(sorted.map((e) => e.productId)), sales: Int32Array.from(sorted.map((e) => e.sales)) };
    const top = itemsOf(topK(block));
    expect(top).toHaveLength(100);
    expect(top.slice(90).map((r) => r.productId)).toEqual(naiveTop(entries, 100).slice(90).map((r) => r.productId));
  });
});

describe('pairwise merge', () => {
  it('gives the global top 100 from category top-100s when every product is in at least one category', () => {
    const all = naiveTop(randomEntries(3000, 9), 3000);
    const cats: Ranked[][] = Array.from({ length: 37 }, () => []);
    all.forEach((r, i) => {
      cats[i % 37].push(r);
      if (i % 3 === 0) cats[(i * 7) % 37].push(r); // a product in two categories
    });
    const lists = cats.map((c) => topListOf(naiveTop(c, 100)));
    expect(itemsOf(pairwiseMerge(lists))).toEqual(naiveTop(all, 100));
    expect(compareLists(topListOf(naiveTop(all, 100)), pairwiseMerge(lists))).toEqual([]);
  });
  it('reports where a category list disagrees with the global list', () => {
    const g = [{ productId: 1, sales: 5 }, { productId: 2, sales: 4 }];
    const m = [{ productId: 1, sales: 5 }, { productId: 2, sales: 3 }];
    expect(compareLists(topListOf(g), topListOf(m))).toEqual([{ rank: 2, global: g[1], merged: m[1] }]);
  });
});
