// The count file: net units per product for a span of hours (one hour, one
// day, or the 168-hour window), for the global log and every category, in one
// file. One file per hour rather than one per category per hour: 30k
// categories would make millions of files a week.
//
// Layout, little-endian, every array 4-byte aligned:
//   0  "RPCOUNT1"            magic, 8 bytes
//   8  u32 format version    1
//  12  i32 spanStart         first hour (hours since the epoch)
//  16  i32 spanEnd           hour after the last
//  20  u32 G                 groups: the global log ('' , always first) then categories by slug
//  24  u32 N                 entries in all groups
//  28  u32 S                 bytes of the slug table
//  32  u32 offsets[G+1]      entry index where group g starts; offsets[G] = N
//      f64 lines[G]          lines counted per group (after eventId dedupe); 8-aligned by padding
//      u32 ids[N]            product ids, ascending within each group
//      i32 sales[N]          net units, never 0
//      u8  slugs[S]          JSON array of the G group names
// Files the pipeline wrote itself are trusted to be well formed: a file that
// fails these checks is a bug or disk corruption and fails loudly (exit 70).
import { readFileSync } from 'node:fs';
import { type Block, EMPTY_BLOCK } from './count-table.js';
import { dirname } from 'node:path';
import { mkdirDurable, writeFileAtomic, writeFileAtomicInBackground } from '../fs/atomic.js';

export const GLOBAL = '';

export interface CountSet {
  spanStart: number;
  spanEnd: number;
  /** Group name ('' = global, else category slug) → counts. */
  groups: Map<string, Block>;
  /** Group name → lines counted. */
  lines: Map<string, number>;
}

const MAGIC = 'RPCOUNT1';
const HEADER = 32;

export const emptyCountSet = (spanStart: number, spanEnd: number): CountSet => ({ spanStart, spanEnd, groups: new Map(), lines: new Map() });

/** The order of groups in a count file: the global log first, then categories by slug. */
export const compareGroups = (a: string, b: string) => (a === GLOBAL ? -1 : b === GLOBAL ? 1 : a < b ? -1 : a > b ? 1 : 0);

const sortedGroups = (set: CountSet) => [...set.groups.keys()].sort(compareGroups);

export function encodeCountSet(set: CountSet): Uint8Array[] {
  const names = sortedGroups(set);
  const g = names.length;
  let n = 0;
  for (const name of names) n += set.groups.get(name)!.ids.length;
  const slugs = Buffer.from(JSON.stringify(names));
  const offsetsBytes = (g + 1) * 4;
  const pad = (HEADER + offsetsBytes) % 8 === 0 ? 0 : 4;
  const head = Buffer.alloc(HEADER + offsetsBytes + pad + g * 8);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt32LE(1, 8);
  head.writeInt32LE(set.spanStart, 12);
  head.writeInt32LE(set.spanEnd, 16);
  head.writeUInt32LE(g, 20);
  head.writeUInt32LE(n, 24);
  head.writeUInt32LE(slugs.length, 28);
  let at = 0;
  names.forEach((name, i) => {
    head.writeUInt32LE(at, HEADER + i * 4);
    head.writeDoubleLE(set.lines.get(name) ?? 0, HEADER + offsetsBytes + pad + i * 8);
    at += set.groups.get(name)!.ids.length;
  });
  head.writeUInt32LE(at, HEADER + g * 4);
  const parts: Uint8Array[] = [head];
  for (const name of names) parts.push(bytes(set.groups.get(name)!.ids));
  for (const name of names) parts.push(bytes(set.groups.get(name)!.sales));
  parts.push(slugs);
  return parts;
}

const bytes = (a: Uint32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export function decodeCountSet(file: Uint8Array, path: string): CountSet {
  const buf = file.byteOffset % 8 === 0 ? Buffer.from(file.buffer, file.byteOffset, file.byteLength) : Buffer.from(file);
  const fail = (why: string) => new Error(`${path}: corrupt count file (${why}); delete it and run \`rank-pipeline rerun\` for its hours`);
  if (buf.length < HEADER || buf.toString('latin1', 0, 8) !== MAGIC) throw fail('bad magic');
  if (buf.readUInt32LE(8) !== 1) throw fail(`unknown version ${buf.readUInt32LE(8)}`);
  const g = buf.readUInt32LE(20);
  const n = buf.readUInt32LE(24);
  const s = buf.readUInt32LE(28);
  const offsetsBytes = (g + 1) * 4;
  const pad = (HEADER + offsetsBytes) % 8 === 0 ? 0 : 4;
  const linesAt = HEADER + offsetsBytes + pad;
  const idsAt = linesAt + g * 8;
  const salesAt = idsAt + n * 4;
  if (buf.length !== salesAt + n * 4 + s) throw fail('length does not match header');
  const names = JSON.parse(buf.toString('utf8', salesAt + n * 4)) as string[];
  const offsets = new Uint32Array(buf.buffer, buf.byteOffset + HEADER, g + 1);
  const ids = new Uint32Array(buf.buffer, buf.byteOffset + idsAt, n);
  const sales = new Int32Array(buf.buffer, buf.byteOffset + salesAt, n);
  const set = emptyCountSet(buf.readInt32LE(12), buf.readInt32LE(16));
  names.forEach((name, i) => {
    const [a, b] = [offsets[i], offsets[i + 1]];
    set.groups.set(name, a === b ? EMPTY_BLOCK : { ids: ids.subarray(a, b), sales: sales.subarray(a, b) });
    set.lines.set(name, buf.readDoubleLE(linesAt + i * 8));
  });
  return set;
}

/** `durable: false` for a file that can be recomputed when lost (the window), saving an fsync of ~200 MB. */
export function writeCountFile(path: string, set: CountSet, options: { durable?: boolean } = {}): void {
  mkdirDurable(dirname(path));
  writeFileAtomic(path, encodeCountSet(set), options);
}

/** writeCountFile, not durable, from the thread pool; the set must not change until the promise settles. */
export async function writeCountFileInBackground(path: string, set: CountSet): Promise<void> {
  mkdirDurable(dirname(path));
  await writeFileAtomicInBackground(path, encodeCountSet(set));
}

export function readCountFile(path: string): CountSet {
  return decodeCountSet(readFileSync(path), path);
}
