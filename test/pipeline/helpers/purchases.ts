// A purchase history for end-to-end tests, the log files it becomes (written
// by hand, as the purchase system would), and a naive oracle over it: the
// published lists must equal what the oracle computes from the same lines.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Purchase {
  productId: number;
  ms: number;
  quantity: number;
  eventId?: string;
  /** Category slugs the writer appended this line under. */
  categories: string[];
  /** Which writer file (a, b, …) it went to. */
  writer: string;
}

export const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
/** A purchase as a log line, newline included. */
export const line = (p: Purchase) => `${p.productId},${iso(p.ms)},${p.quantity}${p.eventId ? `,${p.eventId}` : ''}\n`;

export function writeCatalog(dataDir: string, categories: Array<[string, string]>, products: Array<[number, string[], string?]>): void {
  mkdirSync(join(dataDir, 'catalog'), { recursive: true });
  writeFileSync(join(dataDir, 'catalog', 'categories.csv'), `slug,name\n${categories.map(([s, n]) => `${s},"${n}"`).join('\n')}\n`);
  writeFileSync(
    join(dataDir, 'catalog', 'products.csv'),
    `product_id,categories,name\n${products.map(([id, cats, name]) => `${id},${cats.join('|')},${name ? `"${name}"` : ''}`).join('\n')}\n`,
  );
}

/** Appends purchases to the global hour logs and the category day logs, by event time. */
export function appendPurchases(dataDir: string, purchases: readonly Purchase[]): void {
  for (const p of purchases) {
    const t = iso(p.ms);
    const day = t.slice(0, 10);
    const hh = t.slice(11, 13);
    const g = join(dataDir, 'logs', 'global', day, hh);
    mkdirSync(g, { recursive: true });
    appendFileSync(join(g, `${p.writer}.log`), line(p));
    for (const c of p.categories) {
      const d = join(dataDir, 'logs', 'categories', c, day);
      mkdirSync(d, { recursive: true });
      appendFileSync(join(d, `${p.writer}.log`), line(p));
    }
  }
}

export interface OracleItem {
  rank: number;
  productId: number;
  sales: number;
}

/** Net sales per product over [start, end) for the global log ('') or a category, eventIds once per hour. */
export function oracleSales(purchases: readonly Purchase[], start: number, end: number, category = ''): Map<number, number> {
  const seen = new Set<string>();
  const sales = new Map<number, number>();
  for (const p of purchases) {
    if (p.ms < start || p.ms >= end) continue;
    if (category !== '' && !p.categories.includes(category)) continue;
    if (p.eventId) {
      const key = `${Math.floor(p.ms / HOUR)}|${p.eventId}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    sales.set(p.productId, (sales.get(p.productId) ?? 0) + p.quantity);
  }
  return sales;
}

export function oracleTop(sales: Map<number, number>, n = 100): OracleItem[] {
  return [...sales]
    .filter(([, s]) => s > 0)
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, n)
    .map(([productId, s], i) => ({ rank: i + 1, productId, sales: s }));
}

/** A seeded generator of purchases with refunds, retries, multi-category products and future lines. */
export function makePurchases(opts: { seed: number; count: number; fromMs: number; toMs: number; products: number; categoriesOf: (id: number) => string[] }): Purchase[] {
  let x = opts.seed >>> 0 || 1;
  const rnd = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
  const out: Purchase[] = [];
  for (let i = 0; i < opts.count; i++) {
    // Skewed popularity, so lists have a head and many ties in the tail.
    const productId = 1 + Math.floor(opts.products * rnd() ** 2);
    const ms = opts.fromMs + Math.floor(rnd() * (opts.toMs - opts.fromMs));
    const eventId = rnd() < 0.5 ? `e${opts.seed}-${i}` : undefined;
    const p: Purchase = { productId, ms, quantity: rnd() < 0.1 ? 2 + Math.floor(rnd() * 3) : 1, eventId, categories: opts.categoriesOf(productId), writer: rnd() < 0.5 ? 'a' : 'b' };
    out.push(p);
    if (eventId && rnd() < 0.05) out.push({ ...p, writer: p.writer === 'a' ? 'b' : 'a' }); // a retry, maybe by another writer
    if (rnd() < 0.03) out.push({ ...p, quantity: -p.quantity, eventId: eventId && `r${eventId}` }); // a refund
  }
  return out;
}
