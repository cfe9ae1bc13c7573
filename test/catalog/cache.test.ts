import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogBuilder } from '../../src/catalog/build.js';
import { CACHE_VERSION, decodeCatalogCache, encodeCatalogCache } from '../../src/catalog/cache.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import { ColumnarCatalog } from '../../src/catalog/columnar.js';
import { loadCatalog, startLoadingCatalog } from '../../src/catalog/load.js';
import { ExitCode } from '../../src/errors.js';
import { catalogPaths } from '../../src/layout.js';
import { CATEGORIES, DATA, type MemCatalog, memCatalog, paths } from './memfs-catalog.js';

const PRODUCTS = 'product_id,categories,name\n3,toys|books,Ball\n1,,Card\n2,garden,Zoë’s spade 🌱\n';
const key = {
  categories: { size: 10, mtimeMs: 1_700_000_000_000.25, ino: 7 },
  products: { size: 20, mtimeMs: 1_700_000_000_001, ino: 8 },
};

const snapshot = (c: Catalog) => ({
  categories: c.categories,
  ids: Array.from(c.productIds),
  cats: Array.from(c.productIds, (id) => Array.from(c.categoriesOf(id))),
  names: Array.from(c.productIds, (id) => c.productName(id)),
});

/** Loads and says whether the CSVs were read (a parse) or not (the cache). */
async function loadCounting(m: MemCatalog) {
  const before = m.opens.get(paths.products) ?? 0;
  const catalog = await loadCatalog(DATA, { fs: m.fs });
  return { catalog, parsed: (m.opens.get(paths.products) ?? 0) > before };
}

function sampleCatalog(): ColumnarCatalog {
  const b = new CatalogBuilder([{ slug: 'toys', name: 'Toys, "fun"' }]);
  b.addProduct(9, [0], 'Ünï');
  b.addProduct(4, []);
  return b.build();
}

describe('catalog cache', () => {
  it('is written on the first load and used, without reading the CSVs, on the next', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    const first = await loadCounting(m);
    expect(first.parsed).toBe(true);
    expect(m.vol.existsSync(paths.cache)).toBe(true);
    const second = await loadCounting(m);
    expect(second.parsed).toBe(false);
    expect(snapshot(second.catalog)).toEqual(snapshot(first.catalog));
    expect(second.catalog.productName(2)).toBe('Zoë’s spade 🌱');
  });

  it.each([
    ['products.csv grows', (m: MemCatalog) => m.vol.appendFileSync(paths.products, '4,toys,Kite\n')],
    ['products.csv keeps its size but gets a new mtime', (m: MemCatalog) => {
      m.vol.writeFileSync(paths.products, PRODUCTS.replace('Ball', 'Bell'));
      m.vol.utimesSync(paths.products, 1, 1_234_567);
    }],
    ['products.csv is replaced by a file of the same size and mtime', (m: MemCatalog) => {
      const { mtime } = m.vol.statSync(paths.products);
      m.vol.writeFileSync(`${paths.products}.new`, PRODUCTS.replace('Ball', 'Bell'));
      m.vol.utimesSync(`${paths.products}.new`, mtime, mtime);
      m.vol.renameSync(`${paths.products}.new`, paths.products);
    }],
    ['categories.csv changes', (m: MemCatalog) => m.vol.appendFileSync(paths.categories, 'kites,Kites\n')],
  ])('is rebuilt when %s', async (_name, change) => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    await loadCounting(m);
    change(m);
    const after = await loadCounting(m);
    expect(after.parsed).toBe(true);
    const fresh = await loadCatalog(DATA, { fs: memCatalog({ categories: m.vol.readFileSync(paths.categories, 'utf8') as string, products: m.vol.readFileSync(paths.products, 'utf8') as string }).fs });
    expect(snapshot(after.catalog)).toEqual(snapshot(fresh));
    expect((await loadCounting(m)).parsed).toBe(false);
  });

  it.each([
    ['a flipped byte in the names', (b: Buffer) => void (b[b.length - 3]! ^= 0x20)],
    ['a flipped byte in the header key', (b: Buffer) => void (b[20]! ^= 1)],
    ['its second half zeroed, as a write torn by a crash leaves it', (b: Buffer) => void b.fill(0, b.length >> 1)],
    ['truncation', (b: Buffer) => b.subarray(0, b.length - 5)],
    ['an older format version', (b: Buffer) => void b.writeUInt32LE(CACHE_VERSION - 1, 8)],
    ['garbage', () => Buffer.from('not a cache at all')],
    ['an empty file', () => Buffer.alloc(0)],
  ])('is ignored and rebuilt after %s', async (_name, damage) => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    const good = snapshot((await loadCounting(m)).catalog);
    const bytes = Buffer.from(m.vol.readFileSync(paths.cache) as Buffer);
    m.vol.writeFileSync(paths.cache, damage(bytes) ?? bytes);
    const after = await loadCounting(m);
    expect(after.parsed).toBe(true);
    expect(snapshot(after.catalog)).toEqual(good);
    expect((await loadCounting(m)).parsed).toBe(false);
  });

  it('still returns the catalog when the cache cannot be written, and says why', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    const failures: unknown[] = [];
    const fs = { ...m.fs, writeFileAtomic: () => Promise.reject(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' })) };
    const c = await loadCatalog(DATA, { fs, onCacheWriteError: (err) => failures.push(err) });
    expect(c.productName(3)).toBe('Ball');
    expect(failures).toHaveLength(1);
  });

  it('never turns a CSV error into a stale success', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    await loadCounting(m);
    m.vol.appendFileSync(paths.products, '5,nope,x\n');
    await expect(loadCatalog(DATA, { fs: m.fs })).rejects.toMatchObject({ exitCode: ExitCode.usage, line: 5 });
  });
});

