import { describe, expect, it } from 'vitest';
import { CountTable, mergeTwo, sumBlocks, sumPairs, type Block } from '../../src/counts/count-table.js';
import { decodeCountSet, encodeCountSet, emptyCountSet } from '../../src/counts/count-file.js';

const block = (pairs: Array<[number, number]>): Block => ({ ids: Uint32Array.from(pairs.map((p) => p[0])), sales: Int32Array.from(pairs.map((p) => p[1])) });
const pairs = (b: Block) => [...b.ids].map((id, i) => [id, b.sales[i]]);

describe('CountTable', () => {
  it('sums quantities per product across growth and returns them sorted, dropping zero nets', () => {
    const t = new CountTable();
    const expected = new Map<number, number>();
    for (let i = 0; i < 50_000; i++) {
      const id = ((i * 7919) % 20_011) + 1;
      const q = (i % 5) - 1 || 3;
      t.add(id, q);
      expected.set(id, (expected.get(id) ?? 0) + q);
    }
    t.add(4_294_967_295, 2);
    t.add(4_294_967_295, -2); // a refund that nets out
    const got = pairs(t.toBlock());
    const want = [...expected].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);
    expect(got).toEqual(want);
  });
});

describe('block arithmetic', () => {
  it('mergeTwo adds and subtracts, dropping entries that net to zero', () => {
    expect(pairs(mergeTwo(block([[1, 5], [3, 2]]), block([[1, 5], [2, 4]]), -1))).toEqual([[2, -4], [3, 2]]);
  });
  it('sumBlocks equals a naive sum for many signed blocks', () => {
    const blocks = Array.from({ length: 9 }, (_, k) => block(Array.from({ length: 30 }, (_, i) => [i * (k + 1) + 1, k + i + 1] as [number, number])));
    const signs = blocks.map((_, k) => (k % 3 === 0 ? -1 : 1));
    const naive = new Map<number, number>();
    blocks.forEach((b, k) => b.ids.forEach((id, i) => naive.set(id, (naive.get(id) ?? 0) + signs[k] * b.sales[i])));
    const want = [...naive].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);
    expect(pairs(sumBlocks(blocks, signs))).toEqual(want);
  });
});

describe('count file', () => {
  it('round-trips groups, lines and span, global first', () => {
    const set = emptyCountSet(490_000, 490_001);
    set.groups.set('toys', block([[2, 1], [9, 4]]));
    set.groups.set('', block([[2, 1], [9, 4], [11, -1]]));
    set.groups.set('books', block([[11, -1]]));
    set.lines.set('', 7).set('toys', 5).set('books', 1);
    const bytes = Buffer.concat(encodeCountSet(set));
    const back = decodeCountSet(bytes, 'x.counts');
    expect([back.spanStart, back.spanEnd]).toEqual([490_000, 490_001]);
    expect([...back.groups.keys()]).toEqual(['', 'books', 'toys']);
    expect(pairs(back.groups.get('')!)).toEqual([[2, 1], [9, 4], [11, -1]]);
    expect(back.lines.get('toys')).toBe(5);
  });
  it('refuses a truncated file, naming it', () => {
    const set = emptyCountSet(1, 2);
    set.groups.set('', block([[1, 1]]));
    const bytes = Buffer.concat(encodeCountSet(set));
    expect(() => decodeCountSet(bytes.subarray(0, bytes.length - 3), 'h.counts')).toThrow(/h\.counts: corrupt count file/);
  });
});

