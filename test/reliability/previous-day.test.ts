// Which category days an hourly run reads (refresh-counts.ts): the last
// day's always; the day before's in full during the first hours of a day,
// while writers may still be finishing its last lines; an older day's when
// its global log changed, in this run or the one before. A writer appends
// the global line first, so a category line that lands after a run has seen
// its global line is still counted by the next run. Past that, a line that
// only a category log of the day before holds waits for the daily run's sweep.
import { afterAll, describe, expect, it } from 'vitest';
import { line, oracleSales, oracleTop } from '../pipeline/helpers/purchases.js';
import { type Fixture, HOUR, SLUGS, type Purchase, catsOf, fixture, history, iso, nowFlag, purchase, removeFixtures } from './helpers/fixture.js';
import { expectOracle, publishedItems } from './helpers/published.js';
import { cli, runHourly } from './helpers/run.js';

afterAll(removeFixtures);
const ALL_SLUGS = [...SLUGS, 'uncategorized'];
/** Midnight starting Sunday 2026-11-29. */
const D0 = Date.UTC(2026, 10, 29);
const P = 8; // in one category
const [CATEGORY] = catsOf(P);

/** Appends a purchase's line to its category day log only, as a writer does after its global line. */
const categoryHalf = (f: Fixture, p: Purchase) => f.raw(`logs/categories/${CATEGORY}/${iso(p.ms).slice(0, 10)}/${p.writer}.log`, line(p));

describe("an hourly run and the day before's category logs", () => {
  it("counts a category line that landed after its global line was seen, in the day's first hours", async () => {
    const f = fixture();
    f.write(history(1, 300, D0 - 20 * HOUR, D0));
    const slow = purchase(P, D0 - 30 * 60_000, 40, undefined, 'slow-writer');
    f.write([{ ...slow, categories: [] }]); // the global half only, so far
    expect((await runHourly(f.data, nowFlag(D0))).code).toBe(0);
    categoryHalf(f, slow); // lands after the 00:05 run read the category logs
    f.write(history(2, 20, D0, D0 + HOUR));

    const r = await runHourly(f.data, nowFlag(D0 + HOUR));
    expect(r.code).toBe(0);
    const ledger = [...f.ledger.filter((p) => p.writer !== 'slow-writer'), slow];
    expectOracle(f.data, ledger, D0 + HOUR, ALL_SLUGS);
    expect(JSON.parse(r.stdout).disagreements).toBe(0);
  }, 30_000);

  it('counts a late category line of an older day that landed after the run that saw its global line', async () => {
    const f = fixture();
    const lateHour = D0 - 2 * 24 * HOUR; // two days before, an hour with lines already
    f.write([purchase(P + 1, lateHour + 10 * 60_000)]);
    f.write(history(5, 300, D0 - 20 * HOUR, D0 + 3 * HOUR));
    expect((await runHourly(f.data, nowFlag(D0 + 3 * HOUR))).code).toBe(0);
    const late = purchase(P, lateHour + 30 * 60_000, 40, undefined, 'late-writer');
    f.write([{ ...late, categories: [] }]); // the global half of a late line, two days old
    f.write(history(6, 20, D0 + 3 * HOUR, D0 + 4 * HOUR));
    expect((await runHourly(f.data, nowFlag(D0 + 4 * HOUR))).code).toBe(0);
    categoryHalf(f, late); // lands after that run read the day's category logs
    f.write(history(7, 20, D0 + 4 * HOUR, D0 + 5 * HOUR));

    const r = await runHourly(f.data, nowFlag(D0 + 5 * HOUR));
    expect(r.code).toBe(0);
    const ledger = [...f.ledger.filter((p) => p.writer !== 'late-writer'), late];
    expectOracle(f.data, ledger, D0 + 5 * HOUR, ALL_SLUGS);
    expect(JSON.parse(r.stdout).disagreements).toBe(0);
  }, 30_000);

  it("leaves them alone later in the day; the daily run's sweep reads a line only they hold", async () => {
    const f = fixture();
    f.write(history(3, 300, D0 - 20 * HOUR, D0 + 3 * HOUR));
    expect((await runHourly(f.data, nowFlag(D0 + 3 * HOUR))).code).toBe(0);
    const orphan = purchase(P, D0 - 30 * 60_000, 40, undefined, 'half-writer');
    categoryHalf(f, orphan); // no global line: no global hour of the day before changes
    f.write(history(4, 20, D0 + 3 * HOUR, D0 + 4 * HOUR));
    const end = D0 + 4 * HOUR;
    const start = end - 168 * HOUR;

    const hourly = await runHourly(f.data, nowFlag(end));
    expect(hourly.code).toBe(0);
    expectOracle(f.data, f.ledger, end, ALL_SLUGS);

    const daily = await cli(['run', '--daily', '--data', f.data, '--now', nowFlag(end), '--json', '--workers', '1']);
    expect(daily.code).toBe(0);
    expect(publishedItems(f.data, `categories/${CATEGORY}.json`)).toEqual(oracleTop(oracleSales([...f.ledger, orphan], start, end, CATEGORY)));
    expect(publishedItems(f.data, 'overall.json')).toEqual(oracleTop(oracleSales(f.ledger, start, end)));
    expect(JSON.parse(daily.stdout).disagreements).toBe(1);
  }, 30_000);
});
