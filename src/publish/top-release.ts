// The files of an hourly release: overall.json, one categories/SLUG.json per
// category, and the manifest's body (writeRelease adds its id) (CONTRACT.md §4).
import type { Catalog } from '../catalog/catalog.js';
import type { RankedWindow } from '../rank/rank-window.js';
import type { Mismatch } from '../rank/consistency.js';
import { type CategoryEntry, RANK_DEFINITION, TopListEncoder, type Window } from './documents.js';
import type { ReleaseFiles } from './release.js';

export interface TopReleaseInput {
  kind: 'hourly' | 'daily' | 'rerun';
  ranked: RankedWindow;
  catalog: Catalog;
  generatedAt: string;
  window: Window;
  completeThrough: string;
  /** The daily release whose ranks/ this one serves, if any. */
  ranks?: { release: string; generatedAt: string; window: Window };
  totals: Record<string, number>;
  /** Where the category logs disagree with the global log: how often, and the first cases. */
  mismatches: { total: number; examples: Mismatch[] };
}

const categoryPath = (slug: string) => `categories/${slug}.json`;

/** The paths of the top lists in a release of these categories. */
export const topListPaths = (slugs: readonly string[]) => ['overall.json', ...slugs.map(categoryPath)];

export function topRelease(input: TopReleaseInput): { files: ReleaseFiles; count: number; manifest: Record<string, unknown> } {
  const { ranked, catalog, generatedAt, window } = input;
  const categories: CategoryEntry[] = ranked.categories.map((c) => ({ slug: c.slug, name: c.name, path: categoryPath(c.slug), productsRanked: c.productsRanked }));
  function* files(): ReleaseFiles {
    const encoder = new TopListEncoder(catalog, { generatedAt, window }, [ranked.overall, ...ranked.categories.map((c) => c.list)]);
    yield ['overall.json', encoder.encode(0, 'overall')];
    for (const [i, c] of ranked.categories.entries()) yield [categoryPath(c.slug), encoder.encode(i + 1, 'category', { slug: c.slug, name: c.name })];
  }
  const manifest = {
    kind: input.kind,
    generatedAt,
    window,
    completeThrough: input.completeThrough,
    rankDefinition: RANK_DEFINITION,
    freshness: {
      top: { generatedAt, window, completeThrough: input.completeThrough, exact: true, maxAgeHours: 1 },
      ranks: input.ranks ? { release: input.ranks.release, generatedAt: input.ranks.generatedAt, window: input.ranks.window, maxAgeHours: 24 } : null,
    },
    ...(input.ranks ? { ranksBase: `releases/${input.ranks.release}/` } : {}),
    totals: { ...input.totals, categories: categories.length },
    overall: { path: 'overall.json', productsRanked: ranked.overallRanked },
    categories,
    consistency: {
      globalMatchesCategories: ranked.disagreements.length === 0 && input.mismatches.total === 0,
      // Ranks of the overall top 100 where the merged category top-100s differ.
      disagreements: ranked.disagreements.slice(0, 100),
      // (hour, product, category) where the logs part, with both figures.
      mismatches: input.mismatches.total,
      examples: input.mismatches.examples,
    },
  };
  return { files: files(), count: 1 + categories.length, manifest };
}
