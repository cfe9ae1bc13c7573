// The one order every list uses (CONTRACT.md §3): sales descending, then
// productId ascending. Only products with sales > 0 are ranked.

export interface Ranked {
  productId: number;
  sales: number;
}

/** Negative when a ranks ahead of b. */
export const compareRanked = (aId: number, aSales: number, bId: number, bSales: number): number =>
  aSales !== bSales ? bSales - aSales : aId - bId;

export const TOP_N = 100;
