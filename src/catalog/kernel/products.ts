// AssemblyScript, compiled to dist/products-kernel.wasm by `npm run build`
// (asc, not tsc): the loader's fast path over the rows of products.csv
// (CONTRACT.md §2), `id,slug|slug,name`. It accepts only rows it is sure of,
// with what ProductsSink.scanLine would read from them: an id, a slug field
// of known slugs, none twice, at most 32 (either field perhaps in quotes),
// and a name that is unquoted without a quote in it, or quoted on one line.
// At anything else (a header, a blank line, a broken rule, a lone CR, the
// end of the bytes) it stops and leaves the line to products-csv.ts,
// which names faults. products-kernel.ts loads it and lays out the table and
// the input.
//
// Memory (imported, one per loader), a batch of rows as the builder's
// columns: [IDS) the product ids; [CAT_ENDS) where each row's category
// indexes end in [CATS) (a row without any gets the uncategorized one);
// [NAME_ENDS) where each row's name ends in [NAMES), where the names are
// copied back to back with doubled quotes made single. Ends count from the
// batch's start. Then the slug table and the input, where setup() and scan()
// say. The input is followed by one '\n' the kernel may read but never takes
// as a line end, so that no loop needs a bounds check, and by 16 bytes it
// may load and ignore.

export const BATCH: u32 = 4096;
export const CATS_CAP: u32 = 8 * BATCH;
export const NAMES_CAP: u32 = 64 * BATCH;
export const IDS: u32 = 64;
export const CAT_ENDS: u32 = IDS + 4 * BATCH;
export const NAME_ENDS: u32 = CAT_ENDS + 4 * BATCH;
export const CATS: u32 = NAME_ENDS + 4 * BATCH;
export const NAMES: u32 = CATS + 4 * CATS_CAP;
export const END: u32 = NAMES + NAMES_CAP;
const MAX_CATEGORIES: u32 = 32;

/** Where scan stopped: the start of the first row it did not take (relative to the input). */
export let next: u32 = 0;

// The slug table: open addressing on FNV-1a (slug-table.ts's hash), linear
// probing, 16-byte entries, so that finding a slug mostly touches one cache
// line of a table too big for the cache (30k slugs: 1 MB). An entry is a u32
// of the slug's index and its length << 24 (0xffffffff: empty), then the
// slug's bytes, zero-padded, when it has at most 12; a longer one keeps its
// first 8 bytes and, in its last 4, where all its bytes are.
let tableAt: usize = 0;
let mask: u32 = 0;
let uncategorized: u32 = 0;

export const ENTRY: u32 = 16;
export const INLINE: u32 = 12;

export function setup(table: usize, slotMask: u32, uncategorizedIndex: u32): void {
  tableAt = table;
  mask = slotMask;
  uncategorized = uncategorizedIndex;
}

// @ts-ignore: decorator
@inline function isSlugByte(c: u32): bool {
  return c - 97 <= 25 || c - 48 <= 9 || c == 45;
}

/** The low n bytes (0..8) of a u64 set. */
// @ts-ignore: decorator
@inline function lowBytes64(n: u32): u64 {
  return n >= 8 ? <u64>-1 : (<u64>1 << (<u64>n << 3)) - 1;
}

/** The slug index of memory [from, from + length), or -1 when it is not a known slug. */
// @ts-ignore: decorator
@inline function findSlug(from: usize, length: u32, hash: u32): i32 {
  const head = load<u64>(from) & lowBytes64(length);
  const rest = length > 8 ? load<u32>(from, 8) & <u32>lowBytes64(length - 8) : 0;
  let e = tableAt + (<usize>(hash & mask) << 4);
  let meta = load<u32>(e);
  while (meta != 0xffffffff) {
    if (meta >>> 24 == length && load<u64>(e, 4) == head) {
      if (length <= INLINE ? load<u32>(e, 12) == rest : memory.compare(<usize>load<u32>(e, 12) + 8, from + 8, length - 8) == 0) {
        return <i32>(meta & 0xffffff);
      }
    }
    e = tableAt + (((e - tableAt + ENTRY) & (<usize>mask << 4)));
    meta = load<u32>(e);
  }
  return -1;
}

/** Where the next line starts when the line ends at p (LF, or CRLF, before `last`); else -1. */
// @ts-ignore: decorator
@inline function lineEnd(p: usize, last: usize): isize {
  const c = load<u8>(p);
  if (c == 10) return p < last ? <isize>p + 1 : -1;
  if (c == 13 && load<u8>(p, 1) == 10 && p + 1 < last) return <isize>p + 2;
  return -1;
}

/**
 * Accepts rows of the input at `base` from `from` up to `end` (relative to
 * base; memory[base + end] is the sentinel '\n'), as one batch: up to BATCH
 * rows, while their categories and names fit. Returns how many; `next` is
 * where it stopped. `withName`: the header has the name column.
 */
