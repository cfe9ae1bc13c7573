// The files of an hourly release: overall.json, one categories/SLUG.json per
// category, and the manifest's body (writeRelease adds its id) (CONTRACT.md §4).
import type { CatalogView } from '../catalog/catalog.js';
import type { ListDisagreement } from '../rank/pairwise-merge.js';
import type { RankedWindow } from '../rank/rank-window.js';
import type { Mismatch } from '../rank/consistency.js';
import { type TopList, packLists } from '../rank/order.js';
import { type CategoryEntry, RANK_DEFINITION, type Window } from './documents.js';
import type { ReleasePart } from './release.js';

export interface TopReleaseInput {
  kind: 'hourly' | 'daily' | 'rerun';
  ranked: RankedWindow;
  catalog: CatalogView;
  generatedAt: string;
  window: Window;
  completeThrough: string;
  /** The daily release whose ranks/ this one serves, if any. */
  ranks?: { release: string; generatedAt: string; window: Window };
  totals: Record<string, number>;
  /** How many tasks write the lists: the runner's parallelism. */
  tasks: number;
}

/** A top list's file: its path in the release, and its category (none: the overall list). */
export interface TopListFile {
  path: string;
  category?: { slug: string; name: string };
}

/** The run's cross-checks, for the manifest. */
export interface Consistency {
  /** Ranks of the overall list where the merged category lists differ. */
  disagreements: ListDisagreement[];
  /** Where the category logs disagree with the global log: how often, and the first cases. */
  mismatches: { total: number; examples: Mismatch[] };
}

const categoryPath = (slug: string) => `categories/${slug}.json`;

/** The paths of the top lists in a release of these categories. */
export const topListPaths = (slugs: readonly string[]) => ['overall.json', ...slugs.map(categoryPath)];

/**
 * Parts the lists are written in, of about as many items each: a fixed
 * number, so that the release id, which hashes each part's digest, does not
 * depend on the workers, and enough for two workers to finish about
 * together.
 */
const PARTS = 8;

/** The first list of each part. */
export function partStarts(lists: readonly TopList[], parts = PARTS): number[] {
  const total = lists.reduce((n, l) => n + l.ids.length, 0);
  const starts = [0];
  let before = 0;
  for (let k = 1; k < lists.length && starts.length < parts; k++) {
    before += lists[k - 1].ids.length;
    if (before >= (total * starts.length) / parts) starts.push(k);
  }
  return starts;
}

/**
 * The lists' files as the parts of a release, shared out in runs of whole
 * parts among `tasks` tasks (jobs/write-top-lists.ts), which lay them out,
 * names and all, on the workers. The lists go to them packed in shared
 * memory, the catalog's products by reference (CatalogView.share).
 */
export function topListParts(catalog: Pick<CatalogView, 'share'>, lists: readonly TopList[], files: readonly TopListFile[], head: { generatedAt: string; window: Window }, tasks: number): ReleasePart[] {
  const starts = partStarts(lists);
  const packed = packLists(lists);
  const products = catalog.share();
  const groups = Math.max(1, Math.min(tasks, starts.length));
  const cut = (g: number) => Math.floor((g * starts.length) / groups);
  return Array.from({ length: groups }, (_, g): ReleasePart => {
    const bounds = [...starts.slice(cut(g), cut(g + 1)), starts[cut(g + 1)] ?? lists.length];
    const own = files.slice(bounds[0], bounds[bounds.length - 1]);
    return {
      paths: own.map((f) => f.path),
      write: (runner, dir, inPlace) => runner.run('writeTopLists', { dir, inPlace, head, products, lists: packed, bounds, files: own }),
    };
  });
}

/**
 * The top lists of a release in parts for the workers (topListParts), and
 * its manifest's body given the cross-checks, whose results a run awaits
 * while the parts are written.
 */
export function topRelease(input: TopReleaseInput): { parts: ReleasePart[]; count: number; manifest: (check: Consistency) => Record<string, unknown> } {
  const { ranked, catalog, generatedAt, window } = input;
  const categories: CategoryEntry[] = ranked.categories.map((c) => ({ slug: c.slug, name: c.name, path: categoryPath(c.slug), productsRanked: c.productsRanked }));
  const lists = [ranked.overall, ...ranked.categories.map((c) => c.list)];
  const files: TopListFile[] = [{ path: 'overall.json' }, ...ranked.categories.map((c) => ({ path: categoryPath(c.slug), category: { slug: c.slug, name: c.name } }))];
  const parts = topListParts(catalog, lists, files, { generatedAt, window }, input.tasks);
  const manifest = (check: Consistency) => ({
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
      globalMatchesCategories: check.disagreements.length === 0 && check.mismatches.total === 0,
      // Ranks of the overall top 100 where the merged category top-100s differ.
      disagreements: check.disagreements.slice(0, 100),
      // (hour, product, category) where the logs part, with both figures.
      mismatches: check.mismatches.total,
      examples: check.mismatches.examples,
    },
  });
  return { parts, count: 1 + categories.length, manifest };
}
