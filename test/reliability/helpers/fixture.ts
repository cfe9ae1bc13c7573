// Temp data directories for the reliability suite: a small catalog, purchase
// logs written by hand through the oracle helpers (the ledger is the list of
// every purchase written), raw bytes for bad lines, and copies of the logs
// for "the same input, run another way" comparisons. Small on purpose: the
// whole suite has to run in a few minutes on two cores.
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { HOUR, type Purchase, appendPurchases, makePurchases, writeCatalog } from '../../pipeline/helpers/purchases.js';

export { HOUR, type Purchase, appendPurchases, makePurchases };

/** Sunday 2026-11-29 10:00Z: far from a day boundary, so one category day directory holds "today". */
export const T0 = Date.UTC(2026, 10, 29, 10);
export const SLUGS = ['books', 'garden', 'toys'];
export const PRODUCTS = 60;
/**
 * The category logs a product's lines go to, as the catalog says: products
 * 7k and those past the catalog are uncategorized; the rest have one
 * category, every fifth two.
 */
export const catsOf = (id: number): string[] =>
  id % 7 === 0 || id > PRODUCTS ? ['uncategorized'] : [SLUGS[id % 3], ...(id % 5 === 0 ? [SLUGS[(id + 1) % 3]] : [])];

export const iso = (ms: number) => new Date(ms).toISOString();
/** `--now` a few minutes past the hour that ends the window. */
export const nowFlag = (end: number) => iso(end + 5 * 60_000);

export interface Fixture {
  data: string;
  /** The ledger: every purchase written to the logs, in order. */
  ledger: Purchase[];
  write(purchases: readonly Purchase[]): void;
  /** Appends raw bytes to a log file, path relative to DATA. */
  raw(rel: string, bytes: string | Uint8Array): void;
  /** A fresh directory with the same catalog and logs (new inodes, no state, no output). */
  copy(): Fixture;
  remove(): void;
}

const dirs: string[] = [];

export function fixture(): Fixture {
  const data = mkdtempSync(join(tmpdir(), 'rel-'));
  dirs.push(data);
  writeCatalog(data, SLUGS.map((s) => [s, s[0].toUpperCase() + s.slice(1)]), Array.from({ length: PRODUCTS }, (_, i) => {
    const id = i + 1;
    const c = catsOf(id);
    return [id, c[0] === 'uncategorized' ? [] : c, `Product ${id}`] as [number, string[], string];
  }));
  return wrap(data, []);
}

function wrap(data: string, ledger: Purchase[]): Fixture {
  const f: Fixture = {
    data,
    ledger,
    write(purchases) {
      appendPurchases(data, purchases);
      ledger.push(...purchases);
    },
    raw(rel, bytes) {
      const path = join(data, rel);
      mkdirSync(dirname(path), { recursive: true });
      appendFileSync(path, bytes);
    },
    copy() {
      const to = mkdtempSync(join(tmpdir(), 'rel-copy-'));
      dirs.push(to);
      cpSync(join(data, 'catalog'), join(to, 'catalog'), { recursive: true });
      cpSync(join(data, 'logs'), join(to, 'logs'), { recursive: true });
      return wrap(to, [...ledger]);
    },
    remove() {
      rmSync(data, { recursive: true, force: true });
    },
  };
  return f;
}

/** Removes every directory made by this test file (call in afterAll). */
export function removeFixtures(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A seeded history of `count` purchases in [fromMs, toMs), with refunds and eventId retries. */
export const history = (seed: number, count: number, fromMs: number, toMs: number): Purchase[] =>
  makePurchases({ seed, count, fromMs, toMs, products: PRODUCTS + 5, categoriesOf: catsOf });

/** One purchase line, for tests that place lines by hand. */
export const purchase = (productId: number, ms: number, quantity = 1, eventId?: string, writer = 'w'): Purchase => ({
  productId,
  ms,
  quantity,
  eventId,
  categories: catsOf(productId),
  writer,
});