export function scan(base: usize, from: u32, end: u32, withName: bool): u32 {
  const last: usize = base + end;
  let p: usize = base + from;
  let cats: u32 = 0;
  let names: u32 = 0;
  let n: u32 = 0;
  while (p < last && n < BATCH && cats <= CATS_CAP - MAX_CATEGORIES) {
    const nl = parseRow(p, last, withName, n, cats, names);
    if (nl < 0) break;
    cats = load<u32>(CAT_ENDS + (n << 2));
    names = load<u32>(NAME_ENDS + (n << 2));
    p = <usize>nl;
    n++;
  }
  next = <u32>(p - base);
  return n;
}

/**
 * Row n of the batch at p, its category indexes from CATS[cats] and its
 * name from NAMES[names]: returns where the next line starts, or -1 to
 * leave the row to JavaScript (nothing is then kept of it).
 */
// @ts-ignore: decorator
@inline function parseRow(p: usize, last: usize, withName: bool, n: u32, cats: u32, names: u32): isize {
  // The id: 1..10 digits, not starting with 0, at most 2^32 - 1, perhaps
  // in quotes (as some exports write every field), then a comma.
  const idQuoted = load<u8>(p) == 34;
  if (idQuoted) p++;
  const digits = p;
  let id: u64 = 0;
  let d = <u32>load<u8>(p) - 48;
  while (d <= 9 && p - digits < 11) {
    id = id * 10 + d;
    p++;
    d = <u32>load<u8>(p) - 48;
  }
  if (p == digits || p - digits > 10 || load<u8>(digits) == 48 || id > 0xffffffff) return -1;
  if (idQuoted && load<u8>(p++) != 34) return -1;
  if (load<u8>(p) != 44) return -1;
  p++;
  // The slugs, joined by '|', perhaps in quotes; none when the field is empty.
  const slugsQuoted = load<u8>(p) == 34;
  if (slugsQuoted) p++;
  let count: u32 = 0;
  const catsAt: usize = <usize>CATS + (<usize>cats << 2);
  let c = <u32>load<u8>(p);
  if (c != (slugsQuoted ? 34 : 44) && c != 10 && c != 13) {
    for (;;) {
      const from = p;
      let hash: u32 = 0x811c9dc5;
      while (isSlugByte(c)) {
        hash = (hash ^ c) * 0x01000193;
        p++;
        c = <u32>load<u8>(p);
      }
      if (p == from || p - from > 64 || count == MAX_CATEGORIES) return -1;
      const index = findSlug(from, <u32>(p - from), hash);
      if (index < 0) return -1;
      for (let j: u32 = 0; j < count; j++) if (load<i32>(catsAt + (<usize>j << 2)) == index) return -1;
      store<i32>(catsAt + (<usize>count << 2), index);
      count++;
      if (c != 124) break;
      p++;
      c = <u32>load<u8>(p);
    }
  }
  if (slugsQuoted) {
    if (c != 34) return -1;
    c = <u32>load<u8>(++p);
  }
  if (count == 0) {
    store<u32>(catsAt, uncategorized);
    count = 1;
  }
  // The name: none, unquoted without a quote, or quoted on this line.
  let nameStart = p;
  let nameEnd = p;
  let doubled = false;
  let nextLine = lineEnd(p, last);
  if (nextLine < 0) {
    if (c != 44 || !withName) return -1;
    p++;
    if (load<u8>(p) == 34) {
      nameStart = ++p;
      for (;;) {
        c = <u32>load<u8>(p);
        if (c == 10 || c == 13) return -1;
        if (c == 34) {
          if (load<u8>(p, 1) != 34) break;
          doubled = true;
          p++;
        }
        p++;
      }
      nameEnd = p;
      nextLine = lineEnd(p + 1, last);
    } else {
      nameStart = p;
      c = <u32>load<u8>(p);
      while (c != 44 && c != 10 && c != 13 && c != 34) {
        p++;
        c = <u32>load<u8>(p);
      }
      nameEnd = p;
      nextLine = lineEnd(p, last);
    }
    if (nextLine < 0) return -1;
  }
  // The name at most as long as its bytes in the file: a batch ends before one that does not fit.
  if (nameEnd - nameStart > NAMES_CAP - names) return -1;
  let to: usize = <usize>NAMES + names;
  if (doubled) {
    for (let q = nameStart; q < nameEnd; q++, to++) {
      const b = load<u8>(q);
      store<u8>(to, b);
      if (b == 34) q++;
    }
  } else {
    // A loop, not memory.copy: names are short, and V8 makes memory.copy a call.
    for (let q = nameStart; q < nameEnd; q++, to++) store<u8>(to, load<u8>(q));
  }
  store<u32>(IDS + (n << 2), <u32>id);
  store<u32>(CAT_ENDS + (n << 2), cats + count);
  store<u32>(NAME_ENDS + (n << 2), <u32>(to - NAMES));
  return nextLine;
}
