// Task: lay out, encode and write parts of a release's top lists (CONTRACT.md
// §4; src/publish/documents.ts), and return each part's digest, in order,
// for the release id. A release's parts are shared among as many tasks as
// there are workers, which run at once; each lays out all of its lists at
// once, walking the catalog for their names (src/catalog/shared.ts). An
// hourly run writes over files already there (a recycled or blank release),
// which takes no lock of the directory; parts that create their files (a
// daily run's, a rerun's) contend for it, as two threads creating files in
// one directory do.
import { sharedCatalog, type SharedProducts } from '../src/catalog/shared.js';
import { type Window, TopListEncoder } from '../src/publish/documents.js';
import { type PackedLists, unpackLists } from '../src/rank/order.js';
import { PartFiles } from './write-file-batch.js';
import type { TaskResult } from './task-result.js';

export interface WriteTopListsTask {
  dir: string;
  /** Over the files there (see write-file-batch.ts). */
  inPlace: boolean;
  head: { generatedAt: string; window: Window };
  /** The catalog's products, for the names. */
  products: SharedProducts;
  /** Every list of the release. */
  lists: PackedLists;
  /** The lists this task's parts start at, then the end of its last. */
  bounds: number[];
  /** The file of each list from bounds[0] on: its path relative to dir, and its category (none: the overall list). */
  files: Array<{ path: string; category?: { slug: string; name: string } }>;
}

export function writeTopLists(task: WriteTopListsTask): TaskResult<string> {
  const { bounds } = task;
  const first = bounds[0];
  const encoder = TopListEncoder.layOut(sharedCatalog(task.products), unpackLists(task.lists, first, bounds[bounds.length - 1]), task.head);
  let digests = '';
  for (let p = 0; p + 1 < bounds.length; p++) {
    const files = new PartFiles(task.dir, task.inPlace);
    for (let k = bounds[p]; k < bounds[p + 1]; k++) {
      const { path, category } = task.files[k - first];
      const failed = files.write(path, encoder.encode(k - first, category ? 'category' : 'overall', category));
      if (failed) return failed;
    }
    digests += files.digest();
  }
  return { ok: true, value: digests };
}
