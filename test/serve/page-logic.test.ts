// The page's logic that needs no DOM, run in Node: category search over
// many names, finding a product's rank shard, reading a lookup, the words
// it shows. The browser test covers the same paths end to end; these pin
// the edge cases cheaply.
import { describe, expect, it } from 'vitest';
import { rankShardName as layoutShardName } from '../../src/layout.js';
import { fold, indexCategories, matchRanges, searchCategories } from '../../src/serve/page/category-search.js';
import {
  type GetJson,
  HttpError,
  type Latest,
  type Manifest,
  type Release,
  jsonFrom,
  lookupProduct,
  parseProductId,
  rankShardName,
  rankShardPath,
} from '../../src/serve/page/data.js';
import { lookupText, windowLength } from '../../src/serve/page/format.js';

const cat = (name: string, productsRanked = 1, slug = fold(name).replace(/[^a-z0-9]+/g, '-')) => ({ slug, name, productsRanked });

describe('category search', () => {
  const index = indexCategories([
    cat('Kitchen › Skillets', 40),
    cat('Garden › Cast iron planters', 90),
    cat('Skillet accessories', 5),
    cat('Crème brûlée sets', 7),
    cat('Home › Iron skillets', 12),
    ...Array.from({ length: 20_000 }, (_, i) => cat(`Filler ${i} widgets`, i % 50, `filler-${i}`)),
  ]);
  const names = (query: string, limit = 10) => searchCategories(index, query, limit).matches.map((m) => m.name);

  it('matches every word anywhere in the name, ignoring case and accents', () => {
    expect(names('IRON skillet')).toEqual(['Home › Iron skillets']);
    expect(names('creme brulee')).toEqual(['Crème brûlée sets']);
  });

  it('puts a name that starts with the query first, then a word that does, then the rest', () => {
    expect(names('skillet')).toEqual(['Skillet accessories', 'Kitchen › Skillets', 'Home › Iron skillets']);
    expect(names('ron')).toEqual(['Garden › Cast iron planters', 'Home › Iron skillets']);
  });

  it('finds a category by its slug too', () => {
    expect(names('filler-19999')).toEqual(['Filler 19999 widgets']);
  });

  it('returns at most the limit, and how many matched in all', () => {
    const result = searchCategories(index, 'widgets', 50);
    expect(result.matches).toHaveLength(50);
    expect(result.total).toBe(20_000);
    expect(result.matches[0]?.productsRanked).toBe(49); // bigger first within a tier
  });

  it('suggests the biggest categories for an empty query', () => {
    expect(names('   ', 2)).toEqual(['Garden › Cast iron planters', 'Filler 49 widgets']);
  });

  it('marks where the words occur, for highlighting', () => {
    expect(matchRanges('Home › Iron skillets', 'skillet iron')).toEqual([[7, 11], [12, 19]]);
    expect(matchRanges('Crème brûlée sets', 'brulee')).toEqual([[6, 12]]);
  });
});

describe('rank shards', () => {
  it.each([1, 255, 256, 1423, 4294967295])('names the shard of %i as layout.ts does', (id) => {
    expect(rankShardName(id)).toBe(layoutShardName(id % 256));
  });

  const latest: Latest = { schemaVersion: 1, release: 'H', base: 'releases/H/', generatedAt: '' };
  const release = (ranksBase?: string): Release => ({
    latest,
    manifest: { generatedAt: '', window: { start: '', end: '' }, categories: [], ...(ranksBase ? { ranksBase } : {}) } as Manifest,
    overall: { generatedAt: '', window: { start: '', end: '' }, items: [] },
  });

  it("reads from the manifest's ranksBase, else from the release itself", () => {
    expect(rankShardPath(release('releases/D/'), 1423)).toBe('releases/D/ranks/143.json');
    expect(rankShardPath(release('releases/D'), 1423)).toBe('releases/D/ranks/143.json');
    expect(rankShardPath(release(), 7)).toBe('releases/H/ranks/007.json');
  });

  const shard = { generatedAt: '', window: { start: '', end: '' }, products: { '1423': { sales: 9, overall: 17, categories: { toys: 1 } } } };
  const answering = (status: number): GetJson => async <T>() => {
    if (status !== 200) throw new HttpError(status, '/x');
    return shard as T;
  };

  it('tells ranked, unranked and "no full ranks yet" apart', async () => {
    expect(await lookupProduct(answering(200), release(), 1423)).toMatchObject({ kind: 'ranked', ranks: { overall: 17 } });
    expect(await lookupProduct(answering(200), release(), 1679)).toMatchObject({ kind: 'unranked' });
    expect(await lookupProduct(answering(404), release(), 1423)).toEqual({ kind: 'no-ranks' });
    await expect(lookupProduct(answering(503), release(), 1423)).rejects.toThrow('HTTP 503');
  });

  it('revalidates latest.json but lets release files come from the cache', async () => {
    const seen: [string, RequestCache | undefined][] = [];
    const fake = (async (url: URL, init?: RequestInit) => {
      seen.push([url.pathname, init?.cache]);
      return new Response('{}', { status: 200 });
    }) as typeof fetch;
    const get = jsonFrom(new URL('http://127.0.0.1/'), fake);
    await get('latest.json', true);
    await get('releases/H/overall.json');
    expect(seen).toEqual([['/latest.json', 'no-cache'], ['/releases/H/overall.json', 'default']]);
  });
});

describe('product ids as typed', () => {
  it.each([['1423', 1423], [' #1423 ', 1423], ['4294967295', 4294967295]])('%j is %i', (text, id) => {
    expect(parseProductId(text)).toBe(id);
  });
  it.each(['', '0', '4294967296', '12ab', '-3', '1.5', '1e3'])('%j is not a product id', (text) => {
    expect(parseProductId(text)).toBeUndefined();
  });
});

describe('the words on the page', () => {
  it('names a window by its whole days, or its hours', () => {
    expect(windowLength({ start: '2026-11-20T19:00:00.000Z', end: '2026-11-27T19:00:00.000Z' })).toBe('7 days');
    expect(windowLength({ start: '2026-11-27T12:00:00.000Z', end: '2026-11-27T19:00:00.000Z' })).toBe('7 hours');
  });

  it('lists category ranks best first, by category name', () => {
    const shard = { generatedAt: '', window: { start: '2026-11-20T00:00:00Z', end: '2026-11-27T00:00:00Z' }, products: {} };
    const ranks = { sales: 9120, overall: 17, categories: { shoes: 4, toys: 1 } };
    const names: Record<string, string> = { toys: 'Toys', shoes: 'Shoes' };
    const text = lookupText(1423, { kind: 'ranked', ranks, shard }, (s) => names[s] ?? s, 'Trail shoe');
    expect(text.title).toBe('Product 1423 · Trail shoe');
    expect(text.lines).toEqual(['#17 overall, 9,120 units sold', '#1 in Toys', '#4 in Shoes']);
    expect(text.note).toMatch(/^Full ranks from the daily run/);
  });

  it('says plainly when there are no full ranks yet', () => {
    const text = lookupText(5, { kind: 'no-ranks' }, (s) => s);
    expect(text.lines).toEqual([]);
    expect(text.note).toMatch(/^No full ranks yet/);
  });
});
