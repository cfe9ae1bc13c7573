// writeFileAtomic and writeFileAtomicInBackground take a file as parts (a
// count file is 60k views of a few buffers); parts that lie back to back are
// joined into one write, and runs of small parts are copied into one. Whatever
// the parts, the file holds their bytes in order, and no temp file is left.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicInBackground } from '../../src/fs/atomic.js';

const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Views of two buffers: runs back to back, a gap, an empty view, a view of the other buffer, overlapping ones. */
function parts(): Uint8Array[] {
  const a = new Uint8Array(4096).map((_, i) => i % 251);
  const b = new Uint8Array(64).fill(7);
  const view = (buf: Uint8Array, from: number, to: number) => new Uint8Array(buf.buffer, from, to - from);
  return [view(a, 0, 100), view(a, 100, 300), view(a, 300, 300), view(a, 300, 301), view(a, 500, 900), view(b, 0, 64), view(a, 901, 4096), view(a, 0, 10), view(a, 5, 20)];
}
const concat = (xs: Uint8Array[]) => Buffer.concat(xs);

/** 3000 small parts of separate buffers (more than one gathering buffer holds), with big ones among them. */
function manySmallParts(): Uint8Array[] {
  return Array.from({ length: 3000 }, (_, i) => new Uint8Array(i % 1000 === 999 ? 40_000 : 1 + ((i * 7919) % 4000)).fill(i % 256));
}

describe.each([
  ['writeFileAtomic', (path: string, xs: Uint8Array[]) => Promise.resolve(writeFileAtomic(path, xs, { durable: false }))],
  ['writeFileAtomicInBackground', writeFileAtomicInBackground],
])('%s', (_name, write) => {
  it('writes the parts in order, adjacent views joined or not, and leaves no temp file', async () => {
    const path = join(dir, `${_name}.bin`);
    await write(path, parts());
    expect(readFileSync(path).equals(concat(parts()))).toBe(true);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('writes runs of small parts of separate buffers in order, across gathering buffers', async () => {
    const path = join(dir, `${_name}-small.bin`);
    const xs = manySmallParts();
    expect(xs.slice(0, 999).reduce((n, x) => n + x.length, 0)).toBeGreaterThan(1 << 20);
    await write(path, xs);
    expect(readFileSync(path).equals(concat(xs))).toBe(true);
  });
});
