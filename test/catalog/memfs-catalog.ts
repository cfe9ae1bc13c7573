// Test helper: a catalog data directory on memfs, and the CatalogFs that
// loadCatalog reads it through, counting the CSV reads so tests can tell a
// load from the cache from a parse.
import { Volume } from 'memfs';
import { dirname } from 'node:path';
import type { CatalogFs } from '../../src/catalog/catalog-fs.js';
import { catalogPaths } from '../../src/layout.js';

export const DATA = '/data';
export const paths = catalogPaths(DATA);

export interface MemCatalog {
  vol: InstanceType<typeof Volume>;
  fs: CatalogFs;
  /** How many times each file was opened to be read. */
  opens: Map<string, number>;
}

/**
 * `chunk` caps the bytes a read returns, so that tests can cut lines, UTF-8
 * characters and CRLF pairs across reads.
 */
export function memCatalog(files: { categories?: string; products?: string }, chunk = 64 * 1024): MemCatalog {
  const vol = new Volume();
  vol.mkdirSync(paths.dir, { recursive: true });
  if (files.categories !== undefined) vol.writeFileSync(paths.categories, files.categories);
  if (files.products !== undefined) vol.writeFileSync(paths.products, files.products);
  const opens = new Map<string, number>();
  const fs: CatalogFs = {
    async stat(path) {
      const s = await vol.promises.stat(path);
      return { size: Number(s.size), mtimeMs: Number(s.mtimeMs), ino: Number(s.ino) };
    },
    async openRead(path) {
      const handle = await vol.promises.open(path, 'r');
      opens.set(path, (opens.get(path) ?? 0) + 1);
      return {
        read: async (buffer, offset, length) => (await handle.read(buffer, offset, Math.min(length, chunk), null)).bytesRead,
        close: () => handle.close(),
      };
    },
    async openAt(path) {
      const fd = vol.openSync(path, 'r');
      opens.set(path, (opens.get(path) ?? 0) + 1);
      const s = vol.fstatSync(fd);
      return {
        stamp: { size: Number(s.size), mtimeMs: Number(s.mtimeMs), ino: Number(s.ino) },
        readAt: (buffer, offset, length, position) => vol.readSync(fd, buffer, offset, Math.min(length, chunk), position),
        sync: () => vol.fsyncSync(fd),
        close: () => vol.closeSync(fd),
      };
    },
    readFile: async (path) => Buffer.from(await vol.promises.readFile(path)),
    async writeFileAtomic(path, parts) {
      vol.mkdirSync(dirname(path), { recursive: true });
      vol.writeFileSync(`${path}.tmp`, Buffer.concat(parts));
      vol.renameSync(`${path}.tmp`, path);
    },
  };
  return { vol, fs, opens };
}

export const CATEGORIES = 'slug,name\ntoys,Toys\nbooks,Books\ngarden,"Garden, patio"\n';
