// A catalog's products handed to another thread of the run and walked there
// (the workers lay out the lists' names, jobs/write-top-lists.ts): the cache
// file by its descriptor, which every thread of a process shares, or the
// columns in memory, which a catalog parsed from the CSVs holds in
// SharedArrayBuffers (build.ts), so that neither is copied. Columns in other
// memory (a test's) are copied on their way to a worker.
import { readSync } from 'node:fs';
import type { CacheLayout } from './cache.js';
import { FileWalk } from './cache-file.js';
import type { CatalogView } from './catalog.js';
import { ColumnWalk, type WalkedColumns } from './columnar.js';

export type SharedProducts =
  | { readonly kind: 'file'; readonly fd: number; readonly layout: CacheLayout; readonly chunk: number; readonly uncategorized: number }
  | ({ readonly kind: 'columns'; readonly uncategorized: number } & Omit<WalkedColumns, 'uncategorizedOnly'>);

/** The products as this thread walks them; a file's descriptor stays its owner's to close. */
export function sharedCatalog(shared: SharedProducts): Pick<CatalogView, 'walk'> {
  const uncategorizedOnly = Uint32Array.of(shared.uncategorized);
  if (shared.kind === 'columns') return { walk: () => new ColumnWalk({ ...shared, uncategorizedOnly }) };
  const file = { readAt: (buffer: Uint8Array, offset: number, length: number, position: number) => readSync(shared.fd, buffer, offset, length, position) };
  return { walk: () => new FileWalk(file, shared.layout, uncategorizedOnly, shared.chunk) };
}
