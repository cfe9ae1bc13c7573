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

/**
 * A top list file's JSON text. Written by hand rather than by building
 * objects for JSON.stringify: a release holds 30k lists of 100 items, and a
 * product's name, escaped once, is reused in every list it appears in.
 */
export function topListJson(
  list: readonly Ranked[],
  nameJson: (id: number) => string | undefined,
  head: { scope: 'overall' | 'category'; category?: { slug: string; name: string }; generatedAt: string; window: Window },
): string {
  const items = list.map((r, i) => {
    const name = nameJson(r.productId);
    return `{"rank":${i + 1},"productId":${r.productId},"sales":${r.sales}${name === undefined ? '' : `,"name":${name}`}}`;
  });
  // Key order as in the contract's example: category after scope.
  const category = head.category ? `,"category":${JSON.stringify(head.category)}` : '';
  return `{"schemaVersion":${SCHEMA_VERSION},"scope":"${head.scope}"${category},"generatedAt":${JSON.stringify(head.generatedAt)},"window":${JSON.stringify(head.window)},"items":[${items.join(',')}]}`;
}

/** A memo of JSON-escaped product names, for topListJson. */
export function nameJsonOf(nameOf: (id: number) => string | undefined): (id: number) => string | undefined {
  const memo = new Map<number, string | undefined>();
  return (id) => {
    if (memo.has(id)) return memo.get(id);
    const name = nameOf(id);
    const json = name === undefined ? undefined : JSON.stringify(name);
    memo.set(id, json);
    return json;
  };
}
