import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogBuilder } from '../../src/catalog/build.js';
import { encodeCatalogCache, openCatalogCache } from '../../src/catalog/cache.js';
import type { CatalogView } from '../../src/catalog/catalog.js';
import { nodeCatalogFs } from '../../src/catalog/catalog-fs.js';
import type { ColumnarCatalog } from '../../src/catalog/columnar.js';
import { sharedCatalog } from '../../src/catalog/shared.js';
import { memCatalog } from './memfs-catalog.js';

const key = {
  categories: { size: 10, mtimeMs: 1_700_000_000_000, ino: 7 },
  products: { size: 20, mtimeMs: 1_700_000_000_001, ino: 8 },
};
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** 500 products in shuffled order (build() sorts them), some without categories or names. */
function built(): ColumnarCatalog {
  const b = new CatalogBuilder(['books', 'games', 'toys'].map((slug) => ({ slug, name: slug })));
  for (let k = 0; k < 500; k++) {
    const id = ((k * 7919) % 500) * 3 + 1;
    b.addProduct(id, id % 5 === 0 ? [] : [id % 3, (id + 1) % 3].filter((c, i, all) => all.indexOf(c) === i), id % 7 === 0 ? undefined : `product ${id} – ${'é'.repeat(id % 4)}`);
  }
  return b.build();
}

/** What a walk says of each id sought: found, category indexes, name bytes. */
function walked(view: Pick<CatalogView, 'walk'>, ids: readonly number[]) {
  const walk = view.walk();
  return ids.map((id) => {
    const found = walk.seek(id);
    const c = walk.categories();
    const n = walk.name();
    return { id, found, categories: [...c.array.subarray(c.start, c.end)], name: Buffer.from(n.array.subarray(n.start, n.end)).toString() };
  });
}

const SOUGHT = Array.from({ length: 1600 }, (_, i) => i);

describe('a catalog handed to another thread (CatalogView.share)', () => {
  it('is walked from a cache file by its descriptor as the file catalog walks it', async () => {
    const memory = built();
    const dir = mkdtempSync(join(tmpdir(), 'rank-shared-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'catalog.bin'), Buffer.concat(encodeCatalogCache(memory, key)));
    const view = await openCatalogCache(await nodeCatalogFs.openAt(join(dir, 'catalog.bin')), key, { chunk: 64 });
    if (typeof view === 'string') throw new Error(view);
    try {
      // As postMessage would hand it over.
      const shared = structuredClone(view.share());
      expect(shared.kind).toBe('file');
      expect(walked(sharedCatalog(shared), SOUGHT)).toEqual(walked(memory, SOUGHT));
      // Two walks at once, as two workers make them.
      const a = sharedCatalog(shared).walk();
      const b = sharedCatalog(shared).walk();
      a.seek(1000);
      b.seek(4);
      expect(Buffer.from(a.name().array.subarray(a.name().start, a.name().end)).toString()).toBe(memory.productName(1000));
      expect(Buffer.from(b.name().array.subarray(b.name().start, b.name().end)).toString()).toBe(memory.productName(4));
    } finally {
      view.close();
    }
  });

  it('is walked from the columns of a built catalog, which are shared memory and not copied', () => {
    const memory = built();
    const shared = structuredClone(memory.share());
    expect(walked(sharedCatalog(shared), SOUGHT)).toEqual(walked(memory, SOUGHT));
    if (shared.kind !== 'columns') throw new Error(shared.kind);
    for (const column of [shared.productIds, shared.categoryOffsets, shared.categoryIndexes, shared.nameOffsets, shared.nameBytes]) expect(column.buffer).toBeInstanceOf(SharedArrayBuffer);
    const first = memory.nameBytes[0];
    shared.nameBytes[0] = first ^ 1;
    expect(memory.nameBytes[0]).toBe(first ^ 1);
  });

  it('refuses a cache file of another file system, which has no descriptor to share', async () => {
    const m = memCatalog({});
    m.vol.writeFileSync('/catalog.bin', Buffer.concat(encodeCatalogCache(built(), key)));
    const view = await openCatalogCache(await m.fs.openAt('/catalog.bin'), key);
    if (typeof view === 'string') throw new Error(view);
    expect(() => view.share()).toThrow(/another file system/);
  });
});
