// A directory's state (log-state.ts DirState) as bytes, the form the main
// thread holds, sends and stores it in. A map worker reads them whole: it
// decodes the states of its batch, scans, and encodes the states that
// changed. The main thread peeks at two fields (doneEnd, settled) and
// otherwise copies bytes (it decodes a global hour's state to plan a split,
// and a day's as it settles, once): a normal hour's snapshot holds ~30k directories,
// and as objects they cost it ~0.75 s a run in JSON, and 0.4–0.6 s more
// cloned to and from the workers. Little-endian:
//
//   u8 flags (1: settled, 2: mtimeMs follows)   f64 doneEnd   [f64 mtimeMs]
//   u32 files, then for each file:
//     u16 name length, name (UTF-8)   f64 ino, size, consumed, lines
//     u8 tail length (255: no tail), tail bytes (the hex of FileState.tail, decoded)
//     u32 hours, then for each: i32 hour, f64 offset of its first line
import type { DirState, FileState } from './log-state.js';

export type DirStateBytes = Uint8Array;

const SETTLED = 1;
const MTIME = 2;
const NO_TAIL = 255;

/** Encodes states one after another into a growing buffer; `take` copies them out, packed, and starts over. */
export class DirStateWriter {
  private buf = Buffer.allocUnsafe(1 << 16);
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  private at = 0;
  private readonly ends: number[] = [];

  write(s: DirState): void {
    let at = this.at;
    this.room(at, 21);
    this.buf[at] = (s.settled ? SETTLED : 0) | (s.mtimeMs !== undefined ? MTIME : 0);
    this.view.setFloat64(at + 1, s.doneEnd, true);
    at += 9;
    if (s.mtimeMs !== undefined) {
      this.view.setFloat64(at, s.mtimeMs, true);
      at += 8;
    }
    const names = Object.keys(s.files);
    this.view.setUint32(at, names.length, true);
    at += 4;
    for (const name of names) at = this.file(at, name, s.files[name]);
    this.at = at;
    this.ends.push(at);
  }

  /** The states written since the last take, packed (see PackedStates). */
  take(): PackedStates {
    const packed = { bytes: new Uint8Array(this.buf.subarray(0, this.at)), ends: Uint32Array.from(this.ends) };
    this.at = 0;
    this.ends.length = 0;
    return packed;
  }

  private file(at: number, name: string, f: FileState): number {
    const hours = Object.keys(f.first);
    this.room(at, 2 + name.length * 3 + 32 + 1 + (f.tail?.length ?? 0) / 2 + 4 + hours.length * 12);
    const nameLength = this.buf.write(name, at + 2, 'utf8');
    if (nameLength > 0xffff) throw new Error(`log file name too long: ${name}`);
    this.view.setUint16(at, nameLength, true);
    at += 2 + nameLength;
    this.view.setFloat64(at, f.ino, true);
    this.view.setFloat64(at + 8, f.size, true);
    this.view.setFloat64(at + 16, f.consumed, true);
    this.view.setFloat64(at + 24, f.lines, true);
    at += 32;
    if (f.tail === undefined) this.buf[at++] = NO_TAIL;
    else {
      const n = this.buf.write(f.tail, at + 1, 'hex');
      if (n >= NO_TAIL) throw new Error(`log file tail of ${n} bytes: at most ${NO_TAIL - 1}`);
      this.buf[at] = n;
      at += 1 + n;
    }
    this.view.setUint32(at, hours.length, true);
    at += 4;
    for (const h of hours) {
      this.view.setInt32(at, +h, true);
      this.view.setFloat64(at + 4, f.first[h], true);
      at += 12;
    }
    return at;
  }

  private room(at: number, more: number): void {
    if (at + more <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, at + more));
    this.buf.copy(next, 0, 0, at);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
}

const single = new DirStateWriter();

/** One state encoded on its own. */
export function encodeDirState(s: DirState): DirStateBytes {
  single.write(s);
  return single.take().bytes;
}

export function decodeDirState(b: DirStateBytes): DirState {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const flags = buf[0];
  const s: DirState = { doneEnd: view.getFloat64(1, true), files: {} };
  let at = 9;
  if (flags & SETTLED) s.settled = true;
  if (flags & MTIME) {
    s.mtimeMs = view.getFloat64(at, true);
    at += 8;
  }
  const count = view.getUint32(at, true);
  at += 4;
  for (let i = 0; i < count; i++) {
    const nameLength = view.getUint16(at, true);
    const name = buf.toString('utf8', at + 2, at + 2 + nameLength);
    at += 2 + nameLength;
    const f: FileState = { ino: view.getFloat64(at, true), size: view.getFloat64(at + 8, true), consumed: view.getFloat64(at + 16, true), lines: view.getFloat64(at + 24, true), first: {} };
    at += 32;
    const tailLength = buf[at++];
    if (tailLength !== NO_TAIL) {
      f.tail = buf.toString('hex', at, at + tailLength);
      at += tailLength;
    }
    const hours = view.getUint32(at, true);
    at += 4;
    for (let j = 0; j < hours; j++, at += 12) f.first[view.getInt32(at, true)] = view.getFloat64(at + 4, true);
    s.files[name] = f;
  }
  if (at !== b.byteLength) throw new Error(`directory state of ${b.byteLength} bytes ends at byte ${at}`);
  return s;
}

const scratch = new Float64Array(1);
const scratchBytes = new Uint8Array(scratch.buffer);

/** The two fields the main thread needs, without decoding the files. */
export function peekDirState(b: DirStateBytes): { doneEnd: number; settled: boolean } {
  scratchBytes.set(b.subarray(1, 9));
  return { doneEnd: scratch[0], settled: (b[0] & SETTLED) !== 0 };
}

/** Many states in one buffer: state i is bytes [ends[i - 1] ?? 0, ends[i]). One copy crosses a thread, not one per state. */
export interface PackedStates {
  bytes: Uint8Array;
  ends: Uint32Array;
}

export function packStates(states: readonly DirStateBytes[]): PackedStates {
  const ends = new Uint32Array(states.length);
  let n = 0;
  states.forEach((s, i) => (ends[i] = n += s.length));
  const bytes = new Uint8Array(n);
  states.forEach((s, i) => bytes.set(s, ends[i] - s.length));
  return { bytes, ends };
}

/** Views of each state in the packed buffer (an empty one: no state). */
export function unpackStates({ bytes, ends }: PackedStates): DirStateBytes[] {
  const out: DirStateBytes[] = [];
  for (let i = 0; i < ends.length; i++) out.push(bytes.subarray(i > 0 ? ends[i - 1] : 0, ends[i]));
  return out;
}
