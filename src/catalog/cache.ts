// The binary catalog cache (DATA/state/catalog.bin): the catalog's typed
// arrays written out as they lie in memory, so a warm load is one read and a
// few views, no parsing (decodeCatalogCache), and a run need not load the
// products at all: it walks them in the file (openCatalogCache). Derived
// data: it is keyed on the stamps of both CSVs and carries a checksum, and
// anything that does not match is ignored and rebuilt, never trusted. A run
// checks a cache file once and keeps a note of it (openCatalogCache).
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
import { type CategoryInfo, type CheckedCache, sameCheckedCache } from './catalog.js';
import { CacheFileCatalog } from './cache-file.js';
import { type FileStamp, type PositionalFile, readFully } from './catalog-fs.js';
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

/** Where the sections of a cache file lie, from its header. */
export interface CacheLayout {
  /** Product count. */
  readonly n: number;
  /** Category index count (the CSR's length). */
  readonly k: number;
  /** Name bytes. */
  readonly b: number;
  /** Byte length of the categories JSON. */
  readonly json: number;
  /** Offset of each section: categories JSON, productIds, categoryOffsets, categoryIndexes, nameOffsets, nameBytes. */
  readonly starts: readonly number[];
  /** The file's length. */
  readonly size: number;
  readonly crc: number;
}

function layoutOf(head: Buffer): CacheLayout {
  const [json, n, k, b] = [64, 68, 72, 76].map((at) => head.readUInt32LE(at)) as [number, number, number, number];
  const sizes = [pad4(json), 4 * n, 4 * (n + 1), 4 * k, 4 * (n + 1), b];
  const starts = sizes.reduce<number[]>((acc, size) => [...acc, acc.at(-1)! + size], [HEADER]);
  return { n, k, b, json, starts: starts.slice(0, -1), size: starts.at(-1)!, crc: head.readUInt32LE(CHECKED_HEADER) };
}

/**
 * The checksum and the invariants lookups rely on, checked over the file
 * fed front to back in pieces of a multiple of 4 bytes, so that the read
 * which checks a cache need not hold it whole (openCatalogCache). A
 * matching checksum makes a broken invariant a writer bug rather than disk
 * damage, but checking costs ~50 ms at 10M products and turns such a bug
 * into a rebuild instead of wrong rankings.
 */
class CacheCheck {
  private at = 0;
  private crc = 0;
  private broken: string | undefined;
  private lastId = -1;
  /** The last category offset and name offset seen. */
  private readonly lastOffset = [0, 0];

  constructor(
    private readonly layout: CacheLayout,
    private readonly categoryCount: number,
  ) {}

  /** The next `piece` bytes of the file. */
  feed(piece: Uint8Array): void {
    const from = this.at;
    const to = from + piece.length;
    // The checksum covers the header up to itself, and everything after it.
    for (const [lo, hi] of [[0, CHECKED_HEADER], [HEADER, to]] as const) {
      const a = Math.max(lo, from);
      const z = Math.min(hi, to);
      if (a < z) this.crc = crc32(piece.subarray(a - from, z - from), this.crc); // never empty: see crcOf
    }
    const { starts, n, k } = this.layout;
    const lengths = [0, n, n + 1, k, n + 1];
    for (let s = 1; s <= 4 && !this.broken; s++) {
      const a = Math.max(from, starts[s]!);
      const z = Math.min(to, starts[s]! + 4 * lengths[s]!);
      if (a >= z) continue;
      const values = new Uint32Array(piece.buffer, piece.byteOffset + a - from, (z - a) / 4);
      const first = (a - starts[s]!) / 4;
      if (s === 1) this.ids(values);
      else if (s === 3) this.indexes(values);
      else this.offsets(values, first, s === 2 ? 0 : 1);
    }
    this.at = to;
  }

  /** Why the file fed is not a sound cache, or undefined. */
  result(): string | undefined {
    const { size, crc, k, b } = this.layout;
    if (this.at !== size) return 'truncated or overlong';
    if ((this.crc >>> 0) !== crc) return 'checksum mismatch';
    if (this.broken) return this.broken;
    if (this.lastOffset[0] !== k || this.lastOffset[1] !== b) return 'bad offsets';
    return undefined;
  }

  private ids(values: Uint32Array): void {
    let last = this.lastId;
    for (let i = 0; i < values.length; i++) {
      if (values[i]! <= last) {
        this.broken = 'product ids out of order';
        return;
      }
      last = values[i]!;
    }
    this.lastId = last;
  }

  private offsets(values: Uint32Array, first: number, which: 0 | 1): void {
    if (first === 0 && values[0] !== 0) this.broken = 'bad offsets';
    let last = this.lastOffset[which]!;
    for (let i = 0; i < values.length; i++) {
      if (values[i]! < last) this.broken = 'bad offsets';
      last = values[i]!;
    }
    this.lastOffset[which] = last;
  }

  private indexes(values: Uint32Array): void {
    for (let i = 0; i < values.length; i++) {
      if (values[i]! >= this.categoryCount) {
        this.broken = 'category index out of range';
        return;
      }
    }
  }
}

/** Bytes checked between two turns of the event loop: ~10 ms. */
const CHECK_PIECE = 16 << 20;

