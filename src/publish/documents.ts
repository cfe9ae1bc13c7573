// The JSON the storefront fetches (CONTRACT.md §4), built from ranked lists.
// Fields may be added within schemaVersion 1; none may be renamed or removed.
import type { Ranked } from '../rank/order.js';

export const SCHEMA_VERSION = 1;

export interface Window {
  start: string;
  end: string;
}

export interface TopItem {
  rank: number;
  productId: number;
  sales: number;
  name?: string;
}

export interface TopListDoc {
  schemaVersion: 1;
  scope: 'overall' | 'category';
  category?: { slug: string; name: string };
  generatedAt: string;
  window: Window;
  items: TopItem[];
}

export interface CategoryEntry {
  slug: string;
  name: string;
  path: string;
  productsRanked: number;
}

export interface LatestDoc {
  schemaVersion: 1;
  release: string;
  base: string;
  generatedAt: string;
}

export const RANK_DEFINITION =
  'Net units sold (purchases minus refunds, each eventId once per UTC hour) over the window of whole UTC hours [start, end); ' +
  'only products with sales > 0; ordered by sales descending, then productId ascending; rank is the 1-based position.';

export function topListDoc(
  list: readonly Ranked[],
  nameOf: (id: number) => string | undefined,
  head: { scope: 'overall' | 'category'; category?: { slug: string; name: string }; generatedAt: string; window: Window },
): TopListDoc {
  const items = list.map((r, i): TopItem => {
    const name = nameOf(r.productId);
    return name === undefined ? { rank: i + 1, productId: r.productId, sales: r.sales } : { rank: i + 1, productId: r.productId, sales: r.sales, name };
  });
  const doc: TopListDoc = { schemaVersion: SCHEMA_VERSION, scope: head.scope, generatedAt: head.generatedAt, window: head.window, items };
  if (head.category) doc.category = head.category;
  // Key order as in the contract's example: category after scope.
  return head.category
    ? { schemaVersion: SCHEMA_VERSION, scope: head.scope, category: head.category, generatedAt: head.generatedAt, window: head.window, items }
    : doc;
}
