// Writing JSON as bytes into a Buffer, for the files too many or too big to
// build as strings: the hourly top lists (3M items) and the daily rank shards
// (10M products). The hot loops keep their buffer and offset in locals and
// call these, which V8 inlines.

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
