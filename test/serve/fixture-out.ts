// A hand-built OUT directory (CONTRACT.md §4) for the serve tests, made
// from the contract rather than by the pipeline, so these tests stand alone.
// It is the one place that knows how OUT is laid out for them: once `demo`
// publishes, this can be swapped for its output without touching the tests.
// Deterministic for a seed; sizes are options, from a few categories to the
// tens of thousands a real catalog has. Sales follow a long tail, some
// products have no name, and some sold nothing (so they have no rank).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { outPaths, rankShardName, RANK_SHARDS } from '../../src/layout.js';

export interface FixtureOptions {
  readonly categories: number;
  readonly products: number;
  readonly seed?: number;
  /** Publish a daily release with ranks/ that the hourly one names as ranksBase (default true). */
  readonly fullRanks?: boolean;
}

export interface FixtureOut {
  readonly outDir: string;
  /** The release latest.json names. */
  readonly release: string;
  readonly ranksRelease?: string;
  /** A published file, parsed; `path` relative to OUT. */
  json<T = any>(path: string): T;
}

export const HOURLY_ID = '20261127T190500Z-hourly-1a2b3c4d';
export const DAILY_ID = '20261127T001000Z-daily-5e6f7a8b';
const HOURLY_WINDOW = { start: '2026-11-20T19:00:00.000Z', end: '2026-11-27T19:00:00.000Z' };
const DAILY_WINDOW = { start: '2026-11-20T00:00:00.000Z', end: '2026-11-27T00:00:00.000Z' };

const DEPARTMENTS = ['Home', 'Kitchen', 'Garden', 'Toys', 'Sports', 'Outdoors', 'Books', 'Music', 'Office', 'Pets',
  'Beauty', 'Health', 'Baby', 'Tools', 'Automotive', 'Electronics', 'Fashion', 'Shoes', 'Jewellery', 'Crafts'];
const GROUPS = ['Everyday', 'Premium', 'Vintage', 'Kids', 'Travel', 'Eco', 'Professional', 'Compact', 'Seasonal', 'Gifts',
  'Essentials', 'Deluxe', 'Nordic', 'Classic', 'Smart', 'Handmade', 'Budget', 'Festive', 'Urban', 'Crème brûlée',
  'Winter', 'Summer', 'Party', 'Camping', 'Studio', 'Retro', 'Mini', 'Family', 'Wellness', 'Café'];
const LEAVES = ['lamps', 'mugs', 'skillets', 'kettles', 'planters', 'rakes', 'puzzles', 'blocks', 'rackets', 'helmets',
  'tents', 'lanterns', 'novels', 'atlases', 'vinyl', 'headphones', 'pens', 'notebooks', 'leashes', 'beds',
  'brushes', 'serums', 'vitamins', 'bottles', 'strollers', 'drills', 'wrenches', 'wipers', 'chargers', 'cables',
  'jackets', 'scarves', 'boots', 'sneakers', 'rings', 'necklaces', 'yarn', 'paints', 'rugs', 'curtains',
  'candles', 'clocks', 'frames', 'pillows', 'blankets', 'towels', 'baskets', 'shelves', 'hooks', 'trays',
  'bowls', 'knives', 'boards', 'gloves', 'hats', 'socks', 'bags', 'wallets', 'watches', 'speakers'];
const ADJECTIVES = ['Trail', 'Classic', 'Compact', 'Cast iron', 'Bamboo', 'Linen', 'Waterproof', 'Wireless', 'Folding',
  'Organic', 'Ceramic', 'Merino', 'Solar', 'Copper', 'Walnut', 'Glass', 'Velvet', 'Recycled', 'Pocket', 'Giant'];
const NOUNS = ['shoe', 'skillet', 'lamp', 'kettle', 'backpack', 'blanket', 'speaker', 'notebook', 'planter', 'mug',
  'jacket', 'puzzle', 'helmet', 'lantern', 'tent', 'scarf', 'chair', 'clock', 'bottle', 'knife set'];

