// Scenario 10: catch-up. After 6 missed hours, one run publishes exactly
// what 6 hourly runs would have: byte-identical lists to a copy of the same
// logs run hour by hour, and equal to the oracle, while the window slides
// past old hours (which leave the lists) and late lines land on the way.
// Hour by hour, from the fourth run on, each run rewrites the release it
// would prune (the oldest of four) in place: 3 releases stay, none pruned.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOUR, SLUGS, T0, fixture, history, nowFlag, removeFixtures } from './helpers/fixture.js';
import { expectOracle, listsOf, outOf } from './helpers/published.js';
import { runHourly } from './helpers/run.js';

afterAll(removeFixtures);
const ALL_SLUGS = [...SLUGS, 'uncategorized'];

describe('a run after missed hours', () => {
  it('after 6 missed hours publishes the lists of 6 hourly runs, byte for byte', async () => {
    const a = fixture();
    // Lines near the start of the window (they leave it during the 6 hours), recent ones, and ones not yet due.
    a.write(history(1, 60, T0 - 170 * HOUR, T0 - 160 * HOUR));
    a.write(history(2, 200, T0 - 20 * HOUR, T0 + 8 * HOUR));
    const b = a.copy();
    expect((await runHourly(a.data, nowFlag(T0))).code).toBe(0);
    expect((await runHourly(b.data, nowFlag(T0))).code).toBe(0);
    // Late lines arrive after the last run, before anything else runs.
    const late = history(3, 40, T0 - 30 * HOUR, T0 + 6 * HOUR);
    a.write(late);
    b.write(late);

    for (let h = 1; h <= 6; h++) {
      const before = readdirSync(join(outOf(b.data), 'releases'));
      const r = await runHourly(b.data, nowFlag(T0 + h * HOUR));
      expect(r.code).toBe(0);
      expectOracle(b.data, b.ledger, T0 + h * HOUR, ALL_SLUGS);
      const after = readdirSync(join(outOf(b.data), 'releases'));
      expect(after).toHaveLength(Math.min(h + 1, 3));
      if (h >= 3) {
        expect(JSON.parse(r.stdout).prunedReleases).toBe(0);
        expect(after.filter((id) => !before.includes(id))).toEqual([JSON.parse(r.stdout).release]);
      }
    }
    const once = await runHourly(a.data, nowFlag(T0 + 6 * HOUR));
    expect(once.code).toBe(0);
    expect(JSON.parse(once.stdout).hoursRebuilt).toBeGreaterThanOrEqual(6);
    expect(listsOf(a.data)).toEqual(listsOf(b.data));
    expectOracle(a.data, a.ledger, T0 + 6 * HOUR, ALL_SLUGS);
  }, 60_000);
});
