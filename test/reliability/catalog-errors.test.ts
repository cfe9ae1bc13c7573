// A catalog CSV that breaks between runs: the CSVs are parsed while the
// workers map, but their error still decides the run. Exit 64 naming the
// file and line, in preference to the map's own failure (65 over
// --max-bad-ratio), and nothing published; once the CSV is mended, the map's
// failure shows, and a run within the ratio publishes the right lists.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOUR, SLUGS, T0, fixture, history, iso, nowFlag, purchase, removeFixtures } from './helpers/fixture.js';
import { expectOracle, latestOf } from './helpers/published.js';
import { runHourly } from './helpers/run.js';

afterAll(removeFixtures);

describe('a products.csv broken after a run', () => {
  it('exits 64 naming its line, before the map failing over --max-bad-ratio; mended, the map decides', async () => {
    const f = fixture();
    f.write(history(1, 120, T0 - 6 * HOUR, T0 + HOUR));
    expect((await runHourly(f.data, nowFlag(T0))).code).toBe(0);
    const before = latestOf(f.data)!.release;

    // The next hour: 4 good lines and 1 bad (20% > the default 1%).
    f.write([1, 2, 3, 4].map((i) => purchase(20 + i, T0 + i * 60_000, 1, undefined, 'y')));
    f.raw(`logs/global/${iso(T0).slice(0, 10)}/${iso(T0).slice(11, 13)}/y.log`, `25,${iso(T0)},0\n`);
    // And a product line whose id is no number: the cache no longer matches, the CSVs are parsed.
    const products = join(f.data, 'catalog', 'products.csv');
    const good = readFileSync(products, 'utf8');
    const badLine = good.trimEnd().split('\n').length + 1;
    writeFileSync(products, `${good}12x,${SLUGS[0]},Broken\n`);

    const broken = await runHourly(f.data, nowFlag(T0 + HOUR));
    expect(broken.code).toBe(64);
    expect(broken.stderr).toContain('products.csv');
    expect(broken.stderr).toContain(`products.csv:${badLine}`);
    expect(latestOf(f.data)!.release).toBe(before);

    writeFileSync(products, good);
    const overRatio = await runHourly(f.data, nowFlag(T0 + HOUR));
    expect(overRatio.code).toBe(65);
    expect(overRatio.stderr).toMatch(/max-bad-ratio/);
    expect(latestOf(f.data)!.release).toBe(before);

    expect((await runHourly(f.data, nowFlag(T0 + HOUR), '--max-bad-ratio', '0.5')).code).toBe(0);
    expectOracle(f.data, f.ledger, T0 + HOUR, [...SLUGS, 'uncategorized']);
  }, 60_000);
});
