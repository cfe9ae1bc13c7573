// The top k of a block of counts, exact, in one pass: a bounded heap whose
// root is the worst entry kept. For 30k categories of skewed sizes this is
// O(n log k) overall and allocates only the heap.
import type { Block } from '../counts/count-table.js';
import { type Ranked, TOP_N, compareRanked } from './order.js';

export function topK(block: Block, k = TOP_N): Ranked[] {
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
  const out: Ranked[] = [];
  for (let i = 0; i < n; i++) out.push({ productId: hid[i], sales: hs[i] });
  return out.sort((a, b) => compareRanked(a.productId, a.sales, b.productId, b.sales));
}

/** How many products in a block have sales > 0. */
export function countRanked(block: Block): number {
  let c = 0;
  for (let i = 0; i < block.sales.length; i++) if (block.sales[i] > 0) c++;
  return c;
}