describe('startLoadingCatalog: the cache or the CSVs in the background', () => {
  const opened = (m: MemCatalog) => m.opens.get(paths.products) ?? 0;

  it('resolves before the cache is read whole when its stamps match, and reads no CSV', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    const good = snapshot((await loadCounting(m)).catalog);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fs = { ...m.fs, readFile: async (path: string) => (await gate, m.fs.readFile(path)) };
    const started = await startLoadingCatalog(DATA, { fs }); // would never resolve if it waited for the read
    release();
    expect(snapshot(await started.catalog)).toEqual(good);
    expect(opened(m)).toBe(1);
  });

  it('resolves before it parses CSVs newer than the cache; their error is the rejection of `catalog`', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    await loadCounting(m);
    m.vol.appendFileSync(paths.products, '5,nope,x\n');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fs = { ...m.fs, openRead: async (path: string) => (path === paths.products && (await gate), m.fs.openRead(path)) };
    const started = await startLoadingCatalog(DATA, { fs }); // would never resolve if it waited for the parse
    release();
    await expect(started.catalog).rejects.toMatchObject({ exitCode: ExitCode.usage, line: 5 });
  });

  it('resolves the parsed catalog before its cache is written; `cached` settles once it is', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    const good = snapshot((await loadCounting(m)).catalog);
    m.vol.appendFileSync(paths.products, '\n'); // a new stamp: the CSVs are parsed again
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const fs = { ...m.fs, writeFileAtomic: async (path: string, parts: readonly Uint8Array[]) => (await gate, m.fs.writeFileAtomic(path, parts)) };
    const started = await startLoadingCatalog(DATA, { fs });
    expect(snapshot(await started.catalog)).toEqual(good); // would never resolve if it waited for the write
    let cached = false;
    const written = started.cached.then(() => (cached = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(cached).toBe(false);
    release();
    await written;
    const again = await startLoadingCatalog(DATA, { fs: m.fs });
    expect(opened(m)).toBe(2); // the second load reads the new cache, not the CSV
    expect(snapshot(await again.catalog)).toEqual(good);
  });

  it('rebuilds from the CSVs, in the background, a cache whose header matches but whose body is damaged', async () => {
    const m = memCatalog({ categories: CATEGORIES, products: PRODUCTS });
    const good = snapshot((await loadCounting(m)).catalog);
    const bytes = Buffer.from(m.vol.readFileSync(paths.cache) as Buffer);
    bytes[bytes.length - 3]! ^= 0x20;
    m.vol.writeFileSync(paths.cache, bytes);
    const started = await startLoadingCatalog(DATA, { fs: m.fs });
    expect(opened(m)).toBe(1);
    expect(snapshot(await started.catalog)).toEqual(good);
    expect(opened(m)).toBe(2);
  });
});

