import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CatalogBuilder } from '../../src/catalog/build.js';
import { decodeCatalogCache, encodeCatalogCache, openCatalogCache } from '../../src/catalog/cache.js';
import type { CatalogView } from '../../src/catalog/catalog.js';
import type { PositionalFile } from '../../src/catalog/catalog-fs.js';
import type { CatalogColumns, ColumnarCatalog } from '../../src/catalog/columnar.js';
import { loadCatalog, startOpeningCatalog } from '../../src/catalog/load.js';
import { CATEGORIES, DATA, memCatalog, paths } from './memfs-catalog.js';

const key = {
  categories: { size: 10, mtimeMs: 1_700_000_000_000.25, ino: 7 },
  products: { size: 20, mtimeMs: 1_700_000_000_001, ino: 8 },
};

/** A cache file on memfs whose reads return at most `readCap` bytes each, and whether it was closed. */
function cacheFile(bytes: Buffer, readCap = 1 << 20): { file: PositionalFile; closed: () => boolean } {
  const m = memCatalog({});
  m.vol.writeFileSync('/catalog.bin', bytes);
  const fd = m.vol.openSync('/catalog.bin', 'r');
  let closed = false;
  return {
    file: {
      stamp: { size: bytes.length, mtimeMs: 1, ino: 1 },
      sync: () => {},
      readAt: (buffer, offset, length, position) => m.vol.readSync(fd, buffer, offset, Math.min(length, readCap), position),
      close: () => {
        closed = true;
        m.vol.closeSync(fd);
      },
    },
    closed: () => closed,
  };
}

/** What a walk says of each id sought, in order: found, the category slugs, the name's bytes. */
function walked(view: CatalogView, ids: readonly number[]) {
  const walk = view.walk();
  return ids.map((id) => {
    const found = walk.seek(id);
    const c = walk.categories();
    const n = walk.name();
    return { id, found, categories: Array.from(c.array.subarray(c.start, c.end), (k) => view.categories[k]!.slug), name: Buffer.from(n.array.subarray(n.start, n.end)).toString('hex') };
  });
}

async function opened(columns: CatalogColumns, chunk?: number, readCap?: number): Promise<CatalogView> {
  const { file } = cacheFile(Buffer.concat(encodeCatalogCache(columns, key)), readCap);
  const view = await openCatalogCache(file, key, { chunk });
  if (typeof view === 'string') throw new Error(view);
  return view;
}

const SLUGS = ['books', 'games', 'toys'];
const productArb = fc.tuple(
  fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 4_294_967_200, max: 4_294_967_295 })),
  fc.uniqueArray(fc.nat(SLUGS.length - 1), { maxLength: 3 }),
  fc.oneof(fc.constant(''), fc.string({ unit: 'grapheme', maxLength: 40 })),
);

function build(products: ReadonlyArray<readonly [number, readonly number[], string]>): ColumnarCatalog {
  const b = new CatalogBuilder(SLUGS.map((slug) => ({ slug, name: slug.toUpperCase() })));
  const index = (k: number) => b.categories.findIndex((c) => c.slug === SLUGS[k]);
  for (const [id, cats, name] of products) b.addProduct(id, cats.map(index), name || undefined);
  return b.build();
}

