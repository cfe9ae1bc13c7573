// reduceWindow moves the window and ranks every list with the categories
// split over reduceGroups jobs: on worker threads (the held window and the
// changes in SharedArrayBuffers) and inline, it must give the window a full
// recompute gives and the lists a plain sort of it gives, whatever the split.
import { afterAll, describe, expect, it } from 'vitest';
import { ColumnarCatalog } from '../../src/catalog/columnar.js';
import { type CountSet, GLOBAL, decodeCountSet, emptyCountSet, encodeCountSet } from '../../src/counts/count-file.js';
import { type HourVersions, fullWindow, groupDeltas, windowDelta } from '../../src/counts/window.js';
import { type Runner, inlineRunner, poolRunner } from '../../src/pipeline/runner.js';
import type { Ranked } from '../../src/rank/order.js';
import { ranges, reduceWindow } from '../../src/rank/reduce-window.js';

const SLUGS = Array.from({ length: 40 }, (_, i) => `c${String(i).padStart(2, '0')}`);
/** Products 1..15000 of the 20000 that sell; every third has no name. */
const PRODUCTS = 15_000;
const nameOf = (id: number) => (id <= PRODUCTS && id % 3 !== 0 ? `p${id}` : '');
const nameOffsets = new Uint32Array(PRODUCTS + 1);
for (let i = 0; i < PRODUCTS; i++) nameOffsets[i + 1] = nameOffsets[i] + nameOf(i + 1).length;
/** The catalog names all but the last few slugs; one it names never sells. */
const catalog = new ColumnarCatalog({
  categories: [...SLUGS.slice(0, 36), 'never-sold', 'uncategorized'].sort().map((slug) => ({ slug, name: slug.toUpperCase() })),
  productIds: Uint32Array.from({ length: PRODUCTS }, (_, i) => i + 1),
  categoryOffsets: new Uint32Array(PRODUCTS + 1),
  categoryIndexes: new Uint32Array(0),
  nameOffsets,
  nameBytes: Buffer.from(Array.from({ length: PRODUCTS }, (_, i) => nameOf(i + 1)).join('')),
});

/** Hour h, version v: most groups sell, some only in some hours, one has thousands of products, refunds net some to zero. */
function hourOf(h: number, v: number): CountSet {
  let x = h * 7919 + v * 104729 + 1;
  const rand = (m: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % m;
  const set = emptyCountSet(h, h + 1);
  for (const group of [GLOBAL, ...SLUGS]) {
    if (group !== GLOBAL && rand(4) === 0) continue;
    const big = group === GLOBAL || group === 'c07';
    const n = big ? 500 + rand(3000) : rand(60);
    const ids = new Set<number>();
    while (ids.size < n) ids.add(1 + rand(big ? 20_000 : 300));
    const sorted = [...ids].sort((p, q) => p - q);
    if (sorted.length > 0) set.groups.set(group, { ids: Uint32Array.from(sorted), sales: Int32Array.from(sorted, () => (rand(9) || 1) - 2 || 5) });
    set.lines.set(group, n + rand(3)); // a group may have lines and no counts (all refunded)
  }
  return set;
}
const read = (h: number, v: number) => hourOf(h, v);

/** The window file's bytes in a SharedArrayBuffer, as a run reads them. */
function held(set: CountSet): Uint8Array {
  const parts = encodeCountSet(set);
  const bytes = new Uint8Array(new SharedArrayBuffer(parts.reduce((n, p) => n + p.length, 0)));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
}

const asObject = (set: CountSet) =>
  Object.fromEntries([...set.groups].filter(([, b]) => b.ids.length > 0).map(([g, b]) => [g, [...b.ids].map((id, i) => `${id}:${b.sales[i]}`), set.lines.get(g)]));
const naiveTop = (set: CountSet, group: string): Ranked[] => {
  const b = set.groups.get(group);
  if (!b) return [];
  return Array.from(b.ids, (productId, i) => ({ productId, sales: b.sales[i] }))
    .filter((r) => r.sales > 0)
    .sort((p, q) => q.sales - p.sales || p.productId - q.productId)
    .slice(0, 100);
};

const runners: Runner[] = [];
afterAll(async () => {
  for (const r of runners) await r.close();
});

describe('reduceWindow', () => {
  it.each([
    ['inline', 1],
    ['on 2 workers', 2],
    ['on 3 workers', 3],
  ])('moves the window and ranks every list as a full recompute and a plain sort do, %s', async (_name, workers) => {
    const runner = workers > 1 ? poolRunner(workers) : inlineRunner();
    runners.push(runner);
    let heldHours: HourVersions = {};
    let window: CountSet | undefined;
    for (let end = 6; end <= 16; end++) {
      const target: HourVersions = {};
      for (let h = end - 6; h < end; h++) target[h] = h % 5 === 0 && end - h > 2 ? 2 : 1; // some hours rebuilt later
      const common = { heldPath: 'window.bin', spanStart: end - 6, spanEnd: end, catalog, runner };
      const r = window
        ? await (async () => {
            const bytes = held(window!);
            return reduceWindow({ ...common, prev: decodeCountSet(bytes, 'window.bin'), held: bytes, deltas: groupDeltas(windowDelta(heldHours, target), read) });
          })()
        : await reduceWindow({ ...common, prev: emptyCountSet(end - 6, end), deltas: groupDeltas(windowDelta({}, target), read) });
      const full = fullWindow(target, read, end - 6, end);
      expect(asObject(r.window)).toEqual(asObject(full));
      expect(r.ranked.overall).toEqual(naiveTop(full, GLOBAL));
      // Every category the catalog names or the window holds, in slug order, each with its list.
      const expected = [...new Set([...catalog.categories.map((c) => c.slug), ...[...full.groups.keys()].filter((g) => g !== GLOBAL)])].sort();
      expect(r.ranked.categories.map((c) => c.slug)).toEqual(expected);
      for (const c of r.ranked.categories) {
        expect(c.list).toEqual(naiveTop(full, c.slug));
        expect(c.productsRanked).toBe([...(full.groups.get(c.slug)?.sales ?? [])].filter((s) => s > 0).length);
      }
      // Each item's name, found on the workers, items in order: the overall list's, then each category's.
      const items = [r.ranked.overall, ...r.ranked.categories.map((c) => c.list)].flat();
      const spans = r.ranked.names!;
      expect(items.map((_item, i) => catalog.nameBytes.toString('utf8', spans.start[i], spans.end[i]))).toEqual(items.map((item) => nameOf(item.productId)));
      window = r.window;
      heldHours = target;
    }
  });
});

describe('ranges', () => {
  it('cuts items in order into at most the parts asked for, of about equal weight', () => {
    const items = Array.from({ length: 1000 }, (_, i) => i);
    const weight = (i: number) => (i % 100 === 0 ? 500 : 1 + (i % 7));
    for (const parts of [1, 2, 4, 7]) {
      const got = ranges(items, weight, parts);
      expect(got.flat()).toEqual(items);
      expect(got.length).toBe(parts);
      const total = items.reduce((n, i) => n + weight(i), 0);
      for (const run of got) expect(run.reduce((n, i) => n + weight(i), 0)).toBeLessThanOrEqual(total / parts + 500);
    }
    expect(ranges([], weight, 4)).toEqual([]);
    expect(ranges([1, 2], () => 1, 4).flat()).toEqual([1, 2]);
  });
});