describe('decodeCatalogCache', () => {
  const encoded = () => Buffer.concat(encodeCatalogCache(sampleCatalog(), key));

  it('round-trips every column', async () => {
    const decoded = await decodeCatalogCache(encoded(), key);
    expect(decoded).toBeInstanceOf(ColumnarCatalog);
    expect(snapshot(decoded as ColumnarCatalog)).toEqual(snapshot(sampleCatalog()));
  });

  it('round-trips an empty catalog', async () => {
    const empty = new CatalogBuilder([]).build();
    expect(snapshot((await decodeCatalogCache(Buffer.concat(encodeCatalogCache(empty, key)), key)) as ColumnarCatalog)).toEqual(snapshot(empty));
  });

  it('decodes from a buffer that is not 4-byte aligned', async () => {
    const bytes = encoded();
    const shifted = Buffer.alloc(bytes.length + 1);
    bytes.copy(shifted, 1);
    expect(snapshot((await decodeCatalogCache(shifted.subarray(1), key)) as ColumnarCatalog)).toEqual(snapshot(sampleCatalog()));
  });

  it('checks the whole of a cache longer than one piece of its checksum (16 MB)', async () => {
    const b = new CatalogBuilder([{ slug: 'toys', name: 'Toys' }]);
    for (let id = 1; id <= 200_000; id++) b.addProduct(id, [0], `${'n'.repeat(90)}${id}`);
    const big = b.build();
    const bytes = Buffer.concat(encodeCatalogCache(big, key));
    expect(bytes.length).toBeGreaterThan(16 << 20);
    expect(((await decodeCatalogCache(bytes, key)) as ColumnarCatalog).productName(199_999)).toBe(`${'n'.repeat(90)}199999`);
    bytes[bytes.length - 100]! ^= 1; // in the last piece
    await expect(decodeCatalogCache(bytes, key)).resolves.toMatch(/checksum/);
  });

  it('says why it refuses a cache', async () => {
    const bytes = encoded();
    await expect(decodeCatalogCache(bytes, { ...key, products: { ...key.products, ino: 9 } })).resolves.toMatch(/stale/);
    await expect(decodeCatalogCache(bytes.subarray(0, bytes.length - 1), key)).resolves.toMatch(/truncated/);
    const flipped = Buffer.from(bytes);
    flipped[flipped.length - 1]! ^= 1;
    await expect(decodeCatalogCache(flipped, key)).resolves.toMatch(/checksum/);
    const old = Buffer.from(bytes);
    old.writeUInt32LE(0, 8);
    await expect(decodeCatalogCache(old, key)).resolves.toMatch(/format version 0/);
  });
});

describe('catalog cache on the real file system', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates state/, writes catalog.bin atomically and leaves no temp file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'catalog-cache-'));
    const p = catalogPaths(dir);
    mkdirSync(p.dir);
    writeFileSync(p.categories, CATEGORIES);
    writeFileSync(p.products, PRODUCTS);
    const first = await loadCatalog(dir);
    expect(readdirSync(join(dir, 'state'))).toEqual(['catalog.bin']);
    expect(snapshot(await loadCatalog(dir))).toEqual(snapshot(first));
  });

  it('reports a missing catalog as a usage error naming the file', async () => {
    dir = mkdtempSync(join(tmpdir(), 'catalog-cache-'));
    await expect(loadCatalog(dir)).rejects.toMatchObject({ exitCode: ExitCode.usage, path: catalogPaths(dir).categories });
  });
});
