// The window's count file is written without fsync (it can be recomputed):
// one torn by a power cut must not stop the next run or change its lists.
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/world.js';
import { HOUR, appendPurchases, makePurchases, oracleSales, oracleTop, writeCatalog } from './helpers/purchases.js';

const END = Date.UTC(2026, 10, 27, 12);
const data = mkdtempSync(join(tmpdir(), 'window-'));
afterAll(() => rmSync(data, { recursive: true, force: true }));
const cats = (id: number) => (id <= 2 ? ['toys'] : ['uncategorized']);

/** The published overall list, as rank, productId and sales. */
function publishedOverall() {
  const latest = JSON.parse(readFileSync(join(data, 'public', 'latest.json'), 'utf8'));
  const overall = JSON.parse(readFileSync(join(data, 'public', latest.base, 'overall.json'), 'utf8'));
  return overall.items.map(({ rank, productId, sales }: { rank: number; productId: number; sales: number }) => ({ rank, productId, sales }));
}

describe('a torn window file', () => {
  it('is recomputed from the hours, and the lists stay exact', async () => {
    writeCatalog(data, [['toys', 'Toys']], [[1, ['toys']], [2, ['toys']]]);
    const all = makePurchases({ seed: 3, count: 800, fromMs: END - 30 * HOUR, toMs: END, products: 40, categoriesOf: cats });
    appendPurchases(data, all);
    expect((await cli(['run', '--hourly', '--data', data, '--now', new Date(END).toISOString()])).code).toBe(0);
    const dir = join(data, 'counts', 'window');
    const [file] = readdirSync(dir);
    truncateSync(join(dir, file), 40);
    const more = makePurchases({ seed: 4, count: 100, fromMs: END, toMs: END + HOUR, products: 40, categoriesOf: cats });
    appendPurchases(data, more);
    const r = await cli(['run', '--hourly', '--data', data, '--now', new Date(END + HOUR).toISOString()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const want = oracleTop(oracleSales([...all, ...more], END + HOUR - 168 * HOUR, END + HOUR));
    expect(publishedOverall()).toEqual(want);
  });

  it('is recomputed when it is gone, and the lists stay exact', async () => {
    const before = [
      ...makePurchases({ seed: 3, count: 800, fromMs: END - 30 * HOUR, toMs: END, products: 40, categoriesOf: cats }),
      ...makePurchases({ seed: 4, count: 100, fromMs: END, toMs: END + HOUR, products: 40, categoriesOf: cats }),
    ];
    const dir = join(data, 'counts', 'window');
    for (const file of readdirSync(dir)) rmSync(join(dir, file));
    const more = makePurchases({ seed: 5, count: 100, fromMs: END + HOUR, toMs: END + 2 * HOUR, products: 40, categoriesOf: cats });
    appendPurchases(data, more);
    const r = await cli(['run', '--hourly', '--data', data, '--now', new Date(END + 2 * HOUR).toISOString()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const want = oracleTop(oracleSales([...before, ...more], END + 2 * HOUR - 168 * HOUR, END + 2 * HOUR));
    expect(publishedOverall()).toEqual(want);
    expect(readdirSync(dir)).toHaveLength(1); // written again
  });
});
