// The binary catalog cache (DATA/state/catalog.bin): the catalog's typed
// arrays written out as they lie in memory, so a warm load is one read and a
// few views, no parsing. Derived data: it is keyed on the stamps of both CSVs
// and carries a checksum, and anything that does not match is ignored and
// rebuilt, never trusted.
//
// The checksum is a CRC-32, not a cryptographic hash: it only has to catch
// damage (a write torn by a crash, which it is not fsynced against, or a bad
// disk block), never forgery, since whoever can write DATA/state can as well
// write the CSVs it is derived from. A CRC-32 catches every burst of up to 32
// bits and any other damage but for a 2^-32 chance, and zlib computes it over
// the 320 MB of a 10M-product cache in ~0.16 s, against ~0.31 s for the
// SHA-256 of format 1: half of a warm load.
//
// Byte layout, version 2. Integers are little-endian; the uint32 arrays are
// written in host order, so the byte-order mark rejects a cache from a
// big-endian host. Sections start 4-byte aligned so they can be viewed as
// Uint32Array without a copy.
//
//   offset size  field
//        0    8  magic "RPCATBIN"
//        8    4  format version (CACHE_VERSION)
//       12    4  byte-order mark 0x01020304, written in host order
//       16   48  key: float64 size, mtimeMs, ino of categories.csv, then of products.csv
//       64    4  C: categories JSON length in bytes
//       68    4  N: product count
//       72    4  K: category index count (the CSR's length)
//       76    4  B: name bytes
//       80    4  CRC-32 of bytes 0..80 and of everything from 84 to the end
//       84    C  categories: JSON [[slug, name], ...] sorted by slug, UTF-8, then zero padding to 4
//        …   4N  productIds       uint32[N]
//        …  4N+4 categoryOffsets  uint32[N + 1]
//        …   4K  categoryIndexes  uint32[K]
//        …  4N+4 nameOffsets      uint32[N + 1]
//        …    B  nameBytes        UTF-8 names back to back; the file ends here
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { crc32 } from 'node:zlib';
import type { CategoryInfo } from './catalog.js';
import type { FileStamp } from './catalog-fs.js';
import { type CatalogColumns, ColumnarCatalog } from './columnar.js';
import { UNCATEGORIZED } from '../layout.js';

export const CACHE_VERSION = 2;
const MAGIC = Buffer.from('RPCATBIN', 'latin1');
/** 0x01020304 in this host's byte order. */
const BYTE_ORDER_MARK = new Uint8Array(new Uint32Array([0x01020304]).buffer);
const CHECKED_HEADER = 80;
const HEADER = 84;

export interface CacheKey {
  readonly categories: FileStamp;
  readonly products: FileStamp;
}

