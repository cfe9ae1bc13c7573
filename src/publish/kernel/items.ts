// AssemblyScript, compiled to dist/items-kernel.wasm by `npm run build`
// (asc, not tsc): the items of a top list file (CONTRACT.md §4), written as
// JSON.stringify would write them. documents.ts loads it and lays out its
// memory; the kernel only follows pointers.
//
// An item's record is four i32s: productId, sales, the address of its name
// and the name's length (0: no name). The name is already what goes between
// the quotes: documents.ts escapes the few names that need it. Literals and
// names are stored 16 bytes at a time, so the output needs 16 bytes of room
// past its end and a name 16 bytes readable past its own.

export const RECORD: u32 = 16;

// {"rank":
const RANK: u64 = 0x3a226b6e6172227b;
// ,"productId":
const PRODUCT_ID: v128 = i8x16(44, 34, 112, 114, 111, 100, 117, 99, 116, 73, 100, 34, 58, 0, 0, 0);
// ,"sales":
const SALES: v128 = i8x16(44, 34, 115, 97, 108, 101, 115, 34, 58, 0, 0, 0, 0, 0, 0, 0);
// ,"name":"
const NAME: v128 = i8x16(44, 34, 110, 97, 109, 101, 34, 58, 34, 0, 0, 0, 0, 0, 0, 0);

/** Decimal digits of n, counted without a branch. */
// @ts-ignore: decorator
@inline function digits(n: u32): usize {
  return 1 + <usize>(n >= 10) + <usize>(n >= 100) + <usize>(n >= 1000) + <usize>(n >= 10000) + <usize>(n >= 100000) +
    <usize>(n >= 1000000) + <usize>(n >= 10000000) + <usize>(n >= 100000000) + <usize>(n >= 1000000000);
}

/** Writes n in decimal at p; returns the address after it. */
// @ts-ignore: decorator
@inline function putU32(p: usize, n: u32): usize {
  const end = p + digits(n);
  let q = end;
  do {
    const d = n / 10;
    q--;
    store<u8>(q, 48 + n - d * 10);
    n = d;
  } while (n != 0);
  return end;
}

/**
 * Writes the items of the n records at rec, ranked 1..n and joined by
 * commas, at out; returns the address after the last one.
 */
export function items(rec: usize, n: u32, out: usize): usize {
  let o = out;
  for (let i: u32 = 0; i < n; i++) {
    const r = rec + <usize>i * RECORD;
    if (i != 0) store<u8>(o++, 44); // ,
    store<u64>(o, RANK);
    o = putU32(o + 8, i + 1);
    v128.store(o, PRODUCT_ID);
    o = putU32(o + 13, load<u32>(r));
    v128.store(o, SALES);
    o += 9;
    const sales = load<i32>(r, 4);
    if (sales < 0) store<u8>(o++, 45); // -
    o = putU32(o, <u32>abs(sales));
    const len = <usize>load<u32>(r, 12);
    if (len != 0) {
      v128.store(o, NAME);
      o += 9;
      const name = <usize>load<u32>(r, 8);
      for (let k: usize = 0; k < len; k += 16) v128.store(o + k, v128.load(name + k));
      o += len;
      store<u8>(o++, 34); // "
    }
    store<u8>(o++, 125); // }
  }
  return o;
}
