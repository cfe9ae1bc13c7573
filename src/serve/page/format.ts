// The page's words: how it writes times, counts and lookup answers. The JSON's times are UTC (the
// contract's rule); a reader wants them in their own time zone, named, so
// that "7:30 PM" is never ambiguous. The locale and zone are the browser's:
// nothing here names one, so tests pin them through the browser context.

import type { Lookup, TimeWindow } from './data.js';

/** The options every displayed time uses; the zone name makes the local offset explicit. */
export const TIME_FORMAT: Intl.DateTimeFormatOptions = {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  timeZoneName: 'short',
};

const timeFormat = new Intl.DateTimeFormat(undefined, TIME_FORMAT);
const countFormat = new Intl.NumberFormat(undefined);

/** An ISO-8601 UTC instant in the reader's local time, e.g. "Nov 28, 2026, 12:30 AM GMT+5:30". */
export const localTime = (iso: string) => timeFormat.format(new Date(iso));

/** 9120 → "9,120" (in the reader's locale). */
export const count = (n: number) => countFormat.format(n);

/** Whole days or hours in a window: "7 days", "168 hours" when it is not whole days. */
export function windowLength(window: TimeWindow): string {
  const hours = Math.round((Date.parse(window.end) - Date.parse(window.start)) / 3_600_000);
  if (hours % 24 === 0) return hours === 24 ? '1 day' : `${hours / 24} days`;
  return hours === 1 ? '1 hour' : `${hours} hours`;
}

/** "1 unit", "9,120 units". */
export const plural = (n: number, word: string) => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

/** The product lookup's answer as text: a heading, the ranks if any, and a sentence saying what they are. */
export interface LookupText {
  readonly title: string;
  readonly lines: readonly string[];
  readonly note?: string;
}

/**
 * Words for a lookup result. `categoryName` maps a slug to its name (from
 * the manifest); `productName` is known when the product is on a list shown.
 */
export function lookupText(
  productId: number,
  result: Lookup,
  categoryName: (slug: string) => string,
  productName?: string,
): LookupText {
  const title = productName ? `Product ${productId} · ${productName}` : `Product ${productId}`;
  if (result.kind === 'no-ranks') {
    return {
      title,
      lines: [],
      note:
        'No full ranks yet: the daily run publishes the rank of every product that sold, and it has not run yet. ' +
        'Until then only the top 100 lists are published.',
    };
  }
  const { window } = result.shard;
  const period = `sales from ${localTime(window.start)} to ${localTime(window.end)}`;
  if (result.kind === 'unranked') {
    return { title, lines: [], note: `Not ranked: no net sales in the full ranks' window (${period}).` };
  }
  const { ranks } = result;
  const inCategories = Object.entries(ranks.categories)
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .map(([slug, rank]) => `#${count(rank)} in ${categoryName(slug)}`);
  return {
    title,
    lines: [`#${count(ranks.overall)} overall, ${plural(ranks.sales, 'unit')} sold`, ...inCategories],
    note: `Full ranks from the daily run: ${period}.`,
  };
}
