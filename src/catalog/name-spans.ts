// Where the names of many products lie in the catalog's name bytes, found for
// all of them at once: the ids sorted (with their positions) and walked
// beside the catalog's sorted ids. A binary search per product touches ~24
// places of a 40 MB array and then the name offsets, all at random: at the 3M
// items of an hourly release, those cache and TLB misses were most of the
// publish stage. The reduce jobs find the names of their lists this way.
import { radixSortPairs } from '../counts/count-table.js';
import type { Catalog } from './catalog.js';

/** Item i's name is the catalog's nameBytes[start[i] .. end[i]) (empty: no name). */
export interface NameSpans {
  start: Uint32Array;
  end: Uint32Array;
}

export type NameColumns = Pick<Catalog, 'productIds' | 'nameOffsets'>;

export function nameSpans(ids: Uint32Array, catalog: NameColumns): NameSpans {
  const total = ids.length;
  const item = new Int32Array(total);
  for (let i = 0; i < total; i++) item[i] = i;
  const [sortedIds, sortedItems] = radixSortPairs(ids.slice(), item, total);
  const start = new Uint32Array(total);
  const end = new Uint32Array(total);
  const { productIds: known, nameOffsets } = catalog;
  let c = 0;
  for (let i = 0; i < total; i++) {
    const id = sortedIds[i];
    while (c < known.length && known[c] < id) c++;
    if (c < known.length && known[c] === id) {
      start[sortedItems[i]] = nameOffsets[c];
      end[sortedItems[i]] = nameOffsets[c + 1];
    }
  }
  return { start, end };
}

/** The name columns in SharedArrayBuffers, for worker threads to read in place (copied unless they already are). */
export function sharedNameColumns(catalog: NameColumns): NameColumns {
  const share = (a: Uint32Array) => {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    const s = new Uint32Array(new SharedArrayBuffer(a.byteLength));
    s.set(a);
    return s;
  };
  return { productIds: share(catalog.productIds), nameOffsets: share(catalog.nameOffsets) };
}
