// The one order every list uses (CONTRACT.md §3): sales descending, then
// productId ascending. Only products with sales > 0 are ranked.

export interface Ranked {
  productId: number;
  sales: number;
}

/**
 * A ranked list as two columns: ids[i] is at rank i + 1 with sales[i]. An
 * hourly run ranks 30k lists of 100: as objects, 3M of them lived through
 * the ranking and the publish, and their allocation and garbage collection
 * cost the main thread more than the ranking itself.
 */
export interface TopList {
  readonly ids: Uint32Array;
  readonly sales: Int32Array;
}

/** Lists one after another, for other threads: list k is entries [ends[k - 1] ?? 0, ends[k]). */
export interface PackedLists {
  readonly ids: Uint32Array;
  readonly sales: Int32Array;
  readonly ends: Uint32Array;
}

/** `lists` packed in SharedArrayBuffers: handed to a worker, they are not copied. */
export function packLists(lists: readonly TopList[]): PackedLists {
  const ends = new Uint32Array(new SharedArrayBuffer(4 * lists.length));
  let n = 0;
  for (const [k, list] of lists.entries()) ends[k] = n += list.ids.length;
  const ids = new Uint32Array(new SharedArrayBuffer(4 * n));
  const sales = new Int32Array(new SharedArrayBuffer(4 * n));
  for (const [k, list] of lists.entries()) {
    ids.set(list.ids, ends[k] - list.ids.length);
    sales.set(list.sales, ends[k] - list.ids.length);
  }
  return { ids, sales, ends };
}

/** Lists [from, to) of `packed`, as views. */
export function unpackLists(packed: PackedLists, from: number, to: number): TopList[] {
  const lists: TopList[] = [];
  for (let k = from; k < to; k++) {
    const start = k === 0 ? 0 : packed.ends[k - 1];
    lists.push({ ids: packed.ids.subarray(start, packed.ends[k]), sales: packed.sales.subarray(start, packed.ends[k]) });
  }
  return lists;
}

/** Entry i of a list as an object, for the few places that report one. */
export const rankedAt = (list: TopList, i: number): Ranked | undefined =>
  i < list.ids.length ? { productId: list.ids[i], sales: list.sales[i] } : undefined;

/** Negative when a ranks ahead of b. */
export const compareRanked = (aId: number, aSales: number, bId: number, bSales: number): number =>
  aSales !== bSales ? bSales - aSales : aId - bId;

export const TOP_N = 100;

const ARENA_CHUNK = 1 << 16;

/**
 * Room for many short lists, handed out as views of a few large arrays:
 * one allocation per chunk (64k entries), not two per list. A list taken
 * stays valid; when a chunk is full the next one is allocated.
 */
export class ListArena {
  private ids = new Uint32Array(0);
  private sales = new Int32Array(0);
  private used = 0;

  constructor(private readonly chunk = ARENA_CHUNK) {}

  /** Room for a list of up to n entries, to be filled and then cut with `done`. */
  take(n: number): { ids: Uint32Array; sales: Int32Array } {
    if (this.used + n > this.ids.length) {
      const size = Math.max(this.chunk, n);
      this.ids = new Uint32Array(size);
      this.sales = new Int32Array(size);
      this.used = 0;
    }
    return { ids: this.ids.subarray(this.used, this.used + n), sales: this.sales.subarray(this.used, this.used + n) };
  }

  /** The list taken last, cut to its first n entries; the rest of its room goes to the next. */
  done(list: { ids: Uint32Array; sales: Int32Array }, n: number): TopList {
    this.used += n;
    return n === list.ids.length ? list : { ids: list.ids.subarray(0, n), sales: list.sales.subarray(0, n) };
  }
}
