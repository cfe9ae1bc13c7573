// Settled category days live in state/settled/DAY.vN.json, out of the
// snapshot: an hourly run loads and rewrites only the days it reads. This
// follows one old day through runs that leave it alone, a late line that
// reopens it, and the lists that must stay exact throughout.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadState } from '../../src/pipeline/state.js';
import { cli } from './helpers/world.js';
import { HOUR, type Purchase, appendPurchases, makePurchases, oracleSales, oracleTop, writeCatalog } from './helpers/purchases.js';

const END = Date.UTC(2026, 10, 27, 12);
const data = mkdtempSync(join(tmpdir(), 'settled-'));
afterAll(() => rmSync(data, { recursive: true, force: true }));

const cats = (id: number) => (id % 2 === 0 ? ['toys'] : ['books']);
const snapshot = () => loadState(data);
/** Sets the mtime of every log directory (global hours, category days) to `secondsAgo` before now. */
const stampLogDirs = (secondsAgo: number) => {
  const at = Date.now() / 1000 - secondsAgo;
  for (const root of ['global', 'categories']) {
    for (const a of readdirSync(join(data, 'logs', root))) for (const b of readdirSync(join(data, 'logs', root, a))) utimesSync(join(data, 'logs', root, a, b), at, at);
  }
};
const settledFiles = () => (existsSync(join(data, 'state', 'settled')) ? readdirSync(join(data, 'state', 'settled')).sort() : []);
const run = async (endMs: number) => {
  const r = await cli(['run', '--hourly', '--data', data, '--now', new Date(endMs).toISOString()]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
};
const published = (scope: string) => {
  const latest = JSON.parse(readFileSync(join(data, 'public', 'latest.json'), 'utf8'));
  const doc = JSON.parse(readFileSync(join(data, 'public', latest.base, scope), 'utf8'));
  return doc.items.map(({ rank, productId, sales }: { rank: number; productId: number; sales: number }) => ({ rank, productId, sales }));
};
const expectExact = (all: Purchase[], endMs: number) => {
  const start = endMs - 168 * HOUR;
  expect(published('overall.json')).toEqual(oracleTop(oracleSales(all, start, endMs)));
  for (const c of ['toys', 'books']) expect(published(`categories/${c}.json`)).toEqual(oracleTop(oracleSales(all, start, endMs, c)));
};

describe('settled category days', () => {
  it('leave the snapshot for a file of their day, rewritten only when that day is read again', async () => {
    writeCatalog(data, [['toys', 'Toys'], ['books', 'Books']], Array.from({ length: 30 }, (_, i) => [i + 1, cats(i + 1)] as [number, string[]]));
    // Three days of purchases, up to END (12:00): 2026-11-24 to -26 ended over two hours before END.
    const all = makePurchases({ seed: 7, count: 900, fromMs: END - 72 * HOUR, toMs: END, products: 30, categoriesOf: cats });
    appendPurchases(data, all);
    // Just written: the first run cannot trust the directories' mtimes yet (log-files.ts listFiles).
    stampLogDirs(0);
    await run(END);
    expectExact(all, END);
    const first = snapshot();
    const days = (names: string[]) => names.map((d) => new Date(+d * 86_400_000).toISOString().slice(0, 10)).sort();
    expect(days(Object.keys(first.settled ?? {}))).toEqual(['2026-11-24', '2026-11-25', '2026-11-26']);
    // Only today's category directories are left in the snapshot.
    const inSnapshot = Object.keys(first.dirs).filter((d) => d.startsWith('logs/categories/'));
    expect(inSnapshot.length).toBeGreaterThan(0);
    for (const d of inSnapshot) expect(d).toMatch(/2026-11-27$/);
    expect(settledFiles()).toEqual(Object.entries(first.settled!).map(([day, v]) => `${new Date(+day * 86_400_000).toISOString().slice(0, 10)}.v${v}.json`).sort());

    // A new hour: the old days are not read, their files stay as they were,
    // though the next run now trusts and records their directories' mtimes.
    const hour = makePurchases({ seed: 8, count: 50, fromMs: END, toMs: END + HOUR, products: 30, categoriesOf: cats });
    appendPurchases(data, hour);
    stampLogDirs(3600);
    await run(END + HOUR);
    expectExact([...all, ...hour], END + HOUR);
    expect(snapshot().settled).toEqual(first.settled);

    // A late refund and purchase on 2026-11-25, in the global and category logs:
    // that day is read again, and its settled file gets a new version.
    const late: Purchase[] = [
      { productId: 2, ms: Date.UTC(2026, 10, 25, 3, 10), quantity: 40, categories: cats(2), writer: 'late' },
      { productId: 3, ms: Date.UTC(2026, 10, 25, 4, 0), quantity: -1, categories: cats(3), writer: 'late' },
    ];
    appendPurchases(data, late);
    await run(END + HOUR);
    expectExact([...all, ...hour, ...late], END + HOUR);
    const day = String(Date.UTC(2026, 10, 25) / 86_400_000);
    expect(snapshot().settled![day]).toBe(first.settled![day] + 1);
    // The version the snapshot no longer names is collected.
    expect(settledFiles()).toEqual(Object.entries(snapshot().settled!).map(([d, v]) => `${new Date(+d * 86_400_000).toISOString().slice(0, 10)}.v${v}.json`).sort());
  });
});
