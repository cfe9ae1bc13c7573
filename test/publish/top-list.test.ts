import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TopListEncoder } from '../../src/publish/documents.js';
import { partStarts } from '../../src/publish/top-release.js';
import { namedCatalog } from '../catalog/named-catalog.js';
import { topListOf } from '../rank/lists.js';

/** A catalog of these names: ids ascending, names as raw bytes. */
function names(entries: Array<[number, Buffer | string | undefined]>) {
  const ids = entries.map(([id]) => id);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
  const parts = entries.map(([, n]) => (n === undefined ? Buffer.alloc(0) : Buffer.isBuffer(n) ? n : Buffer.from(n)));
  return namedCatalog(ids, parts);
}

const head = { generatedAt: '2026-11-27T19:05:00.000Z', window: { start: '2026-11-20T19:00:00.000Z', end: '2026-11-27T19:00:00.000Z' } };

/** The document as JSON.stringify writes it: what the encoder must match byte for byte. */
function expected(list: Array<{ productId: number; sales: number }>, nameOf: (id: number) => string | undefined, category?: { slug: string; name: string }) {
  return JSON.stringify({
    schemaVersion: 1,
    scope: category ? 'category' : 'overall',
    ...(category ? { category } : {}),
    ...head,
    items: list.map((r, i) => {
      const name = nameOf(r.productId);
      return { rank: i + 1, productId: r.productId, sales: r.sales, ...(name === undefined ? {} : { name }) };
    }),
  });
}

/** The encoding of each list, all laid out at once. */
function encoders(table: ReturnType<typeof names>, lists: ReturnType<typeof topListOf>[]) {
  const encoder = TopListEncoder.layOut(table, lists, head);
  return lists.map((_, k) => (scope: 'overall' | 'category', category?: { slug: string; name: string }) => encoder.encode(k, scope, category));
}

describe('TopListEncoder', () => {
  const table = names([
    [1, 'Plain kettle'],
    [2, 'Quote "inside" and back\\slash'],
    [3, 'Tab\there, newline\nthere, bell \u0007'],
    [4, 'Caffè crème, 東京, 🙂'],
    [5, Buffer.from([0x41, 0xff, 0x42])], // not UTF-8: decoded as U+FFFD, like Buffer#toString
    [6, undefined],
    [4294967295, 'Largest id'],
  ]);
  const nameOf = (id: number) => {
    const i = [...table.productIds].indexOf(id);
    if (i < 0 || table.nameOffsets[i] === table.nameOffsets[i + 1]) return undefined;
    return table.nameBytes.toString('utf8', table.nameOffsets[i], table.nameOffsets[i + 1]);
  };

  it('writes exactly what JSON.stringify writes, escaping the names that need it', () => {
    const list = [
      { productId: 4294967295, sales: 2147483647 },
      { productId: 3, sales: 1000 },
      { productId: 2, sales: 999 },
      { productId: 4, sales: 10 },
      { productId: 5, sales: 9 },
      { productId: 1, sales: 1 },
      { productId: 6, sales: 1 }, // in the catalog without a name
      { productId: 7, sales: 1 }, // not in the catalog
      { productId: 0, sales: 1 }, // below every catalog id
    ];
    const reversed = [...list].reverse();
    const [first, second] = encoders(table, [list, reversed].map(topListOf));
    // Compared as bytes: a decoded string would hide raw invalid UTF-8 copied through.
    expect(Buffer.compare(first('overall'), Buffer.from(expected(list, nameOf)))).toBe(0);
    const category = { slug: 'kitchen', name: 'Kitchen "& Home"' };
    expect(second('category', category).toString()).toBe(expected(reversed, nameOf, category));
  });

  it('writes an empty list, and reuses its buffer across lists of any size', () => {
    const long = Array.from({ length: 5000 }, (_, i) => ({ productId: (i % 7) + 1, sales: 5000 - i }));
    const short = [{ productId: 1, sales: 3 }];
    const [empty, longOne, shortOne] = encoders(table, [[], long, short].map(topListOf));
    expect(empty('overall').toString()).toBe(expected([], nameOf));
    expect(JSON.parse(longOne('overall').toString())).toEqual(JSON.parse(expected(long, nameOf)));
    expect(shortOne('overall').toString()).toBe(expected(short, nameOf));
  });

  it('refuses to encode once other lists were laid out on this thread, into the same memory', () => {
    const [first] = encoders(table, [topListOf([{ productId: 1, sales: 2 }])]);
    const [second] = encoders(table, [topListOf([{ productId: 3, sales: 5 }])]);
    expect(() => first('overall')).toThrow(/other lists were laid out since/);
    expect(second('overall').toString()).toBe(expected([{ productId: 3, sales: 5 }], nameOf));
  });

  it('matches JSON.stringify on random catalogs and lists: names of every length, any bytes, products in many lists', () => {
    // Names around the kernel's 16-byte stores, of plain ASCII (copied as they lie) or of any bytes (escaped, or not UTF-8).
    const nameArb = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'abc XYZ-09'), maxLength: 50 }).map((t) => Buffer.from(t)),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b)),
      fc.string({ unit: 'grapheme', maxLength: 12 }).map((t) => Buffer.from(t)),
    );
    const catalogArb = fc.uniqueArray(fc.tuple(fc.nat({ max: 60 }), nameArb), { selector: ([id]) => id, minLength: 1, maxLength: 40 });
    const itemArb = fc.record({ productId: fc.oneof(fc.nat({ max: 70 }), fc.constant(4294967295)), sales: fc.integer({ min: 1, max: 2147483647 }) });
    fc.assert(
      fc.property(catalogArb, fc.array(fc.array(itemArb, { maxLength: 30 }), { minLength: 1, maxLength: 6 }), (entries, lists) => {
        const sorted = [...entries].sort(([a], [b]) => a - b);
        const table = names(sorted.map(([id, name]) => [id, name.length === 0 ? undefined : name]));
        const nameOf = (id: number) => {
          const found = sorted.find(([known]) => known === id);
          return found && found[1].length > 0 ? found[1].toString('utf8') : undefined;
        };
        const encode = encoders(table, lists.map(topListOf));
        lists.forEach((list, k) => expect(encode[k]('overall').toString('latin1')).toBe(Buffer.from(expected(list, nameOf)).toString('latin1')));
      }),
      { numRuns: 300 },
    );
  });
});

describe('partStarts', () => {
  it('cuts the lists into parts of about as many items, each list in one part, the first at 0', () => {
    const lists = Array.from({ length: 1000 }, (_, k) => topListOf(Array.from({ length: k % 3 === 0 ? 100 : 10 }, (_, i) => ({ productId: i + 1, sales: 1 }))));
    const starts = partStarts(lists);
    expect(starts).toHaveLength(8);
    expect(starts[0]).toBe(0);
    const items = starts.map((s, p) => lists.slice(s, starts[p + 1] ?? lists.length).reduce((n, l) => n + l.ids.length, 0));
    const total = lists.reduce((n, l) => n + l.ids.length, 0);
    expect(items.reduce((a, b) => a + b)).toBe(total);
    for (const n of items) expect(Math.abs(n - total / 8)).toBeLessThanOrEqual(100);
  });

  it('makes fewer parts than lists only when there are fewer lists, empty ones included', () => {
    expect(partStarts([topListOf([])])).toEqual([0]);
    expect(partStarts(Array.from({ length: 3 }, () => topListOf([])))).toEqual([0, 1, 2]);
    expect(partStarts(Array.from({ length: 20 }, () => topListOf([])))).toHaveLength(8);
  });
});
