// Full ranks (the daily tier): every product with sales > 0, ranked overall
// and in each of its categories, in the order of CONTRACT.md §3. At 10M
// products a comparator sort is too slow, so each list is sorted as packed
// Float64 keys, (maxSales − sales)·2^32 + position: one native numeric sort
// whose order is sales descending, then position — and positions follow
// productId ascending. Lists whose sales span 2^21 or more fall back to a
// comparator sort, since the key would lose precision.
import { GLOBAL, type CountSet } from '../counts/count-file.js';
import type { Block } from '../counts/count-table.js';

export interface FullRanks {
  /** Every product with sales > 0 in any list, ascending. */
  ids: Uint32Array;
  /** Net units in the global log (may be <= 0 for a product only a category log sold). */
  sales: Int32Array;
  /** Overall rank, 0 when not ranked overall. */
  overall: Uint32Array;
  /** CSR: the category ranks of ids[i] are at [catOffsets[i], catOffsets[i+1]). */
  catOffsets: Uint32Array;
  catIndex: Uint32Array;
  catRank: Uint32Array;
  /** Category slugs, by catIndex. */
  slugs: string[];
  /** Products ranked in each category, by catIndex. */
  ranked: Uint32Array;
}

const TWO32 = 4294967296;
const PACK_LIMIT = 2 ** 21;

/** Ranks (1-based) of the entries of a block with sales > 0; 0 for the rest. Aligned with the block. */
export function rankBlock(block: Block): Uint32Array {
  const { sales } = block;
  const ranks = new Uint32Array(sales.length);
  let n = 0;
  let max = 1;
  for (let i = 0; i < sales.length; i++) {
    if (sales[i] > 0) {
      n++;
      if (sales[i] > max) max = sales[i];
    }
  }
  if (max < PACK_LIMIT) {
    const keys = new Float64Array(n);
    let k = 0;
    for (let i = 0; i < sales.length; i++) if (sales[i] > 0) keys[k++] = (max - sales[i]) * TWO32 + i;
    keys.sort();
    for (let r = 0; r < n; r++) ranks[keys[r] % TWO32] = r + 1;
  } else {
    const order = new Uint32Array(n);
    let k = 0;
    for (let i = 0; i < sales.length; i++) if (sales[i] > 0) order[k++] = i;
    order.sort((a, b) => sales[b] - sales[a] || a - b);
    for (let r = 0; r < n; r++) ranks[order[r]] = r + 1;
  }
  return ranks;
}

export function fullRanks(window: CountSet): FullRanks {
  const global = window.groups.get(GLOBAL) ?? { ids: new Uint32Array(0), sales: new Int32Array(0) };
  const slugs = [...window.groups.keys()].filter((g) => g !== GLOBAL).sort();
  const blocks = slugs.map((s) => window.groups.get(s)!);
  const catRanks = blocks.map(rankBlock);

  const overallRanks = rankBlock(global);
  const ids = universe(global, overallRanks, blocks, catRanks);

  const sales = new Int32Array(ids.length);
  const overall = new Uint32Array(ids.length);
  for (let i = 0, j = 0; i < global.ids.length; i++) {
    while (j < ids.length && ids[j] < global.ids[i]) j++;
    if (j < ids.length && ids[j] === global.ids[i]) {
      sales[j] = global.sales[i];
      overall[j] = overallRanks[i];
    }
  }
  // Category ranks, gathered per product: count, prefix-sum, fill.
  const counts = new Uint32Array(ids.length + 1);
  const positions = blocks.map((b, c) => {
    const pos = new Int32Array(b.ids.length).fill(-1);
    for (let i = 0, j = 0; i < b.ids.length; i++) {
      if (catRanks[c][i] === 0) continue;
      while (ids[j] < b.ids[i]) j++;
      pos[i] = j;
      counts[j + 1]++;
    }
    return pos;
  });
  for (let i = 0; i < ids.length; i++) counts[i + 1] += counts[i];
  const catOffsets = counts;
  const fill = catOffsets.slice(0, ids.length);
  const catIndex = new Uint32Array(catOffsets[ids.length]);
  const catRank = new Uint32Array(catOffsets[ids.length]);
  const ranked = new Uint32Array(slugs.length);
  positions.forEach((pos, c) => {
    for (let i = 0; i < pos.length; i++) {
      if (pos[i] < 0) continue;
      const at = fill[pos[i]]++;
      catIndex[at] = c;
      catRank[at] = catRanks[c][i];
      ranked[c]++;
    }
  });
  return { ids, sales, overall, catOffsets, catIndex, catRank, slugs, ranked };
}

/**
 * Ids with sales > 0 in any list, ascending: the global list's, plus the
 * few that only a category log sold (the logs disagree), found by walking
 * each category against the global ids.
 */
function universe(global: Block, globalRanks: Uint32Array, blocks: Block[], catRanks: Uint32Array[]): Uint32Array {
  const base: number[] = [];
  for (let i = 0; i < global.ids.length; i++) if (globalRanks[i] > 0) base.push(global.ids[i]);
  const g = Uint32Array.from(base);
  const extra: number[] = [];
  blocks.forEach((b, c) => {
    for (let i = 0, j = 0; i < b.ids.length; i++) {
      if (catRanks[c][i] === 0) continue;
      while (j < g.length && g[j] < b.ids[i]) j++;
      if (j >= g.length || g[j] !== b.ids[i]) extra.push(b.ids[i]);
    }
  });
  if (extra.length === 0) return g;
  return Uint32Array.from(new Set([...g, ...extra])).sort();
}
