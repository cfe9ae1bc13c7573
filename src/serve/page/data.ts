/// <reference lib="dom" />
// The published JSON as the page reads it (CONTRACT.md §4), and the few
// rules for finding one file from another: latest.json names the release,
// the release's manifest names its category lists and the release whose
// ranks/ it serves. Only the fields the page shows are typed; the rest are
// tolerated, as the contract allows fields to be added. Runs in the browser
// (and in Node for tests): no DOM, no imports.

export interface TimeWindow {
  start: string;
  end: string;
}
export interface Latest {
  schemaVersion: number;
  release: string;
  /** The release directory relative to OUT, with a trailing '/'. */
  base: string;
  generatedAt: string;
}
export interface CategoryEntry {
  slug: string;
  name: string;
  /** Relative to the release directory. */
  path: string;
  productsRanked: number;
}
export interface Manifest {
  generatedAt: string;
  window: TimeWindow;
  /** The release (relative to OUT) whose ranks/ this one serves; absent: its own. */
  ranksBase?: string;
  categories: CategoryEntry[];
}
export interface TopItem {
  rank: number;
  productId: number;
  sales: number;
  name?: string;
}
export interface TopList {
  generatedAt: string;
  window: TimeWindow;
  items: TopItem[];
}
export interface ProductRanks {
  sales: number;
  overall: number;
  categories: Record<string, number>;
}
export interface RanksShard {
  generatedAt: string;
  window: TimeWindow;
  products: Record<string, ProductRanks>;
}

/** One consistent snapshot: everything the page shows comes from one release. */
export interface Release {
  latest: Latest;
  manifest: Manifest;
  overall: TopList;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
  ) {
    super(`HTTP ${status} for ${path}`);
  }
}

/** Fetches a JSON file by its path relative to OUT; `fresh` revalidates (latest.json). */
export type GetJson = <T>(path: string, fresh?: boolean) => Promise<T>;

export function jsonFrom(root: URL, fetchImpl: typeof fetch = fetch): GetJson {
  return async <T>(path: string, fresh = false) => {
    const url = new URL(path, root);
    // latest.json may be cached for a minute; asking with no-cache turns
    // that into an If-None-Match round trip, usually a 304.
    const res = await fetchImpl(url, { cache: fresh ? 'no-cache' : 'default', headers: { Accept: 'application/json' } });
    if (!res.ok) throw new HttpError(res.status, url.pathname);
    return (await res.json()) as T;
  };
}

export const readLatest = (get: GetJson) => get<Latest>('latest.json', true);

/** The manifest and the overall list, fetched side by side to save a round trip. */
export async function loadRelease(get: GetJson, latest: Latest): Promise<Release> {
  const [manifest, overall] = await Promise.all([
    get<Manifest>(`${latest.base}manifest.json`),
    get<TopList>(`${latest.base}overall.json`),
  ]);
  return { latest, manifest, overall };
}

export const categoryListPath = (release: Release, entry: CategoryEntry) => `${release.latest.base}${entry.path}`;

/** `NNN.json` for a product: its id mod 256, three digits (same rule as layout.rankShardName). */
export const rankShardName = (productId: number) => `${String(productId % 256).padStart(3, '0')}.json`;

export function rankShardPath(release: Release, productId: number): string {
  const base = release.manifest.ranksBase ?? release.latest.base;
  return `${base.endsWith('/') ? base : `${base}/`}ranks/${rankShardName(productId)}`;
}

export type Lookup =
  | { kind: 'ranked'; ranks: ProductRanks; shard: RanksShard }
  | { kind: 'unranked'; shard: RanksShard }
  /** No ranks/ to read: no daily run has published full ranks yet. */
  | { kind: 'no-ranks' };

export async function lookupProduct(get: GetJson, release: Release, productId: number): Promise<Lookup> {
  let shard: RanksShard;
  try {
    shard = await get<RanksShard>(rankShardPath(release, productId));
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) return { kind: 'no-ranks' };
    throw err;
  }
  const ranks = shard.products[String(productId)];
  return ranks ? { kind: 'ranked', ranks, shard } : { kind: 'unranked', shard };
}

/** A product id as typed (`1423`, ` #1423 `), or undefined unless 1..4294967295. */
export function parseProductId(text: string): number | undefined {
  const digits = text.trim().replace(/^#/, '');
  if (!/^\d{1,10}$/.test(digits)) return undefined;
  const id = Number(digits);
  return id >= 1 && id <= 4294967295 ? id : undefined;
}
