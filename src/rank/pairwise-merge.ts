// The overall top 100 as a pairwise N-way merge of the category top-100s:
// merge lists two by two, each product once, truncating to 100 after every
// merge, until one list is left (log2(30k) = 15 rounds). Exact as long as the
// category logs agree with the global log: a product in the overall top 100
// is in the top 100 of each of its categories (every product has at least
// one, `uncategorized`), since anything ahead of it there is ahead overall.
import { ListArena, type Ranked, TOP_N, type TopList, compareRanked, rankedAt } from './order.js';

export function mergeTwoLists(a: TopList, b: TopList, k = TOP_N, arena = new ListArena()): TopList {
  const out = arena.take(Math.min(k, a.ids.length + b.ids.length));
  let n = 0;
  let i = 0;
  let j = 0;
  while (n < out.ids.length && (i < a.ids.length || j < b.ids.length)) {
    const takeA = j >= b.ids.length || (i < a.ids.length && compareRanked(a.ids[i], a.sales[i], b.ids[j], b.sales[j]) <= 0);
    const id = takeA ? a.ids[i] : b.ids[j];
    const sales = takeA ? a.sales[i++] : b.sales[j++];
    // A product in several categories has the same sales in each (when the
    // logs agree), so its copies meet side by side in this order: keep one.
    // Copies with different sales are a disagreement, and stay to be reported.
    if (n > 0 && out.ids[n - 1] === id && out.sales[n - 1] === sales) continue;
    out.ids[n] = id;
    out.sales[n] = sales;
    n++;
  }
  return arena.done(out, n);
}

export function pairwiseMerge(lists: readonly TopList[], k = TOP_N): TopList {
  let level = lists.filter((l) => l.ids.length > 0);
  if (level.length === 0) return { ids: new Uint32Array(0), sales: new Int32Array(0) };
  const arena = new ListArena();
  while (level.length > 1) {
    const next: TopList[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(mergeTwoLists(level[i], level[i + 1], k, arena));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return cut(level[0], k);
}

const cut = (list: TopList, k: number): TopList =>
  list.ids.length <= k ? list : { ids: list.ids.subarray(0, k), sales: list.sales.subarray(0, k) };

export interface ListDisagreement {
  rank: number;
  global?: Ranked;
  merged?: Ranked;
}

/** Positions where the merged category lists and the global log's list differ. */
export function compareLists(global: TopList, merged: TopList): ListDisagreement[] {
  const out: ListDisagreement[] = [];
  for (let i = 0; i < Math.max(global.ids.length, merged.ids.length); i++) {
    const g = rankedAt(global, i);
    const m = rankedAt(merged, i);
    if (g?.productId !== m?.productId || g?.sales !== m?.sales) out.push({ rank: i + 1, global: g, merged: m });
  }
  return out;
}