describe('a catalog walked from its cache file', () => {
  it('answers every seek as the catalog in memory does, however the file is read in pieces', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(productArb, { selector: (p) => p[0], maxLength: 60 }),
        fc.uniqueArray(fc.oneof(fc.integer({ min: 0, max: 320 }), fc.integer({ min: 4_294_967_190, max: 4_294_967_295 })), { maxLength: 80 }),
        fc.integer({ min: 1, max: 48 }),
        fc.integer({ min: 1, max: 64 }),
        async (products, sought, chunk, readCap) => {
          const memory = build(products);
          const ids = [...sought].sort((a, b) => a - b);
          const view = await opened(memory, chunk, readCap);
          expect(walked(view, ids)).toEqual(walked(memory, ids));
          // Every product, in order: each section read front to back.
          expect(walked(view, [...memory.productIds])).toEqual(walked(memory, [...memory.productIds]));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives what categoriesOf and productName give, names longer than a chunk included', async () => {
    const memory = build([
      [5, [0, 2], 'Zoë’s spade 🌱'],
      [9, [], ''],
      [12, [1], 'x'.repeat(5000)],
      [4_294_967_295, [2], 'last'],
    ]);
    const view = await opened(memory, 16, 7);
    for (const row of walked(view, [1, 5, 9, 10, 12, 4_294_967_295])) {
      expect(row.found).toBe(memory.productIndex(row.id) >= 0);
      expect(row.categories).toEqual(Array.from(memory.categoriesOf(row.id), (k) => memory.categories[k]!.slug));
      expect(Buffer.from(row.name, 'hex').toString()).toBe(memory.productName(row.id) ?? '');
    }
  });

  it('reads each section only as far as the walk goes', async () => {
    const memory = build(Array.from({ length: 1000 }, (_, i) => [i + 1, [i % 3], `product ${i + 1}`] as const));
    const { file } = cacheFile(Buffer.concat(encodeCatalogCache(memory, key)));
    let read = 0;
    const counting: PositionalFile = { ...file, readAt: (b, o, l, p) => ((read += l), file.readAt(b, o, l, p)) };
    const view = await openCatalogCache(counting, key, { chunk: 256 });
    if (typeof view === 'string') throw new Error(view);
    read = 0; // the check read it all
    const walk = view.walk();
    walk.seek(10);
    walk.name();
    expect(read).toBeLessThanOrEqual(3 * 256); // a chunk of ids, of name offsets and of names
    expect(Buffer.from(walk.name().array.subarray(walk.name().start, walk.name().end)).toString()).toBe('product 10');
  });
});

describe('openCatalogCache: the checks of decodeCatalogCache, without holding the file', () => {
  const good = (): CatalogColumns => build([[2, [0], 'a'], [3, [1, 2], 'bc'], [7, [], '']]);
  const broken: Array<[string, (c: CatalogColumns) => CatalogColumns]> = [
    ['product ids out of order', (c) => ({ ...c, productIds: Uint32Array.from([3, 2, 7]) })],
    ['bad offsets', (c) => ({ ...c, categoryOffsets: Uint32Array.from([0, 2, 1, 4]) })],
    ['bad offsets', (c) => ({ ...c, nameOffsets: Uint32Array.from([1, 1, 3, 3]), nameBytes: Buffer.from('abc') })],
    ['category index out of range', (c) => ({ ...c, categoryIndexes: Uint32Array.from([0, 1, 2, 9]) })],
  ];

  it.each(broken)('refuses a cache whose checksum matches but whose columns are unsound: %s', async (reason, damage) => {
    const bytes = Buffer.concat(encodeCatalogCache(damage(good()), key));
    await expect(decodeCatalogCache(bytes, key)).resolves.toBe(reason);
    await expect(openCatalogCache(cacheFile(bytes, 5).file, key)).resolves.toBe(reason);
  });

  it.each([
    ['checksum mismatch', (b: Buffer) => void (b[b.length - 2]! ^= 1)],
    ['truncated or overlong', (b: Buffer) => b.subarray(0, b.length - 4)],
    ['truncated or overlong', (b: Buffer) => Buffer.concat([b, Buffer.alloc(4)])],
    ['stale: a catalog CSV changed', (b: Buffer) => void (b[20]! ^= 1)],
    ['not a catalog cache', () => Buffer.from('not a cache')],
  ])('says why, as decodeCatalogCache does: %s', async (reason, damage) => {
    const bytes = Buffer.concat(encodeCatalogCache(good(), key));
    const damaged = damage(bytes) ?? bytes;
    await expect(decodeCatalogCache(Buffer.from(damaged), key)).resolves.toBe(reason);
    await expect(openCatalogCache(cacheFile(damaged).file, key)).resolves.toBe(reason);
  });

  it('checks the whole of a cache longer than one piece of the check (16 MB)', async () => {
    const b = new CatalogBuilder([{ slug: 'toys', name: 'Toys' }]);
    for (let id = 1; id <= 200_000; id++) b.addProduct(id, [0], `${'n'.repeat(90)}${id}`);
    const bytes = Buffer.concat(encodeCatalogCache(b.build(), key));
    expect(bytes.length).toBeGreaterThan(16 << 20);
    const view = await openCatalogCache(cacheFile(bytes).file, key);
    expect(walked(view as CatalogView, [199_999])[0]!.name).toBe(Buffer.from(`${'n'.repeat(90)}199999`).toString('hex'));
    bytes[bytes.length - 100]! ^= 1; // in the last piece
    await expect(openCatalogCache(cacheFile(bytes).file, key)).resolves.toBe('checksum mismatch');
  });
});