/** mulberry32: a tiny seeded PRNG, so a fixture is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Product { id: number; name?: string; sales: number; categories: number[] }

const bySales = (a: Product, b: Product) => b.sales - a.sales || a.id - b.id;
const item = (p: Product, i: number) => ({ rank: i + 1, productId: p.id, sales: p.sales, ...(p.name ? { name: p.name } : {}) });

function write(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value));
}

export function buildFixtureOut(outDir: string, options: FixtureOptions): FixtureOut {
  const rand = random(options.seed ?? 42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)] as T;
  const categories = Array.from({ length: options.categories }, (_, i) => {
    const leaf = LEAVES[i % LEAVES.length] as string;
    const group = GROUPS[Math.floor(i / LEAVES.length) % GROUPS.length] as string;
    const dept = DEPARTMENTS[Math.floor(i / (LEAVES.length * GROUPS.length)) % DEPARTMENTS.length] as string;
    const name = `${dept} › ${group} ${leaf}`;
    const slug = `${dept}-${group}-${leaf}`.toLowerCase().normalize('NFD').replace(/[^a-z0-9]+/g, '-').slice(0, 56);
    return { slug: `${slug}-${i}`, name };
  });
  const ids = new Set<number>();
  while (ids.size < options.products) ids.add(1 + Math.floor(rand() * 999_999));
  const products: Product[] = [...ids].map((id) => ({
    id,
    ...(rand() < 0.85 ? { name: `${pick(ADJECTIVES)} ${pick(NOUNS)} ${(id % 97) + 1}` } : {}),
    // A long tail: most sell a little, a few a lot, one in twenty nothing (net of refunds).
    sales: rand() < 0.05 ? 0 : Math.floor(Math.exp(rand() * rand() * 10)),
    // Skewed towards the first categories, so some are big and many are small.
    categories: [...new Set(Array.from({ length: 1 + Math.floor(rand() * 3) }, () => Math.floor(options.categories * rand() ** 2)))],
  }));
  const sold = products.filter((p) => p.sales > 0).sort(bySales);
  const members = categories.map(() => [] as Product[]);
  for (const p of sold) for (const c of p.categories) members[c]?.push(p);

  const publish = (id: string, kind: 'hourly' | 'daily', window: typeof HOURLY_WINDOW, generatedAt: string, ranksBase?: string) => {
    const dir = outPaths(outDir).release(id);
    const head = { schemaVersion: 1, generatedAt, window };
    write(join(dir, 'overall.json'), { ...head, scope: 'overall', items: sold.slice(0, 100).map(item) });
    // The page reads only ranks/ from the daily release; leaving out its
    // category lists halves the fixture (30,000 small files).
    if (kind === 'hourly') categories.forEach((c, i) => {
      const items = (members[i] ?? []).slice(0, 100).map(item);
      write(join(dir, 'categories', `${c.slug}.json`), { ...head, scope: 'category', category: c, items });
    });
    write(join(dir, 'manifest.json'), {
      ...head, release: id, kind, completeThrough: window.end,
      ...(ranksBase ? { ranksBase } : {}),
      freshness: { hourly: window.end }, totals: { products: sold.length, categories: categories.length },
      overall: { path: 'overall.json' },
      categories: categories.map((c, i) => ({ ...c, path: `categories/${c.slug}.json`, productsRanked: members[i]?.length ?? 0 })),
    });
  };

  const fullRanks = options.fullRanks ?? true;
  if (fullRanks) {
    publish(DAILY_ID, 'daily', DAILY_WINDOW, '2026-11-27T00:10:00.000Z');
    const shards = Array.from({ length: RANK_SHARDS }, () => ({} as Record<string, unknown>));
    const categoryRank = new Map<string, number>();
    members.forEach((list, c) => list.forEach((p, i) => categoryRank.set(`${p.id}/${c}`, i + 1)));
    sold.forEach((p, i) => {
      const ranks = Object.fromEntries(p.categories.map((c) => [categories[c]?.slug, categoryRank.get(`${p.id}/${c}`)]));
      (shards[p.id % RANK_SHARDS] as Record<string, unknown>)[p.id] = { sales: p.sales, overall: i + 1, categories: ranks };
    });
    shards.forEach((products, n) =>
      write(join(outPaths(outDir).release(DAILY_ID), 'ranks', rankShardName(n)), {
        schemaVersion: 1, generatedAt: '2026-11-27T00:10:00.000Z', window: DAILY_WINDOW, products,
      }));
  }
  publish(HOURLY_ID, 'hourly', HOURLY_WINDOW, '2026-11-27T19:05:00.000Z', fullRanks ? outPaths('').releaseBase(DAILY_ID) : undefined);
  write(outPaths(outDir).latest, { schemaVersion: 1, release: HOURLY_ID, base: outPaths('').releaseBase(HOURLY_ID), generatedAt: '2026-11-27T19:05:00.000Z' });

  return {
    outDir,
    release: HOURLY_ID,
    ...(fullRanks ? { ranksRelease: DAILY_ID } : {}),
    json: (path) => JSON.parse(readFileSync(join(outDir, path), 'utf8')),
  };
}

/**
 * Publishes a copy of the current release as `id` with a new overall list,
 * then points latest.json at it, as the pipeline's next hourly run would.
 */
export function publishNext(out: FixtureOut, id: string, items: unknown[]): void {
  const paths = outPaths(out.outDir);
  cpSync(paths.release(out.release), paths.release(id), { recursive: true });
  write(join(paths.release(id), 'overall.json'), { ...out.json(`releases/${out.release}/overall.json`), items });
  write(paths.latest, { ...out.json('latest.json'), release: id, base: outPaths('').releaseBase(id) });
}