const stamps = (key: CacheKey) => [key.categories, key.products].flatMap((s) => [s.size, s.mtimeMs, s.ino]);
const pad4 = (n: number) => (n + 3) & ~3;
const bytesOf = (a: Uint32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The cache file as a list of parts for writeFileAtomic (the big arrays are not copied). */
export function encodeCatalogCache(catalog: CatalogColumns, key: CacheKey): Uint8Array[] {
  const json = Buffer.from(JSON.stringify(catalog.categories.map((c) => [c.slug, c.name])));
  const jsonPadded = Buffer.alloc(pad4(json.length));
  json.copy(jsonPadded);
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(CACHE_VERSION, 8);
  header.set(BYTE_ORDER_MARK, 12);
  stamps(key).forEach((v, i) => header.writeDoubleLE(v, 16 + 8 * i));
  header.writeUInt32LE(json.length, 64);
  header.writeUInt32LE(catalog.productIds.length, 68);
  header.writeUInt32LE(catalog.categoryIndexes.length, 72);
  header.writeUInt32LE(catalog.nameBytes.length, 76);
  const body = [
    jsonPadded,
    bytesOf(catalog.productIds),
    bytesOf(catalog.categoryOffsets),
    bytesOf(catalog.categoryIndexes),
    bytesOf(catalog.nameOffsets),
    catalog.nameBytes,
  ];
  header.writeUInt32LE(crcOf([header.subarray(0, CHECKED_HEADER), ...body]), CHECKED_HEADER);
  return [header, ...body];
}

/** Bytes of a cache file that headerMismatch needs. */
export const KEYED_HEADER = 64;

/**
 * Why a cache file starting with `head` (at least KEYED_HEADER bytes) is not
 * one for these CSVs, or undefined when it is: then it is worth reading
 * whole, and decodeCatalogCache checks the rest.
 */
export function headerMismatch(head: Buffer, key: CacheKey): string | undefined {
  if (head.length < KEYED_HEADER || !head.subarray(0, 8).equals(MAGIC)) return 'not a catalog cache';
  if (head.readUInt32LE(8) !== CACHE_VERSION) return `format version ${head.readUInt32LE(8)}, expected ${CACHE_VERSION}`;
  if (!head.subarray(12, 16).equals(BYTE_ORDER_MARK)) return 'written with another byte order';
  if (stamps(key).some((v, i) => head.readDoubleLE(16 + 8 * i) !== v)) return 'stale: a catalog CSV changed';
  return undefined;
}

/**
 * The catalog in `file`, or why the file cannot be used (then the caller
 * rebuilds it). Asynchronous only to let the event loop run between pieces of
 * the checksum: a run decodes the cache while its workers map, and they wait
 * for this thread to hand them their next task.
 */
export async function decodeCatalogCache(file: Buffer, key: CacheKey): Promise<ColumnarCatalog | string> {
  if (file.length < HEADER) return 'not a catalog cache';
  const mismatch = headerMismatch(file, key);
  if (mismatch) return mismatch;
  // Views need 4-byte alignment; a small read may sit at any offset of a pooled buffer.
  const buf = file.byteOffset % 4 === 0 ? file : Buffer.from(new Uint8Array(file));
  const [c, n, k, b] = [64, 68, 72, 76].map((at) => buf.readUInt32LE(at)) as [number, number, number, number];
  const sizes = [pad4(c), 4 * n, 4 * (n + 1), 4 * k, 4 * (n + 1), b];
  if (HEADER + sizes.reduce((x, y) => x + y, 0) !== buf.length) return 'truncated or overlong';
  if ((await crcInPieces([buf.subarray(0, CHECKED_HEADER), buf.subarray(HEADER)])) !== buf.readUInt32LE(CHECKED_HEADER)) return 'checksum mismatch';

  const starts = sizes.reduce<number[]>((acc, size) => [...acc, acc.at(-1)! + size], [HEADER]);
  const u32 = (section: number, count: number) => new Uint32Array(buf.buffer, buf.byteOffset + starts[section]!, count);
  const columns: CatalogColumns = {
    categories: parseCategories(buf.toString('utf8', HEADER, HEADER + c)),
    productIds: u32(1, n),
    categoryOffsets: u32(2, n + 1),
    categoryIndexes: u32(3, k),
    nameOffsets: u32(4, n + 1),
    nameBytes: buf.subarray(starts[5]!),
  };
  const broken = checkColumns(columns);
  return broken ?? new ColumnarCatalog(columns);
}

/** The CRC-32 of the parts one after another. Empty parts are skipped: zlib restarts the CRC at 0 for the null pointer an empty ArrayBuffer may have. */
function crcOf(parts: readonly Uint8Array[]): number {
  return parts.reduce((crc, part) => (part.length === 0 ? crc : crc32(part, crc)), 0);
}

/** Bytes checksummed between two turns of the event loop: ~10 ms. */
const CRC_PIECE = 16 << 20;

/** crcOf, yielding to the event loop between pieces. */
async function crcInPieces(parts: readonly Uint8Array[]): Promise<number> {
  let crc = 0;
  for (const part of parts) {
    for (let at = 0; at < part.length; at += CRC_PIECE) {
      crc = crc32(part.subarray(at, at + CRC_PIECE), crc); // never empty: zlib would restart at 0 (see crcOf)
      await yieldToLoop();
    }
  }
  return crc;
}

function parseCategories(json: string): CategoryInfo[] {
  const pairs = JSON.parse(json) as [string, string][];
  return pairs.map(([slug, name]) => Object.freeze({ slug, name }));
}

/**
 * The invariants lookups rely on. A matching checksum makes a violation a
 * writer bug rather than disk damage, but checking costs ~50 ms at 10M
 * products and turns such a bug into a rebuild instead of wrong rankings.
 */
function checkColumns(c: CatalogColumns): string | undefined {
  const { productIds: ids, categoryOffsets: co, categoryIndexes: ci, nameOffsets: no } = c;
  const sorted = c.categories.every((x, i, all) => i === 0 || all[i - 1]!.slug < x.slug);
  if (!sorted || !c.categories.some((x) => x.slug === UNCATEGORIZED)) return 'bad category list';
  for (let i = 1; i < ids.length; i++) if (ids[i - 1]! >= ids[i]!) return 'product ids out of order';
  if (co[0] !== 0 || no[0] !== 0 || co[ids.length] !== ci.length || no[ids.length] !== c.nameBytes.length) return 'bad offsets';
  for (let i = 0; i < ids.length; i++) if (co[i]! > co[i + 1]! || no[i]! > no[i + 1]!) return 'bad offsets';
  const categoryCount = c.categories.length;
  for (let i = 0; i < ci.length; i++) if (ci[i]! >= categoryCount) return 'category index out of range';
  return undefined;
}
