// Finds a category slug inside a longer string (one slug of a product's
// `a|b|c` field) without cutting it out first. products.csv has ~20M slug
// references at 10M products; splitting the field and asking a Map costs
// ~3x more, mostly in making and hashing the short strings.

export class SlugTable {
  private readonly mask: number;
  /** Open addressing, linear probing: slot → index in `slugs`, or -1. */
  private readonly slots: Int32Array;

  constructor(private readonly slugs: readonly string[]) {
    let size = 16;
    while (size < slugs.length * 2) size *= 2;
    this.mask = size - 1;
    this.slots = new Int32Array(size).fill(-1);
    for (const [i, slug] of slugs.entries()) {
      let slot = hash(slug, 0, slug.length) & this.mask;
      while (this.slots[slot]! >= 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = i;
    }
  }

  /** Index of `text.slice(start, end)` in the slugs, or -1. */
  find(text: string, start = 0, end = text.length): number {
    const length = end - start;
    for (let slot = hash(text, start, end) & this.mask; ; slot = (slot + 1) & this.mask) {
      const i = this.slots[slot]!;
      if (i < 0) return -1;
      const slug = this.slugs[i]!;
      if (slug.length === length && sameChars(slug, text, start)) return i;
    }
  }
}

/** text.startsWith(slug, start), but inlined by V8 where startsWith is a call. */
function sameChars(slug: string, text: string, start: number): boolean {
  for (let i = 0; i < slug.length; i++) if (slug.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}

/** FNV-1a over UTF-16 code units. */
function hash(text: string, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
