// Synthetic purchases: N purchases in the H whole UTC hours before the hour
// of `now` (so `run --hourly --now T` counts them all), more by day than by
// night, in time order within each hour. Products are Zipf-popular; most buy
// one unit, some several. Optional, as a real purchase system would send them:
//  - refunds: negative quantity, the purchase's timestamp, an eventId of
//    their own, arriving late (after the next hour's purchases, so they land
//    in a file of an hour that already had lines);
//  - retries: the same line again, same eventId, right after.
// Lines go to a sink, so the same stream feeds the log writer (generate) and
// a CSV file (the ingest benchmark).
import { HOUR_MS, hourOfMs } from '../time.js';
import { Rng } from './prng.js';
import { ZipfSampler, scatter } from './zipf.js';

export interface PurchaseShape {
  readonly purchases: number;
  readonly hours: number;
  readonly nowMs: number;
  readonly seed: number;
  /** Share of purchases refunded later (0..1). */
  readonly refundRate: number;
  /** Share of lines sent twice by a retrying writer (0..1). */
  readonly duplicateRate: number;
  /** Give every line an eventId. Implied by a refund or duplicate rate above 0. */
  readonly eventIds: boolean;
}

export type PurchaseSink = (productId: number, timestamp: string, quantity: number, eventId: string | undefined) => void;

export interface PurchaseCounts {
  readonly purchases: number;
  readonly refunds: number;
  readonly duplicates: number;
  /** Every line sent to the sink. */
  readonly lines: number;
  /** The window the purchases fall in, [startMs, endMs). */
  readonly startMs: number;
  readonly endMs: number;
}

const PURCHASE_STREAM = 2;
const PRODUCT_SKEW = 1.0;

interface Refund {
  productId: number;
  timestamp: string;
  quantity: number;
  eventId: string;
}

export function generatePurchases(productIds: Uint32Array, shape: PurchaseShape, sink: PurchaseSink, progress?: (done: number) => void): PurchaseCounts {
  const rng = new Rng(shape.seed, PURCHASE_STREAM);
  const zipf = new ZipfSampler(productIds.length, PRODUCT_SKEW);
  const productOfRank = scatter(productIds.length, rng);
  const withIds = shape.eventIds || shape.refundRate > 0 || shape.duplicateRate > 0;
  const endHour = hourOfMs(shape.nowMs);
  const startHour = endHour - shape.hours;
  const perHour = spreadOverHours(shape.purchases, startHour, shape.hours);
  const clock = new IsoClock();
  let done = 0;
  let refunds = 0;
  let duplicates = 0;
  let late: Refund[] = [];

  const send = (productId: number, timestamp: string, quantity: number, eventId: string | undefined) => {
    sink(productId, timestamp, quantity, eventId);
    if (eventId !== undefined && rng.chance(shape.duplicateRate)) {
      sink(productId, timestamp, quantity, eventId);
      duplicates++;
    }
  };

  for (let h = 0; h < shape.hours; h++) {
    const hourMs = (startHour + h) * HOUR_MS;
    const offsets = new Uint32Array(perHour[h]);
    for (let i = 0; i < offsets.length; i++) offsets[i] = rng.int(HOUR_MS);
    offsets.sort();
    const refundsNow = late;
    late = [];
    for (let i = 0; i < offsets.length; i++) {
      const timestamp = clock.format(hourMs + offsets[i], rng.chance(0.5));
      const productId = productIds[productOfRank(zipf.sample(rng) - 1)];
      const quantity = unitsBought(rng);
      const eventId = withIds ? `g${shape.seed}-${done}` : undefined;
      send(productId, timestamp, quantity, eventId);
      if (rng.chance(shape.refundRate)) {
        // Mostly the whole purchase, sometimes part of it.
        const units = rng.chance(0.8) ? quantity : 1 + rng.int(quantity);
        late.push({ productId, timestamp, quantity: -units, eventId: `${eventId}-r` });
      }
      done++;
      if (progress && done % 1_000_000 === 0) progress(done);
    }
    for (const r of refundsNow) send(r.productId, r.timestamp, r.quantity, r.eventId);
    refunds += refundsNow.length;
  }
  for (const r of late) send(r.productId, r.timestamp, r.quantity, r.eventId);
  refunds += late.length;
  return {
    purchases: done,
    refunds,
    duplicates,
    lines: done + refunds + duplicates,
    startMs: startHour * HOUR_MS,
    endMs: endHour * HOUR_MS,
  };
}

/** 1 unit (85%), 2 (10%), 3–5 (4%), 6–20 (1%). */
function unitsBought(rng: Rng): number {
  const r = rng.float();
  return r < 0.85 ? 1 : r < 0.95 ? 2 : r < 0.99 ? 3 + rng.int(3) : 6 + rng.int(15);
}

/** Purchases per hour: a daily cycle peaking at 15:00 UTC, rounded so they add up to n exactly. */
function spreadOverHours(n: number, startHour: number, hours: number): number[] {
  const weights = Array.from({ length: hours }, (_, h) => 1 + 0.6 * Math.sin((2 * Math.PI * (((startHour + h) % 24) - 9)) / 24));
  const total = weights.reduce((a, b) => a + b, 0);
  const counts: number[] = [];
  let before = 0;
  let cumulative = 0;
  for (const w of weights) {
    cumulative += w;
    const upTo = Math.round((n * cumulative) / total);
    counts.push(upTo - before);
    before = upTo;
  }
  counts[hours - 1] += n - before;
  return counts;
}

/** ISO-8601 UTC strings for increasing times, formatting each second once. */
class IsoClock {
  private second = Number.NaN;
  private prefix = '';

  format(ms: number, withMillis: boolean): string {
    const second = Math.floor(ms / 1000);
    if (second !== this.second) {
      this.second = second;
      this.prefix = new Date(second * 1000).toISOString().slice(0, 19);
    }
    if (!withMillis) return `${this.prefix}Z`;
    const milli = ms - second * 1000;
    return `${this.prefix}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
  }
}
