// The catalog a run uses: the categories in memory, the products left in the
// cache file and read as they are walked. Both of a run's uses of the
// products walk them in id order (the names of the listed products, the
// categories of an hour's), so a walk reads each section it needs front to
// back through a buffer of its own, and the run never holds the 335 MB of a
// 10M-product catalog: on the machine this was measured on, reading them
// into new memory cost ~0.6 s of CPU (the kernel zeroing the pages) while the
// workers needed both cores for the map (README, Speed, session 23).
import type { CacheLayout } from './cache.js';
import type { CatalogView, CategoryInfo, CheckedCache, ProductWalk, Span } from './catalog.js';
import { type PositionalFile, readFully } from './catalog-fs.js';
import { spanOf } from './columnar.js';
import type { SharedProducts } from './shared.js';
import { UNCATEGORIZED } from '../layout.js';

/** Bytes a walk reads of a section at a time. */
const CHUNK = 1 << 20;

export class CacheFileCatalog implements CatalogView {
  private readonly slugIndex: Map<string, number>;
  /** What a walk gives for a product the catalog lacks, shared as ColumnarCatalog shares its own. */
  private readonly uncategorizedOnly: Uint32Array;

  constructor(
    private readonly file: PositionalFile,
    private readonly layout: CacheLayout,
    readonly categories: readonly CategoryInfo[],
    private readonly chunk = CHUNK,
    /** The note of this file, found sound and made durable (cache.ts, openCatalogCache). */
    readonly checked?: CheckedCache,
  ) {
    this.slugIndex = new Map(categories.map((c, i) => [c.slug, i]));
    this.uncategorizedOnly = Uint32Array.of(this.slugIndex.get(UNCATEGORIZED)!);
  }

  categoryIndex(slug: string): number {
    return this.slugIndex.get(slug) ?? -1;
  }

  walk(): ProductWalk {
    return new FileWalk(this.file, this.layout, this.uncategorizedOnly, this.chunk);
  }

  /** The file by its descriptor, which the threads of this process share. */
  share(): SharedProducts {
    const { fd } = this.file;
    if (fd === undefined) throw new Error('a catalog cache file of another file system cannot be walked from another thread');
    return { kind: 'file', fd, layout: this.layout, chunk: this.chunk, uncategorized: this.uncategorizedOnly[0]! };
  }

  /** Lets the file go; a walk after this fails. */
  close(): void {
    this.file.close();
  }
}

/**
 * A section of the file (its bytes from 0), held a chunk at a time in a
 * buffer of its own and read forward as a walk asks for later bytes.
 */
class Section {
  bytes: Buffer;
  words: Uint32Array;
  /** The section's bytes [from, to) are in `bytes` from 0. */
  from = 0;
  to = 0;

  constructor(
    private readonly file: ReadableAt,
    private readonly start: number,
    private readonly size: number,
    chunk: number,
  ) {
    this.bytes = Buffer.allocUnsafeSlow(Math.min(chunk, size));
    this.words = new Uint32Array(this.bytes.buffer, 0, this.bytes.length >>> 2);
  }

  /** Holds the bytes [a, b) (a 4-aligned when words are read there); returns where a is in `bytes`. */
  hold(a: number, b: number): number {
    if (a >= this.from && b <= this.to) return a - this.from;
    if (b - a > this.bytes.length) {
      this.bytes = Buffer.allocUnsafeSlow(b - a);
      this.words = new Uint32Array(this.bytes.buffer, 0, this.bytes.length >>> 2);
    }
    const length = Math.min(this.bytes.length, this.size - a);
    const got = readFully(this.file, this.bytes.subarray(0, length), this.start + a);
    if (got < length) throw new Error(`catalog cache shrank while open: ${length - got} bytes missing at ${this.start + a + got}`);
    this.from = a;
    this.to = a + length;
    return 0;
  }

  /** The uint32 at index i. */
  word(i: number): number {
    return this.words[this.hold(4 * i, 4 * i + 4) >>> 2]!;
  }
}

/** What a walk reads the file through. */
export type ReadableAt = Pick<PositionalFile, 'readAt'>;

/** A walk along the file's sections (see Section). */
export class FileWalk implements ProductWalk {
  private at = 0;
  private found = false;
  private ids: Section | undefined;
  private categoryOffsets: Section | undefined;
  private categoryIndexes: Section | undefined;
  private nameOffsets: Section | undefined;
  private names: Section | undefined;
  private readonly cats: Span<Uint32Array> = { array: new Uint32Array(0), start: 0, end: 0 };
  private readonly nameSpan: Span<Uint8Array> = { array: new Uint8Array(0), start: 0, end: 0 };

  constructor(
    private readonly file: ReadableAt,
    private readonly layout: CacheLayout,
    private readonly uncategorizedOnly: Uint32Array,
    private readonly chunk: number,
  ) {}

  /** Section s of the layout, opened when first needed: a walk for names never reads the categories. */
  private section(s: number): Section {
    const { starts, size } = this.layout;
    return new Section(this.file, starts[s]!, (starts[s + 1] ?? size) - starts[s]!, this.chunk);
  }

  seek(id: number): boolean {
    const ids = (this.ids ??= this.section(1));
    const n = this.layout.n;
    // Along the chunk held, then the next: a walk visits every chunk once.
    while (this.at < n) {
      const first = ids.hold(4 * this.at, 4 * this.at + 4) >>> 2;
      const held = (ids.to - ids.from) >>> 2;
      const words = ids.words;
      let j = first;
      while (j < held && words[j]! < id) j++;
      this.at += j - first;
      if (j < held) break;
    }
    return (this.found = this.at < n && ids.word(this.at) === id);
  }

  categories(): Span<Uint32Array> {
    if (!this.found) return spanOf(this.cats, this.uncategorizedOnly, 0, 1);
    const offsets = (this.categoryOffsets ??= this.section(2));
    const o = offsets.hold(4 * this.at, 4 * this.at + 8) >>> 2;
    const start = offsets.words[o]!;
    const end = offsets.words[o + 1]!;
    if (start === end) return spanOf(this.cats, this.uncategorizedOnly, 0, 0);
    const indexes = (this.categoryIndexes ??= this.section(3));
    const first = indexes.hold(4 * start, 4 * end) >>> 2;
    return spanOf(this.cats, indexes.words, first, first + end - start);
  }

  name(): Span<Uint8Array> {
    if (!this.found) return spanOf(this.nameSpan, this.nameSpan.array, 0, 0);
    const offsets = (this.nameOffsets ??= this.section(4));
    const o = offsets.hold(4 * this.at, 4 * this.at + 8) >>> 2;
    const start = offsets.words[o]!;
    const end = offsets.words[o + 1]!;
    if (start === end) return spanOf(this.nameSpan, this.nameSpan.array, 0, 0);
    const names = (this.names ??= this.section(5));
    const first = names.hold(start, end);
    return spanOf(this.nameSpan, names.bytes, first, first + end - start);
  }
}
