// Reduce: the top 100 of the overall list and of every category, from the
// window's counts, and the pairwise merge of the category lists that
// cross-checks the overall list (the global log defines it, CONTRACT.md §3).
import type { CatalogView } from '../catalog/catalog.js';
import { GLOBAL, type CountSet } from '../counts/count-file.js';
import { EMPTY_BLOCK } from '../counts/count-table.js';
import { ListArena, type TopList } from './order.js';
import { type ListDisagreement, compareLists, pairwiseMerge } from './pairwise-merge.js';
import { countRanked, topK } from './top-k.js';

export interface CategoryList {
  slug: string;
  name: string;
  list: TopList;
  productsRanked: number;
}

export interface RankedWindow {
  overall: TopList;
  overallRanked: number;
  categories: CategoryList[];
}

/** Every category the catalog names, plus any that has logs in the window, by slug. */
export function categoriesToPublish(window: CountSet, catalog: CatalogView): Array<{ slug: string; name: string }> {
  const bySlug = new Map(catalog.categories.map((c) => [c.slug, c.name]));
  for (const g of window.groups.keys()) if (g !== GLOBAL && !bySlug.has(g)) bySlug.set(g, g);
  return [...bySlug].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([slug, name]) => ({ slug, name }));
}

export function rankWindow(window: CountSet, catalog: CatalogView): RankedWindow {
  const global = window.groups.get(GLOBAL) ?? EMPTY_BLOCK;
  const arena = new ListArena();
  const overall = topK(global, undefined, arena);
  const categories = categoriesToPublish(window, catalog).map(({ slug, name }) => {
    const block = window.groups.get(slug) ?? EMPTY_BLOCK;
    return { slug, name, list: topK(block, undefined, arena), productsRanked: countRanked(block) };
  });
  return { overall, overallRanked: countRanked(global), categories };
}

/** Where the pairwise merge of the category lists differs from the overall list, which the global log defines. */
export const crossCheck = (ranked: RankedWindow): ListDisagreement[] =>
  compareLists(ranked.overall, pairwiseMerge(ranked.categories.map((c) => c.list)));
