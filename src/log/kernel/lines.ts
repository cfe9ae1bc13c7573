// AssemblyScript, compiled to dist/line-kernel.wasm by `npm run build`
// (asc, not tsc): the map's fast path over log lines (CONTRACT.md §2). It
// accepts only lines it is sure of, with the fields parseLine would give;
// at anything else (a bad line, a new date and hour, CRLF, the end of the
// bytes it may read) it stops and leaves the line to parseLine in
// line-scanner.ts, which names faults. line-kernel.ts loads it.
//
// Memory (imported, one per thread): [PREFIX, +13) the `YYYY-MM-DDTHH` of
// the lines it accepts; [OUT, +RECORD·BATCH) one record per accepted line;
// [IN, …) the log bytes. Records hold i32s: line start, productId,
// quantity, eventId start and end (equal without one), eventId FNV-1a hash;
// offsets are relative to IN.

const PREFIX: usize = 0;
export const OUT: u32 = 64;
export const RECORD: u32 = 24;
export const BATCH: u32 = 4096;
export const IN: u32 = 131072;

/** Where scan stopped: the start of the first line it did not take (relative to IN). */
export let next: u32 = 0;

/** Lines whose timestamp starts with the 13 bytes at IN + at are the ones scan accepts. */
export function setPrefix(at: u32): void {
  memory.copy(PREFIX, IN + at, 13);
}

// @ts-ignore: decorator
@inline function isDigit(b: u32): bool {
  return b - 48 <= 9;
}

// @ts-ignore: decorator
@inline function isEventByte(b: u32): bool {
  return (b | 32) - 97 <= 25 || b - 48 <= 9 || b == 95 || b == 46 || b == 58 || b == 45;
}

/**
 * One line at p: writes its record at out and returns the index of its
 * newline, or -1 to leave it to parseLine.
 */
// @ts-ignore: decorator
@inline function parseOne(p: usize, prefix: v128, out: usize): isize {
  const start = p;
  // productId: 1-10 digits, no leading zero, at most 2^32 - 1, then a comma.
  // Its length comes from one 16-byte compare, and its value from ten
  // multiply-adds that each keep or drop by a select: no branch on the length.
  const head = v128.load(p);
  const len = ctz(i8x16.bitmask(i8x16.eq(head, i8x16.splat(44))));
  if (len == 0 || len > 10 || load<u8>(p) == 48) return -1;
  const want: u32 = (1 << len) - 1;
  if ((i8x16.bitmask(i8x16.le_u(i8x16.sub(head, i8x16.splat(48)), i8x16.splat(9))) & want) != want) return -1;
  let id: u64 = 0;
  id = select<u64>(id * 10 + <u64>load<u8>(p, 0) - 48, id, 0 < len);
  id = select<u64>(id * 10 + <u64>load<u8>(p, 1) - 48, id, 1 < len);
  id = select<u64>(id * 10 + <u64>load<u8>(p, 2) - 48, id, 2 < len);
  id = select<u64>(id * 10 + <u64>load<u8>(p, 3) - 48, id, 3 < len);
  id = select<u64>(id * 10 + <u64>load<u8>(p, 4) - 48, id, 4 < len);
  id = select<u64>(id * 10 + <u64>load<u8>(p, 5) - 48, id, 5 < len);
  id = select<u64>(id * 10 + <u64>load<u8>(p, 6) - 48, id, 6 < len);
  id = select<u64>(id * 10 + <u64>load<u8>(p, 7) - 48, id, 7 < len);
  id = select<u64>(id * 10 + <u64>load<u8>(p, 8) - 48, id, 8 < len);
  id = select<u64>(id * 10 + <u64>load<u8>(p, 9) - 48, id, 9 < len);
  if (id > 0xffffffff) return -1;
  p += <usize>len + 1;
  // timestamp: the prefix, :MM:SS, .sss optional, Z, then a comma
  if ((i8x16.bitmask(i8x16.eq(v128.load(p), prefix)) & 0x1fff) != 0x1fff) return -1;
  if (load<u8>(p, 13) != 58 || <u32>load<u8>(p, 14) - 48 > 5 || !isDigit(load<u8>(p, 15)) ||
      load<u8>(p, 16) != 58 || <u32>load<u8>(p, 17) - 48 > 5 || !isDigit(load<u8>(p, 18))) return -1;
  // .sss or not (lines mix both), without a branch on which
  const dot = <usize>(load<u8>(p, 19) == 46);
  const millis = <usize>(isDigit(load<u8>(p, 20)) & isDigit(load<u8>(p, 21)) & isDigit(load<u8>(p, 22)));
  if (dot > millis) return -1;
  p += 19 + (dot << 2);
  if (load<u8>(p) != 90 || load<u8>(p, 1) != 44) return -1;
  p += 2;
  // quantity: -1000..1000, not 0, no leading zero
  const neg = load<u8>(p) == 45;
  if (neg) p++;
  const qStart = p;
  if (load<u8>(p) == 48) return -1;
  let q: i32 = 0;
  let d = <u32>load<u8>(p) - 48;
  while (d <= 9 && p - qStart < 4) {
    q = q * 10 + <i32>d;
    p++;
    d = <u32>load<u8>(p) - 48;
  }
  if (p == qStart || q > 1000) return -1;
  store<u32>(out, <u32>start - IN, 0);
  store<u32>(out, <u32>id, 4);
  store<i32>(out, neg ? -q : q, 8);
  let b = <u32>load<u8>(p);
  if (b == 10) {
    store<u64>(out, 0, 12);
    store<u32>(out, 0, 20);
    return p;
  }
  if (b != 44) return -1;
  p++;
  // eventId: 1-64 of [A-Za-z0-9_.:-], then the newline
  const eStart = p;
  let hash: u32 = 0x811c9dc5;
  while (p - eStart < 64) {
    b = load<u8>(p);
    if (!isEventByte(b)) break;
    hash = (hash ^ b) * 0x01000193;
    p++;
  }
  if (p == eStart || load<u8>(p) != 10) return -1;
  store<u32>(out, <u32>eStart - IN, 12);
  store<u32>(out, <u32>p - IN, 16);
  store<u32>(out, hash, 20);
  return p;
}

/**
 * Accepts lines from `from` while they start at or before `fastEnd`
 * (offsets relative to IN; the caller vouches for the longest line's bytes
 * past fastEnd), up to BATCH. Returns how many; `next` is where it stopped.
 */
export function scan(from: u32, fastEnd: u32): u32 {
  const prefix = v128.load(PREFIX);
  const last: usize = IN + fastEnd;
  let p: usize = IN + from;
  let out: usize = OUT;
  let n: u32 = 0;
  while (p <= last && n < BATCH) {
    const nl = parseOne(p, prefix, out);
    if (nl < 0) break;
    p = <usize>nl + 1;
    out += RECORD;
    n++;
  }
  next = <u32>p - IN;
  return n;
}
