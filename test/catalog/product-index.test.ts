import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ColumnarCatalog } from '../../src/catalog/columnar.js';

const catalogOf = (ids: number[]) => {
  const n = ids.length;
  return new ColumnarCatalog({
    categories: [{ slug: 'uncategorized', name: 'Uncategorized' }],
    productIds: Uint32Array.from(ids),
    categoryOffsets: new Uint32Array(n + 1),
    categoryIndexes: new Uint32Array(0),
    nameOffsets: new Uint32Array(n + 1),
    nameBytes: Buffer.alloc(0),
  });
};

describe('ColumnarCatalog.productIndex', () => {
  it('finds every id and no other, however the ids are spread', () => {
    // Dense runs, wide gaps, and clusters near both ends of the id range.
    const id = fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 4_294_967_295 }), fc.integer({ min: 4_294_967_000, max: 4_294_967_295 }));
    fc.assert(
      fc.property(fc.uniqueArray(id, { maxLength: 300 }), fc.array(id, { maxLength: 50 }), (raw, probes) => {
        const ids = [...raw].sort((a, b) => a - b);
        const c = catalogOf(ids);
        ids.forEach((v, i) => expect(c.productIndex(v)).toBe(i));
        for (const p of [...probes, 0, 4_294_967_295]) expect(c.productIndex(p)).toBe(ids.indexOf(p));
      }),
      { numRuns: 500 },
    );
  });

  it('finds ids in a dense catalog of a million', () => {
    const ids = Array.from({ length: 1_000_000 }, (_, i) => 1 + i + Math.floor(i / 10) * 3);
    const c = catalogOf(ids);
    for (let i = 0; i < ids.length; i += 997) expect(c.productIndex(ids[i])).toBe(i);
    expect(c.productIndex(ids[10] - 1)).toBe(-1);
  });
});