/**
 * The catalog in `file`, or why the file cannot be used (then the caller
 * rebuilds it). Asynchronous only to let the event loop run between pieces of
 * the check.
 */
export async function decodeCatalogCache(file: Buffer, key: CacheKey): Promise<ColumnarCatalog | string> {
  if (file.length < HEADER) return 'not a catalog cache';
  const mismatch = headerMismatch(file, key);
  if (mismatch) return mismatch;
  // Views need 4-byte alignment; a small read may sit at any offset of a pooled buffer.
  const buf = file.byteOffset % 4 === 0 ? file : Buffer.from(new Uint8Array(file));
  const layout = layoutOf(buf);
  if (layout.size !== buf.length) return 'truncated or overlong';
  const categories = categoriesOf(buf.subarray(HEADER, HEADER + layout.json));
  if (typeof categories === 'string') return categories;
  const check = new CacheCheck(layout, categories.length);
  for (let at = 0; at < buf.length; at += CHECK_PIECE) {
    check.feed(buf.subarray(at, at + CHECK_PIECE));
    await yieldToLoop();
  }
  const broken = check.result();
  if (broken) return broken;
  const { n, k, starts } = layout;
  const u32 = (section: number, count: number) => new Uint32Array(buf.buffer, buf.byteOffset + starts[section]!, count);
  return new ColumnarCatalog({
    categories,
    productIds: u32(1, n),
    categoryOffsets: u32(2, n + 1),
    categoryIndexes: u32(3, k),
    nameOffsets: u32(4, n + 1),
    nameBytes: buf.subarray(starts[5]!),
  });
}

export interface OpenCacheOptions {
  /** The bytes a walk reads of a section at a time (tests make it small). */
  readonly chunk?: number;
  /**
   * The note of a cache file an earlier open found sound (CacheFileCatalog's
   * `checked`): when it names this very file, with the checksum its header
   * carries, the checks of the body are skipped.
   */
  readonly checked?: CheckedCache;
}

/**
 * The catalog in a cache file left open, or why the file cannot be used
 * (the caller closes it then). The file is read once, front to back through
 * one buffer, for its checks, and its products then as they are walked
 * (CacheFileCatalog), never whole: at 10M products a run would otherwise read
 * 335 MB into new memory, and the first touch of a page costs more than ten
 * times the copy into it on the machine this was measured on (README, Speed).
 *
 * A file found sound is made durable, and the catalog carries a note of it
 * (`checked`) for the caller to keep: opened again with that note, the same
 * file is read for its header alone. A rebuilt cache is a new file (a new
 * inode), so it is checked again. At 10M products the check reads 335 MB,
 * ~0.3 s of CPU taken from the workers' map every hour (README, The catalog).
 */
export async function openCatalogCache(file: PositionalFile, key: CacheKey, options: OpenCacheOptions = {}): Promise<CacheFileCatalog | string> {
  const head = Buffer.alloc(HEADER);
  if (readFully(file, head, 0) < HEADER) return 'not a catalog cache';
  const mismatch = headerMismatch(head, key);
  if (mismatch) return mismatch;
  const layout = layoutOf(head);
  if (layout.size !== file.stamp.size) return 'truncated or overlong';
  const json = Buffer.alloc(layout.json);
  readFully(file, json, HEADER);
  const categories = categoriesOf(json);
  if (typeof categories === 'string') return categories;
  if (options.checked && sameCheckedCache(options.checked, { ...file.stamp, crc: layout.crc })) return new CacheFileCatalog(file, layout, categories, options.chunk, options.checked);
  const check = new CacheCheck(layout, categories.length);
  const piece = Buffer.allocUnsafeSlow(Math.min(CHECK_PIECE, layout.size));
  for (let at = 0; at < layout.size; at += piece.length) {
    const got = readFully(file, piece, at);
    if (got === 0) break;
    check.feed(piece.subarray(0, got));
    await yieldToLoop();
  }
  return check.result() ?? new CacheFileCatalog(file, layout, categories, options.chunk, synced(file) ? { ...file.stamp, crc: layout.crc } : undefined);
}

/** Whether a file found sound is now durable: a note of it must not outlive a crash that its bytes do not. */
function synced(file: PositionalFile): boolean {
  try {
    file.sync();
    return true;
  } catch {
    return false; // noted by no one: checked again next time
  }
}

/** The CRC-32 of the parts one after another. Empty parts are skipped: zlib restarts the CRC at 0 for the null pointer an empty ArrayBuffer may have. */
function crcOf(parts: readonly Uint8Array[]): number {
  return parts.reduce((crc, part) => (part.length === 0 ? crc : crc32(part, crc)), 0);
}

/** The category list of a cache, or why it is unsound. */
function categoriesOf(json: Buffer): CategoryInfo[] | string {
  let categories: CategoryInfo[];
  try {
    categories = parseCategories(json.toString('utf8'));
  } catch {
    return 'bad category list';
  }
  const sorted = categories.every((x, i, all) => i === 0 || all[i - 1]!.slug < x.slug);
  return sorted && categories.some((x) => x.slug === UNCATEGORIZED) ? categories : 'bad category list';
}

function parseCategories(json: string): CategoryInfo[] {
  const pairs = JSON.parse(json) as [string, string][];
  return pairs.map(([slug, name]) => Object.freeze({ slug, name }));
}
