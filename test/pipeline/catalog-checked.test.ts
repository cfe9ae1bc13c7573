// A run checks the catalog cache file once and keeps a note of it in its
// state; the runs after it skip the check of that same file. A cache
// replaced since (here by a damaged copy under a new inode) is checked
// again, refused and rebuilt, and the lists stay exact.
import { mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadState } from '../../src/pipeline/state.js';
import { cli } from './helpers/world.js';
import { HOUR, appendPurchases, makePurchases, oracleSales, oracleTop, writeCatalog } from './helpers/purchases.js';

const END = Date.UTC(2026, 10, 27, 12);
const data = mkdtempSync(join(tmpdir(), 'catalog-checked-'));
afterAll(() => rmSync(data, { recursive: true, force: true }));
const cats = (id: number) => (id % 2 === 0 ? ['toys'] : ['books']);
const cache = join(data, 'state', 'catalog.bin');
const products = Array.from({ length: 40 }, (_, i): [number, string[], string] => [i + 1, cats(i + 1), `Product ${i + 1}`]);
const purchases = [makePurchases({ seed: 7, count: 600, fromMs: END - 20 * HOUR, toMs: END, products: 40, categoriesOf: cats })];

async function runAt(hour: number) {
  const more = makePurchases({ seed: 8 + hour, count: 60, fromMs: END + (hour - 1) * HOUR, toMs: END + hour * HOUR, products: 40, categoriesOf: cats });
  appendPurchases(data, more);
  purchases.push(more);
  const r = await cli(['run', '--hourly', '--data', data, '--now', new Date(END + hour * HOUR).toISOString()]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

/** The published toys list, with names, against a naive count. */
function expectToysExact(hour: number) {
  const latest = JSON.parse(readFileSync(join(data, 'public', 'latest.json'), 'utf8'));
  const toys = JSON.parse(readFileSync(join(data, 'public', latest.base, 'categories', 'toys.json'), 'utf8'));
  const end = END + hour * HOUR;
  const want = oracleTop(oracleSales(purchases.flat(), end - 168 * HOUR, end, 'toys'));
  expect(toys.items).toEqual(want.map((item) => ({ ...item, name: `Product ${item.productId}` })));
}

const stampOf = (path: string) => {
  const s = statSync(path);
  return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
};

describe('the catalog cache, checked once', () => {
  it('is noted by the run that checks it, trusted by the next, and checked again once replaced', async () => {
    writeCatalog(data, [['toys', 'Toys'], ['books', 'Books']], products);
    appendPurchases(data, purchases[0]);
    await runAt(0);
    expect(loadState(data).catalogChecked).toBeUndefined(); // parsed from the CSVs; the cache written is new

    // Nothing new: nothing to publish, but the cache is checked and noted.
    const again = await cli(['run', '--hourly', '--data', data, '--now', new Date(END).toISOString(), '--json']);
    expect(JSON.parse(again.stdout).status).toBe('nothing to do');
    const note = loadState(data).catalogChecked;
    expect(note).toEqual({ ...stampOf(cache), crc: expect.any(Number) });

    await runAt(1);
    expect(loadState(data).catalogChecked).toEqual(note);
    expectToysExact(1);

    await runAt(2);
    expect(loadState(data).catalogChecked).toEqual(note);
    expectToysExact(2);

    // A damaged copy put in its place: a new inode, so the note does not cover it.
    const bytes = readFileSync(cache);
    bytes[bytes.length - 5] ^= 0x20; // in a name
    writeFileSync(`${cache}.copy`, bytes);
    renameSync(`${cache}.copy`, cache);
    await runAt(3);
    expectToysExact(3);
    expect(loadState(data).catalogChecked).toBeUndefined(); // refused, rebuilt from the CSVs

    await runAt(4);
    expect(loadState(data).catalogChecked).toEqual({ ...stampOf(cache), crc: note!.crc });
    expectToysExact(4);
  });
});
