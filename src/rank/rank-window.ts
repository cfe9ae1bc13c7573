// The ranked window: the overall list and every category's (ranked by
// reduce-window.ts), and the pairwise merge of the category lists that
// cross-checks the overall list (the global log defines it, CONTRACT.md §3).
import type { Catalog } from '../catalog/catalog.js';
import type { NameSpans } from '../catalog/name-spans.js';
import { GLOBAL, type CountSet } from '../counts/count-file.js';
import type { Ranked } from './order.js';
import { type ListDisagreement, compareLists, pairwiseMerge } from './pairwise-merge.js';

export interface CategoryList {
  slug: string;
  name: string;
  list: Ranked[];
  productsRanked: number;
}

export interface RankedWindow {
  overall: Ranked[];
  overallRanked: number;
  categories: CategoryList[];
  /** Where the merged category lists differ from the global list. */
  disagreements: ListDisagreement[];
  /** Where each item's name lies in the catalog, items in order: the overall list's, then each category's. */
  names?: NameSpans;
}

/** Every category the catalog names, plus any that has logs in the window, by slug. */
export function categoriesToPublish(window: CountSet, catalog: Catalog): Array<{ slug: string; name: string }> {
  const bySlug = new Map(catalog.categories.map((c) => [c.slug, c.name]));
  for (const g of window.groups.keys()) if (g !== GLOBAL && !bySlug.has(g)) bySlug.set(g, g);
  return [...bySlug].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([slug, name]) => ({ slug, name }));
}

/** A list and how many products its block ranks (sales > 0). */
export interface ListOf {
  list: Ranked[];
  productsRanked: number;
}

/**
 * The ranked window from the top lists of its groups (reduce-window.ts
 * computes them): every category to publish gets its list, or an empty one,
 * and the pairwise merge of the category lists is compared with the overall list.
 */
export function rankedWindow(window: CountSet, catalog: Catalog, overall: ListOf, lists: ReadonlyMap<string, ListOf>): RankedWindow {
  const categories = categoriesToPublish(window, catalog).map(({ slug, name }) => {
    const l = lists.get(slug);
    return { slug, name, list: l?.list ?? [], productsRanked: l?.productsRanked ?? 0 };
  });
  const merged = pairwiseMerge(categories.map((c) => c.list));
  return { overall: overall.list, overallRanked: overall.productsRanked, categories, disagreements: compareLists(overall.list, merged) };
}
