import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GLOBAL, emptyCountSet } from '../../src/counts/count-file.js';
import { fullRanks } from '../../src/rank/full-ranks.js';

type Lists = Record<string, Record<number, number>>;

/** What full ranks say, product by product, computed naively: sort each list by sales desc, id asc. */
function naive(lists: Lists) {
  const rank = (entries: Record<number, number>) =>
    new Map(Object.entries(entries).map(([id, s]) => [Number(id), s]).filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([id], i) => [id, i + 1]));
  const overall = rank(lists[GLOBAL] ?? {});
  const slugs = Object.keys(lists).filter((g) => g !== GLOBAL).sort();
  const perCat = slugs.map((slug) => [slug, rank(lists[slug])] as const);
  const ids = [...new Set([...overall.keys(), ...perCat.flatMap(([, r]) => [...r.keys()])])].sort((a, b) => a - b);
  return ids.map((id) => ({
    id,
    sales: lists[GLOBAL]?.[id] ?? 0,
    overall: overall.get(id) ?? 0,
    categories: perCat.filter(([, r]) => r.has(id)).map(([slug, r]) => [slug, r.get(id)]),
  }));
}

function ours(lists: Lists) {
  const set = emptyCountSet(0, 168);
  for (const [g, entries] of Object.entries(lists)) {
    const ids = Object.keys(entries).map(Number).sort((a, b) => a - b);
    set.groups.set(g, { ids: Uint32Array.from(ids), sales: Int32Array.from(ids.map((id) => entries[id])) });
  }
  const r = fullRanks(set);
  const out = [...r.ids].map((id, i) => ({
    id,
    sales: r.sales[i],
    overall: r.overall[i],
    categories: Array.from({ length: r.catOffsets[i + 1] - r.catOffsets[i] }, (_, j) => [r.slugs[r.catIndex[r.catOffsets[i] + j]], r.catRank[r.catOffsets[i] + j]]),
  }));
  const ranked = Object.fromEntries(r.slugs.map((slug, c) => [slug, r.ranked[c]]));
  return { out, ranked };
}

/** Ids spread over the whole 32-bit range or packed low (one radix pass), sales of either sign, some lists large enough to overflow the packed sort key. */
const entries = (big: boolean) =>
  fc.dictionary(
    fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 4294967295 })).map(String),
    big ? fc.integer({ min: -5, max: 2 ** 22 }).filter((x) => x !== 0) : fc.integer({ min: -3, max: 6 }).filter((x) => x !== 0),
    { maxKeys: 40 },
  );
const lists = fc.boolean().chain((big) => fc.dictionary(fc.constantFrom(GLOBAL, 'toys', 'books', 'games', 'uncategorized'), entries(big)));

describe('fullRanks', () => {
  it('ranks every product with sales > 0, overall and in each of its categories, as a naive sort does', () => {
    fc.assert(
      fc.property(lists, (l) => {
        const { out, ranked } = ours(l);
        expect(out).toEqual(naive(l));
        for (const [slug, n] of Object.entries(ranked)) expect(n).toBe(Object.values(l[slug]).filter((s) => s > 0).length);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps products only a category log sold (the logs disagree), with their global sales and no overall rank', () => {
    const { out } = ours({ [GLOBAL]: { 5: 3, 9: -2 }, toys: { 5: 3, 9: 4, 12: 1 } });
    expect(out).toEqual([
      { id: 5, sales: 3, overall: 1, categories: [['toys', 2]] },
      { id: 9, sales: -2, overall: 0, categories: [['toys', 1]] },
      { id: 12, sales: 0, overall: 0, categories: [['toys', 3]] },
    ]);
  });
});