describe('CountTable with millions of products', () => {
  it('sums exactly once it has turned into a radix-sorted pair list', () => {
    const t = new CountTable();
    const expected = new Map<number, number>();
    for (let i = 0; i < 600_000; i++) {
      const id = ((i * 2_654_435_761) % 4_294_967_291) + 1; // ids across the whole 32-bit range
      const q = i % 7 === 0 ? -1 : 1 + (i % 3);
      t.add(id, q);
      t.add(id, -q + 1); // net: one unit per add pair
      expected.set(id, (expected.get(id) ?? 0) + 1);
    }
    const got = t.toBlock();
    const want = [...expected].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);
    expect(got.ids.length).toBe(want.length);
    expect(Array.from(got.ids.slice(0, 1000))).toEqual(want.slice(0, 1000).map((w) => w[0]));
    expect(Array.from(got.sales.slice(-1000))).toEqual(want.slice(-1000).map((w) => w[1]));
    let ascending = true;
    for (let i = 1; i < got.ids.length; i++) ascending &&= got.ids[i] > got.ids[i - 1];
    expect(ascending).toBe(true);
  });

  // 600,002 adds in all: a pair list sized for them, one sized for fewer (it grows), and none.
  it.each([0, 600_002, 1000])('sums exactly through the combiner and the pair list after the switch, and across toBlock calls (adds at most %i)', (addsAtMost) => {
    const t = new CountTable(8, addsAtMost);
    const expected = new Map<number, number>();
    const add = (id: number, q: number) => {
      t.add(id, q);
      expected.set(id, (expected.get(id) ?? 0) + q);
    };
    const want = () => [...expected].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);
    // Best sellers first (they fill the table), then a long tail, then the best sellers again.
    for (let id = 1; id <= 200_000; id++) add(id, 2);
    for (let i = 0; i < 300_000; i++) add(1_000_000 + ((i * 7919) % 250_000), i % 4 === 0 ? -1 : 1);
    for (let id = 1; id <= 200_000; id += 2) add(id, -2); // refunds net every other one out
    expect(pairs(t.toBlock())).toEqual(want());
    add(5, 1);
    add(3_000_000, 4);
    expect(pairs(t.toBlock())).toEqual(want());
  });
});

describe('CountTable with a bound on its adds', () => {
  it('sizes its pair list for at most 2^25 pairs however large the bound, and sums exactly', () => {
    const before = process.memoryUsage().arrayBuffers;
    const t = new CountTable(8, 2 ** 31);
    for (let id = 1; id <= 140_000; id++) t.add(id, 1); // past the 128k ids that start the pair list
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(2 ** 30);
    const b = t.toBlock();
    expect([b.ids.length, b.ids[0], b.ids[139_999], b.sales[70_000]]).toEqual([140_000, 1, 140_000, 1]);
  });
});

describe('sumPairs', () => {
  // Pairs of ids across several 2^18-id partitions, boundaries included, some netting to zero.
  const n = 120_000;
  const ids = new Uint32Array(n);
  const qty = new Int32Array(n);
  const edges = [1, 262_143, 262_144, 262_145, 524_287, 524_288, 1_048_575];
  let edgeSum = 0;
  for (let i = 0; i < n - 1; i++) {
    ids[i] = i < edges.length * 3 ? edges[i % edges.length] : 1 + ((i * 104_729) % 1_100_000);
    qty[i] = i % 9 === 0 ? -(1 + (i % 4)) : 1 + (i % 3);
    if (ids[i] === 262_144) edgeSum += qty[i];
  }
  ids[n - 1] = 262_144; // nets the first id of the second partition out
  qty[n - 1] = -edgeSum;
  const expected = new Map<number, number>();
  ids.forEach((id, i) => expected.set(id, (expected.get(id) ?? 0) + qty[i]));
  const want = [...expected].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);

  it('sums dense ids by partition, in id order, equal to a naive sum', () => {
    let maxId = 0;
    for (const id of ids) maxId = Math.max(maxId, id);
    expect(maxId).toBeLessThan(16 * n); // the partitioned path
    expect(expected.get(262_144)).toBe(0);
    expect(pairs(sumPairs(ids.slice(), qty.slice(), n, maxId))).toEqual(want);
  });
  it('gives the same block through the radix sort, for sparse ids', () => {
    expect(pairs(sumPairs(ids.slice(), qty.slice(), n, 2 ** 31))).toEqual(want);
  });
});

describe('mergeTwo of a week and an hour', () => {
  it('equals an element-by-element merge, runs of the week copied whole', () => {
    const week: Array<[number, number]> = [];
    for (let id = 3; id < 200_000; id += 3) week.push([id, (id % 11) + 1]);
    const hour: Array<[number, number]> = [[1, 2], [3, -4], [6, 5], [7, 1], [150_000, -((150_000 % 11) + 1)], [299_999, 9]];
    const got = mergeTwo(block(week), block(hour));
    const naive = new Map(week);
    for (const [id, q] of hour) naive.set(id, (naive.get(id) ?? 0) + q);
    const want = [...naive].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);
    expect(got.ids.length).toBe(want.length);
    expect(pairs(got).slice(0, 5)).toEqual(want.slice(0, 5));
    expect(pairs(got).slice(-3)).toEqual(want.slice(-3));
    expect(pairs(mergeTwo(block(week), block(hour), -1)).slice(0, 3)).toEqual([[1, -2], [3, 8], [6, 2]]);
  });
});
