// Writing JSON as bytes into a Buffer, for the daily rank shards (10M
// products, too many to build as strings; the hourly top lists have a
// WebAssembly kernel of their own, src/publish/kernel/items.ts). The hot
// loop keeps its buffer and offset in locals and calls these, which V8
// inlines.

/** Copies a few bytes to buf[at] (Buffer.copy costs more than the loop for so few); returns the index after them. */
export function putBytes(buf: Buffer, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) buf[at + i] = bytes[i];
  return at + bytes.length;
}

/** Writes the decimal digits of an integer (−2^31 .. 2^32−1) at buf[at]; returns the index after them. */
export function putInt(buf: Buffer, at: number, value: number): number {
  let n = value;
  if (n < 0) {
    buf[at++] = 0x2d; // -
    n = -n;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = (x / 10) >>> 0) digits++;
  let p = at + digits;
  const end = p;
  do {
    const q = (n / 10) >>> 0; // n < 2^32: an integer division without Math.floor's float round trip
    buf[--p] = 0x30 + n - q * 10;
    n = q;
  } while (n > 0);
  return end;
}