describe('startOpeningCatalog', () => {
  const PRODUCTS = 'product_id,categories,name\n3,toys|books,Ball\n1,,Card\n2,garden,Zoë’s spade 🌱\n';

  it('walks a sound cache from its file, reading no CSV, and closes the file when told', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    const memory = await loadCatalog(DATA, { fs: m.fs });
    const parses = m.opens.get(paths.products);
    let closes = 0;
    const fs = { ...m.fs, openAt: async (path: string) => ({ ...(await m.fs.openAt(path)), close: () => void closes++ }) };
    const view = await (await startOpeningCatalog(DATA, { fs })).catalog;
    expect(m.opens.get(paths.products)).toBe(parses);
    expect(walked(view, [1, 2, 3, 4])).toEqual(walked(memory, [1, 2, 3, 4]));
    expect(closes).toBe(0);
    view.close();
    expect(closes).toBe(1);
  });

  it('parses the CSVs when the cache is damaged, and closes the file it opened', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    const memory = await loadCatalog(DATA, { fs: m.fs });
    const bytes = Buffer.from(m.vol.readFileSync(paths.cache) as Buffer);
    bytes[bytes.length - 3]! ^= 0x20;
    m.vol.writeFileSync(paths.cache, bytes);
    const parses = m.opens.get(paths.products)!;
    let closes = 0;
    const fs = { ...m.fs, openAt: async (path: string) => ({ ...(await m.fs.openAt(path)), close: () => void closes++ }) };
    const load = await startOpeningCatalog(DATA, { fs });
    const view = await load.catalog;
    await load.cached;
    expect(closes).toBe(1);
    expect(m.opens.get(paths.products)).toBe(parses + 1);
    expect(walked(view, [1, 2, 3, 4])).toEqual(walked(memory, [1, 2, 3, 4]));
  });

  /** m's fs, counting the bytes read through openAt and the syncs of the files it opens. */
  function watched(m: ReturnType<typeof memCatalog>) {
    let read = 0;
    let syncs = 0;
    const fs = {
      ...m.fs,
      openAt: async (path: string) => {
        const file = await m.fs.openAt(path);
        return { ...file, readAt: (b: Uint8Array, o: number, l: number, p: number) => ((read += l), file.readAt(b, o, l, p)), sync: () => (syncs++, file.sync()) };
      },
    };
    return { fs, bytesRead: () => read, syncs: () => syncs };
  }

  const MANY = `product_id,categories,name\n${Array.from({ length: 300 }, (_, i) => `${i + 1},toys,Product ${i + 1}\n`).join('')}`;

  it('checks the body of a cache once and makes it durable; given its note, reads the header alone of the same file', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: MANY });
    const memory = await loadCatalog(DATA, { fs: m.fs });
    const stamp = m.vol.statSync(paths.cache);
    const first = watched(m);
    const view = await (await startOpeningCatalog(DATA, { fs: first.fs })).catalog;
    expect(first.bytesRead()).toBeGreaterThanOrEqual(Number(stamp.size));
    expect(first.syncs()).toBe(1);
    expect(view.checked).toEqual({ size: Number(stamp.size), mtimeMs: Number(stamp.mtimeMs), ino: Number(stamp.ino), crc: expect.any(Number) });
    view.close();

    const again = watched(m);
    const trusted = await (await startOpeningCatalog(DATA, { fs: again.fs, checked: view.checked })).catalog;
    expect(again.bytesRead()).toBeLessThan(Number(stamp.size) / 10); // the header and the categories
    expect(again.syncs()).toBe(0);
    expect(trusted.checked).toEqual(view.checked);
    expect(walked(trusted, [1, 150, 300, 301])).toEqual(walked(memory, [1, 150, 300, 301]));
    trusted.close();
  });

  it('checks the body again when the note names another file or another checksum', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: MANY });
    const memory = await loadCatalog(DATA, { fs: m.fs });
    const note = (await (await startOpeningCatalog(DATA, { fs: m.fs })).catalog).checked!;
    const size = Number(m.vol.statSync(paths.cache).size);
    for (const other of [{ ...note, ino: note.ino + 1 }, { ...note, mtimeMs: note.mtimeMs + 1 }, { ...note, size: note.size + 4 }, { ...note, crc: note.crc ^ 1 }]) {
      const w = watched(m);
      const view = await (await startOpeningCatalog(DATA, { fs: w.fs, checked: other })).catalog;
      expect(w.bytesRead()).toBeGreaterThanOrEqual(size);
      expect(view.checked).toEqual(note);
      view.close();
    }

    // The file changed since it was noted (here damaged in place, with a new mtime): checked, refused, parsed anew.
    const bytes = Buffer.from(m.vol.readFileSync(paths.cache) as Buffer);
    bytes[bytes.length - 3]! ^= 0x20;
    m.vol.writeFileSync(paths.cache, bytes);
    m.vol.utimesSync(paths.cache, new Date(1_000), new Date(2_000));
    const parses = m.opens.get(paths.products)!;
    const load = await startOpeningCatalog(DATA, { fs: m.fs, checked: note });
    const view = await load.catalog;
    await load.cached;
    expect(m.opens.get(paths.products)).toBe(parses + 1);
    expect(view.checked).toBeUndefined(); // parsed from the CSVs: the cache written anew is checked on its next open
    expect(walked(view, [1, 150, 300, 301])).toEqual(walked(memory, [1, 150, 300, 301]));
  });

  it('opens a sound cache only once told to (checkAfter), and parses changed CSVs at once', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    const memory = await loadCatalog(DATA, { fs: m.fs });
    let opened = 0;
    const fs = { ...m.fs, openAt: async (path: string) => (opened++, m.fs.openAt(path)) };
    let go!: () => void;
    const load = await startOpeningCatalog(DATA, { fs, checkAfter: new Promise<void>((resolve) => (go = resolve)) });
    let settled = false;
    void load.catalog.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([opened, settled]).toEqual([0, false]);
    go();
    const view = await load.catalog;
    expect(opened).toBe(1);
    expect(walked(view, [1, 2, 3, 4])).toEqual(walked(memory, [1, 2, 3, 4]));
    view.close();

    // A CSV changed: the parse does not wait.
    m.vol.appendFileSync(paths.products, '4,toys,Kite\n');
    const parses = m.opens.get(paths.products)!;
    const parsed = await (await startOpeningCatalog(DATA, { fs: m.fs, checkAfter: new Promise<void>(() => undefined) })).catalog;
    expect(m.opens.get(paths.products)).toBe(parses + 1);
    expect(walked(parsed, [4])[0]).toEqual(walked(await loadCatalog(DATA, { fs: m.fs }), [4])[0]);
  });
});
