// Scenario 8: late data, refunds and retries, each checked as a delta on the
// published lists. A late line republishes its hour and moves its product's
// sales by exactly its quantity (overall and in each of its categories); a
// refund nets out in its purchase's hour; a retried eventId counts once per
// hour, in the same run or a later one; the same eventId in another hour is
// another event. Everything else stays as it was.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, type Fixture, SLUGS, T0, catsOf, fixture, history, iso, nowFlag, purchase, removeFixtures } from './helpers/fixture.js';
import { expectOracle, latestOf, wholeRelease } from './helpers/published.js';
import { runHourly } from './helpers/run.js';

afterAll(removeFixtures);
const ALL_SLUGS = [...SLUGS, 'uncategorized'];
type Item = { productId: number; sales: number };

/** Product → sales in every published list, keyed `overall` and by slug. */
function salesTable(data: string): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const [rel, body] of wholeRelease(data).lists) {
    const key = rel === 'overall.json' ? 'overall' : rel.slice('categories/'.length, -'.json'.length);
    out.set(key, new Map((JSON.parse(body).items as Item[]).map((i) => [i.productId, i.sales])));
  }
  return out;
}

/** Asserts `after` = `before` plus `delta` for one product in the overall list and its categories, and nothing else moved. */
function expectDelta(before: Map<string, Map<number, number>>, after: Map<string, Map<number, number>>, productId: number, delta: number): void {
  const lists = ['overall', ...catsOf(productId)];
  for (const [key, list] of after) {
    const prev = before.get(key)!;
    const ids = new Set([...prev.keys(), ...list.keys()]);
    for (const id of ids) {
      const want = (prev.get(id) ?? 0) + (id === productId && lists.includes(key) ? delta : 0);
      expect(list.get(id) ?? 0, `${key}: product ${id}`).toBe(want);
    }
  }
}

let f: Fixture;
const P = 8; // one category, sells in the base history
const OLD = T0 - 50 * HOUR + 17 * 60_000; // a complete hour well inside the window

beforeEach(async () => {
  f = fixture();
  f.write(history(1, 200, T0 - 60 * HOUR, T0 + HOUR));
  f.write([purchase(P, OLD, 30, 'order-1'), purchase(P, OLD + 60_000, 5)]);
  expect((await runHourly(f.data, nowFlag(T0))).code).toBe(0);
});

describe('late data', () => {
  it('a late line republishes its hour and raises its product by exactly its quantity', async () => {
    const before = salesTable(f.data);
    const release = latestOf(f.data)!.release;
    f.write([purchase(P, OLD + 120_000, 7, 'order-late', 'late-writer')]);
    const r = await runHourly(f.data, iso(T0 + 20 * 60_000));
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.status).toBe('published');
    expect(s.hoursRebuilt).toBe(1);
    expect(latestOf(f.data)!.release).not.toBe(release);
    expectDelta(before, salesTable(f.data), P, 7);
    expectOracle(f.data, f.ledger, T0, ALL_SLUGS);
  }, 30_000);

  it('a line stamped at or after the end of the window waits, is never quarantined, and counts once due', async () => {
    const before = salesTable(f.data);
    f.write([purchase(P, T0 + 59 * 60_000, 4)]);
    const r = await runHourly(f.data, iso(T0 + 30 * 60_000));
    expect(JSON.parse(r.stdout).badLines).toBe(0);
    expectDelta(before, salesTable(f.data), P, 0);
    expect((await runHourly(f.data, nowFlag(T0 + HOUR))).code).toBe(0);
    expectOracle(f.data, f.ledger, T0 + HOUR, ALL_SLUGS);
  }, 30_000);
});

describe('refunds', () => {
  it('a refund nets out in its purchase hour, overall and in the category', async () => {
    const before = salesTable(f.data);
    f.write([purchase(P, OLD, -30, 'refund-order-1', 'refunds')]);
    expect((await runHourly(f.data, iso(T0 + 20 * 60_000))).code).toBe(0);
    expectDelta(before, salesTable(f.data), P, -30);
    expectOracle(f.data, f.ledger, T0, ALL_SLUGS);
  }, 30_000);
});

describe('retries', () => {
  it('a retried eventId in the same hour counts once, whether it comes in the same run or a later one', async () => {
    const before = salesTable(f.data);
    // The retry of order-1 (already counted) arrives from another writer, in a later run.
    f.write([{ ...purchase(P, OLD, 30, 'order-1', 'retrier') }]);
    expect((await runHourly(f.data, iso(T0 + 20 * 60_000))).code).toBe(0);
    expectDelta(before, salesTable(f.data), P, 0);
    // A new event and its retry in one run: once.
    f.write([purchase(P, OLD + 180_000, 6, 'order-2', 'a2'), purchase(P, OLD + 180_000, 6, 'order-2', 'b2')]);
    expect((await runHourly(f.data, iso(T0 + 40 * 60_000))).code).toBe(0);
    expectDelta(before, salesTable(f.data), P, 6);
    expectOracle(f.data, f.ledger, T0, ALL_SLUGS);
  }, 30_000);

  it('the same eventId in another hour is another event', async () => {
    const before = salesTable(f.data);
    f.write([purchase(P, OLD + HOUR, 30, 'order-1', 'other-hour')]);
    expect((await runHourly(f.data, iso(T0 + 20 * 60_000))).code).toBe(0);
    expectDelta(before, salesTable(f.data), P, 30);
    expectOracle(f.data, f.ledger, T0, ALL_SLUGS);
  }, 30_000);
});
