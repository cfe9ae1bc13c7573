// Test helper: a catalog of named products, all uncategorized, built from its
// columns (names as raw bytes, which need not be valid UTF-8), for the layout
// of the lists.
import { ColumnarCatalog } from '../../src/catalog/columnar.js';

export function namedCatalog(ids: readonly number[], names: ReadonlyArray<Buffer | string>): ColumnarCatalog {
  const bytes = names.map((n) => (Buffer.isBuffer(n) ? n : Buffer.from(n)));
  const nameOffsets = new Uint32Array(bytes.length + 1);
  bytes.forEach((b, i) => (nameOffsets[i + 1] = nameOffsets[i] + b.length));
  return new ColumnarCatalog({
    categories: [{ slug: 'uncategorized', name: 'Uncategorized' }],
    productIds: Uint32Array.from(ids),
    categoryOffsets: new Uint32Array(ids.length + 1),
    categoryIndexes: new Uint32Array(0),
    nameOffsets,
    nameBytes: Buffer.concat(bytes),
  });
}
