// Scenario 7: the global log and the category logs disagree (a writer that
// appended a purchase to the global log only). The global log defines the
// overall list (CONTRACT.md §3): the run exits 0, publishes it, and reports
// the disagreement in the summary (`disagreements`) and the manifest
// (`consistency`): which hour, product and category, with both figures.
import { afterAll, describe, expect, it } from 'vitest';
import { HOUR, type Purchase, SLUGS, T0, appendPurchases, catsOf, fixture, history, nowFlag, purchase, removeFixtures } from './helpers/fixture.js';
import { expectOracle, wholeRelease } from './helpers/published.js';
import { runHourly } from './helpers/run.js';

afterAll(removeFixtures);
const ALL_SLUGS = [...SLUGS, 'uncategorized'];
const P = 8; // one category
const H = T0 - 5 * HOUR;

/** A product's units in the hour of `ms`, from the ledger, in the global log or in one category's. */
const unitsInHour = (ledger: readonly Purchase[], productId: number, ms: number, category?: string) =>
  ledger
    .filter((p) => p.productId === productId && Math.floor(p.ms / HOUR) === Math.floor(ms / HOUR) && (category === undefined || p.categories.includes(category)))
    .reduce((n, p) => n + p.quantity, 0);

describe('global and category logs that disagree', () => {
  it('publishes the global list, exits 0, and reports the hour, product, category and both figures', async () => {
    const f = fixture();
    f.write(history(1, 200, T0 - 10 * HOUR, T0));
    expect(JSON.parse((await runHourly(f.data, nowFlag(T0))).stdout).disagreements).toBe(0);
    expect(wholeRelease(f.data).manifest.consistency).toMatchObject({ globalMatchesCategories: true, disagreements: [], mismatches: 0, examples: [] });

    const half = { ...purchase(P, H + 60_000, 500, undefined, 'half-writer'), categories: [] };
    appendPurchases(f.data, [half]); // written to logs/global only: the category logs never hear of it
    const ledger = [...f.ledger, half];
    const r = await runHourly(f.data, nowFlag(T0 + HOUR));
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.status).toBe('published');
    expect(s.disagreements).toBe(1);
    // The overall list is the global log's; each category list is its own log's.
    expectOracle(f.data, ledger, T0 + HOUR, ALL_SLUGS);
    const { manifest, lists } = wholeRelease(f.data);
    expect(JSON.parse(lists.get('overall.json')!).items[0]).toMatchObject({ rank: 1, productId: P });
    expect(manifest.consistency.globalMatchesCategories).toBe(false);
    expect(manifest.consistency.mismatches).toBe(1);
    const [cat] = catsOf(P);
    expect(manifest.consistency.examples).toEqual([
      { hour: new Date(Math.floor(H / HOUR) * HOUR).toISOString(), productId: P, category: cat, global: unitsInHour(ledger, P, H), inCategory: unitsInHour(ledger, P, H, cat) },
    ]);
    // A later run that does not touch that hour still reports it (it is still in the window).
    const later = await runHourly(f.data, nowFlag(T0 + 2 * HOUR));
    expect(JSON.parse(later.stdout).disagreements).toBe(1);
  }, 30_000);

  it('reports a line missing from one of the category logs of a two-category product', async () => {
    const f = fixture();
    f.write(history(1, 200, T0 - 10 * HOUR, T0));
    const Q = 10; // two categories
    const [kept, missed] = catsOf(Q);
    expect(missed).toBeDefined();
    const half = { ...purchase(Q, H + 60_000, 500, undefined, 'half-writer'), categories: [kept] };
    appendPurchases(f.data, [half]);
    const ledger = [...f.ledger, half];
    const r = await runHourly(f.data, nowFlag(T0));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).disagreements).toBe(1);
    const { manifest } = wholeRelease(f.data);
    expect(manifest.consistency.globalMatchesCategories).toBe(false);
    expect(manifest.consistency.examples).toMatchObject([{ productId: Q, category: missed, global: unitsInHour(ledger, Q, H), inCategory: unitsInHour(ledger, Q, H, missed) }]);
    expectOracle(f.data, ledger, T0, ALL_SLUGS);
  }, 30_000);
});
