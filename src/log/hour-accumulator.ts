// Net units per product for each hour a log group touches, with the exact
// eventId dedupe of CONTRACT.md §2 (an eventId counts once per UTC hour,
// across every file of the group). Lines without an eventId always count.
import { type Block, CountTable } from '../counts/count-table.js';
import { type EventList, EventSet } from './event-set.js';
import { Rec } from './line-kernel.js';

interface HourBucket {
  table: CountTable;
  events: EventSet | undefined;
  lines: number;
  /** With keepEvents: product and quantity of each first occurrence, in the EventSet's order. */
  evProduct?: number[];
  evQty?: number[];
}

/** First occurrences of eventIds in one hour, with what each counted (for merging ranges of a file). */
export interface CountedEvents extends EventList {
  productIds: Uint32Array;
  quantities: Int32Array;
}

export class HourAccumulator {
  private readonly buckets = new Map<number, HourBucket>();
  // Lines of one hour come in runs: skip the Map lookup within a run.
  private lastHour = -1;
  private last: HourBucket | undefined;

  private readonly only: ReadonlySet<number> | undefined;
  private readonly keepEvents: boolean;
  private readonly linesAtMost: number;

  /**
   * `only`: count only lines of these hours. `keepEvents`: remember what each
   * eventId counted, so that ranges of one file counted apart can be merged
   * with exact dedupe (mergeRanges). `linesAtMost`: a bound on the lines
   * counted, when known, which sizes each hour's count table (CountTable).
   */
  constructor(opts: { only?: ReadonlySet<number>; keepEvents?: boolean; linesAtMost?: number } = {}) {
    this.only = opts.only;
    this.keepEvents = opts.keepEvents ?? false;
    this.linesAtMost = opts.linesAtMost ?? 0;
  }

  /** Valid lines of one hour, as scanLines hands them to LineVisitor.valid. */
  addLines(hour: number, lines: Int32Array, n: number, buf: Uint8Array): void {
    let b = hour === this.lastHour ? this.last : undefined;
    if (!b) {
      if (this.only && !this.only.has(hour)) return;
      b = this.buckets.get(hour);
      if (!b) {
        b = { table: new CountTable(8, this.linesAtMost), events: undefined, lines: 0 };
        this.buckets.set(hour, b);
      }
      this.lastHour = hour;
      this.last = b;
    }
    const table = b.table;
    let counted = 0;
    for (let o = 0, end = n * Rec.size; o < end; o += Rec.size) {
      const id = lines[o + Rec.productId] >>> 0;
      const quantity = lines[o + Rec.quantity];
      const eventStart = lines[o + Rec.eventStart];
      const eventEnd = lines[o + Rec.eventEnd];
      if (eventEnd > eventStart) {
        b.events ??= new EventSet();
        if (!b.events.add(buf, eventStart, eventEnd, lines[o + Rec.eventHash] >>> 0)) continue;
        if (this.keepEvents) {
          (b.evProduct ??= []).push(id);
          (b.evQty ??= []).push(quantity);
        }
      }
      table.add(id, quantity);
      counted++;
    }
    b.lines += counted;
  }

  hours(): number[] {
    return [...this.buckets.keys()];
  }

  /** The eventIds an hour counted, with their products and quantities (keepEvents only). */
  events(hour: number): CountedEvents | undefined {
    const b = this.buckets.get(hour);
    if (!b?.events || !b.evProduct) return undefined;
    return { ...b.events.export(), productIds: Uint32Array.from(b.evProduct), quantities: Int32Array.from(b.evQty!) };
  }

  /** The hour's counts and the number of lines counted (after dedupe). */
  result(hour: number): { block: Block; lines: number } | undefined {
    const b = this.buckets.get(hour);
    return b && { block: b.table.toBlock(), lines: b.lines };
  }
}
