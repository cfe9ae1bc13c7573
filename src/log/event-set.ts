// Exact eventId dedupe for one (log group, hour): "lines of one UTC hour with
// the same eventId count once" (CONTRACT.md §2). The ids are compared byte
// for byte; the FNV hash from the line codec only picks the slot. Bytes live
// in one growing arena, so a peak hour of 10M ids costs two typed arrays and
// one buffer rather than 10M strings in a Set.

export interface EventList {
  hashes: Uint32Array;
  starts: Uint32Array;
  lens: Uint8Array;
  arena: Uint8Array;
}

export class EventSet {
  private slots: Int32Array; // entry index + 1; 0 = empty
  private hashes: Uint32Array;
  private starts: Uint32Array;
  private lens: Uint8Array;
  private arena: Uint8Array;
  private arenaUsed = 0;
  private count = 0;

  constructor() {
    this.slots = new Int32Array(64);
    this.hashes = new Uint32Array(32);
    this.starts = new Uint32Array(32);
    this.lens = new Uint8Array(32);
    this.arena = new Uint8Array(1024);
  }

  get size(): number {
    return this.count;
  }

  /** Adds buf[start..end) (hash from the codec); false when it was already there. */
  add(buf: Uint8Array, start: number, end: number, hash: number): boolean {
    const len = end - start;
    const mask = this.slots.length - 1;
    let i = hash & mask;
    for (;;) {
      const e = this.slots[i];
      if (e === 0) break;
      const k = e - 1;
      if (this.hashes[k] === hash && this.lens[k] === len && this.same(k, buf, start, len)) return false;
      i = (i + 1) & mask;
    }
    this.insertAt(i, buf, start, len, hash);
    return true;
  }

  /** The ids in insertion order: hash, arena offset and length of each, and the arena. */
  export(): EventList {
    const n = this.count;
    return { hashes: this.hashes.slice(0, n), starts: this.starts.slice(0, n), lens: this.lens.slice(0, n), arena: this.arena.slice(0, this.arenaUsed) };
  }

  private same(k: number, buf: Uint8Array, start: number, len: number): boolean {
    const a = this.arena;
    const s = this.starts[k];
    for (let j = 0; j < len; j++) if (a[s + j] !== buf[start + j]) return false;
    return true;
  }

  private insertAt(slot: number, buf: Uint8Array, start: number, len: number, hash: number): void {
    const k = this.count++;
    if (k === this.hashes.length) {
      this.hashes = grow(this.hashes, Uint32Array);
      this.starts = grow(this.starts, Uint32Array);
      this.lens = grow(this.lens, Uint8Array);
    }
    if (this.arenaUsed + len > this.arena.length) this.arena = grow(this.arena, Uint8Array, this.arenaUsed + len);
    this.arena.set(buf.subarray(start, start + len), this.arenaUsed);
    this.hashes[k] = hash;
    this.starts[k] = this.arenaUsed;
    this.lens[k] = len;
    this.arenaUsed += len;
    this.slots[slot] = k + 1;
    if (this.count * 2 > this.slots.length) this.rehash();
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let k = 0; k < this.count; k++) {
      let i = this.hashes[k] & mask;
      while (slots[i] !== 0) i = (i + 1) & mask;
      slots[i] = k + 1;
    }
    this.slots = slots;
  }
}

type TypedCtor<T> = new (n: number) => T;
function grow<T extends Uint8Array | Uint32Array>(a: T, ctor: TypedCtor<T>, atLeast = 0): T {
  const next = new ctor(Math.max(a.length * 2, atLeast));
  next.set(a);
  return next;
}
