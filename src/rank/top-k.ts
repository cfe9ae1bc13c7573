// The top k of a block of counts, exact. Most blocks are categories of a
// few hundred products whose sales are small integers: there a histogram of
// sales gives the k-th best's sales (the threshold), and one more pass puts
// every entry above it and the lowest ids at it (a block is in id order)
// straight into their places, as a counting sort by sales: no comparison per
// entry, and no sort of the list after. A block whose top k sell HISTOGRAM
// units or more (the overall list, the biggest categories) goes through a
// bounded heap. On a week of 10M products in 30k categories (10.7M entries,
// 30k lists) all the lists took 515–611 ms with the heap and a sort of each
// list, and take 111–277 ms this way (four rounds each, the first ones slowest).
// Lists are written into an arena (order.ts) as columns, not as objects.
import type { Block } from '../counts/count-table.js';
import { ListArena, TOP_N, type TopList, compareRanked } from './order.js';

/** Sales below this are counted one bucket each; the last bucket holds every sale at or above it. */
const HISTOGRAM = 1024;
const hist = new Int32Array(HISTOGRAM + 1);

export function topK(block: Block, k = TOP_N, arena = new ListArena()): TopList {
  const { ids, sales } = block;
  let top = 0; // the highest bucket used
  for (let i = 0; i < sales.length; i++) {
    const s = sales[i];
    if (s <= 0) continue;
    const b = s < HISTOGRAM ? s : HISTOGRAM;
    if (b > top) {
      hist.fill(0, top + 1, b + 1);
      top = b;
    }
    hist[b]++;
  }
  // The threshold t: the bucket of the k-th best, walking down from the top
  // (0 when fewer than k sold at all). Each bucket's count becomes its first
  // place in the list.
  let placed = 0;
  let t = top;
  for (; t > 0 && placed + hist[t] < k; t--) {
    const n = hist[t];
    hist[t] = placed;
    placed += n;
  }
  if (t === HISTOGRAM) return heapTopK(block, k, arena);
  // Of the entries at the threshold, the lowest ids: the first ones met.
  let atThreshold = t > 0 ? k - placed : 0;
  if (t > 0) hist[t] = placed;
  const n = placed + atThreshold;
  const out = arena.take(n);
  const { ids: outIds, sales: outSales } = out;
  for (let i = 0; i < sales.length; i++) {
    const s = sales[i];
    if (s < t || s <= 0 || (s === t && atThreshold-- <= 0)) continue;
    const at = hist[s < HISTOGRAM ? s : HISTOGRAM]++;
    outIds[at] = ids[i];
    outSales[at] = s;
  }
  // The last bucket holds several sales figures: order it by sales, keeping id order on ties.
  if (top === HISTOGRAM) {
    for (let i = 1; i < hist[HISTOGRAM]; i++) {
      const id = outIds[i];
      const s = outSales[i];
      let j = i - 1;
      for (; j >= 0 && outSales[j] < s; j--) {
        outIds[j + 1] = outIds[j];
        outSales[j + 1] = outSales[j];
      }
      outIds[j + 1] = id;
      outSales[j + 1] = s;
    }
  }
  return arena.done(out, n);
}

function heapTopK(block: Block, k: number, arena: ListArena): TopList {
  const hid = new Uint32Array(k);
  const hs = new Int32Array(k);
  let n = 0;
  // worse(i, j): heap entry i ranks behind entry j.
  const worse = (i: number, j: number) => compareRanked(hid[i], hs[i], hid[j], hs[j]) > 0;
  const swap = (i: number, j: number) => {
    const a = hid[i];
    hid[i] = hid[j];
    hid[j] = a;
    const b = hs[i];
    hs[i] = hs[j];
    hs[j] = b;
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < n && worse(l, w)) w = l;
      if (r < n && worse(r, w)) w = r;
      if (w === i) return;
      swap(i, w);
      i = w;
    }
  };
  const { ids, sales } = block;
  for (let i = 0; i < ids.length; i++) {
    const s = sales[i];
    if (s <= 0) continue;
    if (n < k) {
      hid[n] = ids[i];
      hs[n] = s;
      let c = n++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (!worse(c, p)) break;
        swap(c, p);
        c = p;
      }
    } else if (compareRanked(ids[i], s, hid[0], hs[0]) < 0) {
      hid[0] = ids[i];
      hs[0] = s;
      down(0);
    }
  }
  // The root is the worst entry left: taking it n times fills the list from its end.
  const count = n;
  const out = arena.take(count);
  while (n > 0) {
    out.ids[n - 1] = hid[0];
    out.sales[n - 1] = hs[0];
    n--;
    swap(0, n);
    down(0);
  }
  return arena.done(out, count);
}

/** How many products in a block have sales > 0. */
export function countRanked(block: Block): number {
  let c = 0;
  for (let i = 0; i < block.sales.length; i++) if (block.sales[i] > 0) c++;
  return c;
}
