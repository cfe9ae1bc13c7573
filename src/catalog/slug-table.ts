// Finds a category slug in the bytes of products.csv (one slug of a product's
// `a|b|c` field) without making a string of it. products.csv has ~15M slug
// references at 10M products; cutting each out as a string and asking a Map
// would allocate and hash 15M short strings.

/** A byte that can be in a slug (CONTRACT §2: a-z, 0-9, '-'). */
const SLUG_BYTE = new Uint8Array(256);
for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789-') SLUG_BYTE[c.charCodeAt(0)] = 1;

export class SlugTable {
  /** Where the slug read by the last find() ended: the first byte after it that cannot be in a slug. */
  end = 0;
  private readonly mask: number;
  /**
   * Open addressing, linear probing: slot → slug index, or -1; a power of
   * two long. Read by products-kernel.ts, which copies the table.
   */
  readonly slots: Int32Array;
  /** Every slug's bytes back to back (slugs are ASCII), and where each starts (one more: the end). */
  readonly bytes: Buffer;
  readonly starts: Uint32Array;

  /** `slugs` are valid slugs (the builder checked them): a slug index is a position here. */
  constructor(slugs: readonly string[]) {
    let size = 16;
    while (size < slugs.length * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    this.bytes = Buffer.from(slugs.join(''), 'latin1');
    this.starts = new Uint32Array(slugs.length + 1);
    for (const [i, slug] of slugs.entries()) {
      const start = this.starts[i]!;
      this.starts[i + 1] = start + slug.length;
      let slot = hashOf(this.bytes, start, start + slug.length) & this.mask;
      while (this.slots[slot]! >= 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = i;
    }
  }

  /**
   * Reads the slug that starts at bytes[start] and runs up to the first byte
   * that cannot be in a slug (or `limit`), leaving that position in `end`.
   * Returns its index, or -1 when it is empty or not a known slug.
   */
  find(bytes: Uint8Array, start: number, limit: number): number {
    let h = FNV_OFFSET;
    let i = start;
    for (; i < limit; i++) {
      const c = bytes[i]!;
      if (SLUG_BYTE[c] === 0) break;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    this.end = i;
    const length = i - start;
    if (length === 0) return -1;
    for (let slot = (h >>> 0) & this.mask; ; slot = (slot + 1) & this.mask) {
      const index = this.slots[slot]!;
      if (index < 0) return -1;
      const at = this.starts[index]!;
      if (this.starts[index + 1]! - at === length && this.sameBytes(at, bytes, start, length)) return index;
    }
  }

  private sameBytes(at: number, bytes: Uint8Array, start: number, length: number): boolean {
    for (let j = 0; j < length; j++) if (this.bytes[at + j] !== bytes[start + j]) return false;
    return true;
  }
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over bytes, as find() computes it while it reads. */
function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h >>> 0;
}
