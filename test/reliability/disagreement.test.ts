// Scenario 7: the global log and the category logs disagree (a writer that
// appended a purchase to the global log only). The global log defines the
// overall list (CONTRACT.md §3): the run exits 0, publishes it, and reports
// the disagreement in the summary (`disagreements`) and the manifest
// (`consistency`).
import { afterAll, describe, expect, it } from 'vitest';
import { HOUR, SLUGS, T0, appendPurchases, catsOf, fixture, history, nowFlag, purchase, removeFixtures } from './helpers/fixture.js';
import { expectOracle, wholeRelease } from './helpers/published.js';
import { runHourly } from './helpers/run.js';

afterAll(removeFixtures);
const ALL_SLUGS = [...SLUGS, 'uncategorized'];
const P = 8; // one category
const H = T0 - 5 * HOUR;

function globalOnly(data: string, productId: number, ms: number, quantity: number) {
  // Written to logs/global only: the category logs never hear of it.
  appendPurchases(data, [{ ...purchase(productId, ms, quantity, undefined, 'half-writer'), categories: [] }]);
}

describe('global and category logs that disagree', () => {
  it('publishes the global list, exits 0, and reports the disagreement in the summary and the manifest', async () => {
    const f = fixture();
    f.write(history(1, 200, T0 - 10 * HOUR, T0));
    expect(JSON.parse((await runHourly(f.data, nowFlag(T0))).stdout).disagreements).toBe(0);
    expect(wholeRelease(f.data).manifest.consistency).toEqual({ globalMatchesCategories: true, disagreements: [] });

    globalOnly(f.data, P, H + 60_000, 500);
    const ledger = [...f.ledger, { ...purchase(P, H + 60_000, 500), categories: [] }];
    const r = await runHourly(f.data, nowFlag(T0 + HOUR));
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.status).toBe('published');
    expect(s.disagreements).toBeGreaterThan(0);
    // The overall list is the global log's; the category list is its own log's.
    expectOracle(f.data, ledger, T0 + HOUR, ALL_SLUGS);
    const { manifest, lists } = wholeRelease(f.data);
    expect(JSON.parse(lists.get('overall.json')!).items[0]).toMatchObject({ rank: 1, productId: P });
    expect(manifest.consistency.globalMatchesCategories).toBe(false);
    expect(manifest.consistency.disagreements.length).toBe(s.disagreements);
    // The report names the product concerned, with both sales figures.
    expect(manifest.consistency.disagreements[0]).toMatchObject({ rank: 1, global: { productId: P } });
    expect(manifest.consistency.disagreements.some((d: { merged?: { productId: number } }) => d.merged?.productId === P)).toBe(true);
  }, 30_000);

  // Not reported today: the disagreement entries are ranks of the overall top
  // 100 (rank, global entry, merged-categories entry); neither the summary
  // nor the manifest says which hours (or which log directories) disagree,
  // so an operator cannot tell which writer or hour to look at.
  it.todo('names the hours (and log directories) where the global and category logs disagree');

  // BUG / blind spot (src/rank/rank-window.ts, compareLists over the pairwise
  // merge): the check compares the overall top 100 with the merge of the
  // category top 100s, keeping each product's *best* category entry. A line
  // missing from one of a two-category product's category logs leaves the
  // other category's entry intact, so nothing is reported and the manifest
  // says globalMatchesCategories: true while that category list is short.
  it.fails('reports a line missing from one of the category logs of a two-category product', async () => {
    const f = fixture();
    f.write(history(1, 200, T0 - 10 * HOUR, T0));
    const Q = 10; // two categories
    expect(catsOf(Q)).toHaveLength(2);
    appendPurchases(f.data, [{ ...purchase(Q, H + 60_000, 500, undefined, 'half-writer'), categories: [catsOf(Q)[0]] }]);
    const r = await runHourly(f.data, nowFlag(T0));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).disagreements).toBeGreaterThan(0);
    expect(wholeRelease(f.data).manifest.consistency.globalMatchesCategories).toBe(false);
  }, 30_000);
});

