// Full ranks (the daily tier): every product with sales > 0, ranked overall
// and in each of its categories, in the order of CONTRACT.md §3. At 10M
// products a comparator sort is too slow, so each list is sorted as packed
// Float64 keys, (maxSales − sales)·2^32 + position: one native numeric sort
// whose order is sales descending, then position — and positions follow
// productId ascending. Lists whose sales span 2^21 or more fall back to a
// comparator sort, since the key would lose precision.
import { GLOBAL, type CountSet } from '../counts/count-file.js';
import { type Block, EMPTY_BLOCK } from '../counts/count-table.js';

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
  const global = window.groups.get(GLOBAL) ?? EMPTY_BLOCK;
  const slugs = [...window.groups.keys()].filter((g) => g !== GLOBAL).sort();
  const blocks = slugs.map((s) => window.groups.get(s)!);
  const overallRanks = rankBlock(global);

  // Every category rank as (product, category, rank), category by category,
  // then sorted by product (stably): each product's ranks side by side, its
  // categories in slug order. One linear pass then joins them with the global
  // list, with no search for a category's products among the 10M.
  let m = 0;
  for (const b of blocks) for (let i = 0; i < b.sales.length; i++) if (b.sales[i] > 0) m++;
  let tIds: Uint32Array = new Uint32Array(m);
  let tCat: Uint32Array = new Uint32Array(m);
  let tRank: Uint32Array = new Uint32Array(m);
  const ranked = new Uint32Array(slugs.length);
  let k = 0;
  blocks.forEach((b, c) => {
    const r = rankBlock(b);
    const first = k;
    for (let i = 0; i < r.length; i++) {
      if (r[i] === 0) continue;
      tIds[k] = b.ids[i];
      tCat[k] = c;
      tRank[k++] = r[i];
    }
    ranked[c] = k - first;
  });
  [tIds, tCat, tRank] = sortByProduct(tIds, tCat, tRank);

  // The products: ranked overall, or in some category (the logs disagree), ascending.
  const cap = global.ids.length + m;
  const ids = new Uint32Array(cap);
  const sales = new Int32Array(cap);
  const overall = new Uint32Array(cap);
  const catOffsets = new Uint32Array(cap + 1);
  const gIds = global.ids;
  let n = 0;
  let next = 0; // the next global entry ranked overall
  let g = 0; // the global entry of the product at hand, if any
  k = 0;
  for (;;) {
    while (next < gIds.length && overallRanks[next] === 0) next++;
    const a = next < gIds.length ? gIds[next] : Infinity;
    const b = k < m ? tIds[k] : Infinity;
    if (a === Infinity && b === Infinity) break;
    const id = Math.min(a, b);
    while (g < gIds.length && gIds[g] < id) g++;
    if (g < gIds.length && gIds[g] === id) {
      sales[n] = global.sales[g];
      overall[n] = overallRanks[g];
    }
    if (a === id) next++;
    while (k < m && tIds[k] === id) k++;
    ids[n++] = id;
    catOffsets[n] = k;
  }
  return { ids: ids.slice(0, n), sales: sales.slice(0, n), overall: overall.slice(0, n), catOffsets: catOffsets.slice(0, n + 1), catIndex: tCat, catRank: tRank, slugs, ranked };
}

/** Stable LSD radix sort of (id, a, b) triples by id, 16 bits a pass (one pass when every id is below 2^16). */
function sortByProduct(ids: Uint32Array, a: Uint32Array, b: Uint32Array): [Uint32Array, Uint32Array, Uint32Array] {
  const n = ids.length;
  let src: Uint32Array[] = [ids, a, b];
  let dst: Uint32Array[] = [new Uint32Array(n), new Uint32Array(n), new Uint32Array(n)];
  const counts = new Uint32Array(65536);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(src[0][i] >>> shift) & 0xffff]++;
    if (n === 0 || counts[(src[0][0] >>> shift) & 0xffff] === n) continue;
    let sum = 0;
    for (let d = 0; d < 65536; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    const [sIds, sA, sB] = src;
    const [dIds, dA, dB] = dst;
    for (let i = 0; i < n; i++) {
      const at = counts[(sIds[i] >>> shift) & 0xffff]++;
      dIds[at] = sIds[i];
      dA[at] = sA[i];
      dB[at] = sB[i];
    }
    [src, dst] = [dst, src];
  }
  return [src[0], src[1], src[2]];
}
