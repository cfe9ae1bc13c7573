// The JSON the storefront fetches (CONTRACT.md §4), built from ranked lists.
// Fields may be added within schemaVersion 1; none may be renamed or removed.
import { isUtf8 } from 'node:buffer';
import type { CatalogView } from '../catalog/catalog.js';
import { radixSortPairs } from '../counts/count-table.js';
import type { TopList } from '../rank/order.js';
import { growMemory, kernelInstance } from '../wasm.js';

export const SCHEMA_VERSION = 1;

export interface Window {
  start: string;
  end: string;
}

export interface TopItem {
  rank: number;
  productId: number;
  sales: number;
  name?: string;
}

export interface TopListDoc {
  schemaVersion: 1;
  scope: 'overall' | 'category';
  category?: { slug: string; name: string };
  generatedAt: string;
  window: Window;
  items: TopItem[];
}

export interface CategoryEntry {
  slug: string;
  name: string;
  path: string;
  productsRanked: number;
}

export interface LatestDoc {
  schemaVersion: 1;
  release: string;
  base: string;
  generatedAt: string;
}

export const RANK_DEFINITION =
  'Net units sold (purchases minus refunds, each eventId once per UTC hour) over the window of whole UTC hours [start, end); ' +
  'only products with sales > 0; ordered by sales descending, then productId ascending; rank is the 1-based position.';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Room for one item without its name: `,{"rank":…,"productId":…,"sales":…,"name":""}`. */
const ITEM_BYTES = 96;
/** What the kernel may store past the end of its output, or read past the end of a name. */
const SLACK = 16;
/** An item's record in the kernel's memory: productId, sales, name address, name length (i32s). */
const RECORD_BYTES = 16;
/** Room for names at first, per item: the memory grows (doubling) when the names need more. */
const NAME_ROOM = 24;

interface ItemsKernel {
  items(rec: number, n: number, out: number): number;
  RECORD: WebAssembly.Global;
}

/**
 * Top lists laid out for the items kernel (kernel/items.ts): a 16-byte
 * record per item, in list order from byte 0, then the names the records
 * point to (addresses from byte 0), each product's once.
 */
interface LaidOutLists {
  /** Items of each list, in order. */
  readonly counts: readonly number[];
  /** Where the names end. */
  readonly end: number;
  /** The longest name as laid out (escaped), for the room a list needs. */
  readonly longestName: number;
}

/**
 * Memory of at least `size` bytes from byte 0, holding what the memory
 * given before held (this thread's kernel memory, grown).
 */
type Room = (size: number) => Uint8Array;

/**
 * Lays out the items of `lists` for the items kernel, in the memory `room`
 * gives. A worker lays out the lists it writes, about half of an hourly
 * release's 30k lists of 100 items, 2–3M items with names, every hour.
 *
 * The names are found by sorting the items by product id and walking the
 * catalog along them (CatalogView.walk), so that its names are read in
 * order (a search per item touches ~24 places of a 40 MB array and then the
 * name offsets, all at random: at 3M items those cache and TLB misses were
 * most of the publish stage, and a run's catalog is read from its file only
 * as it is walked); each product's name is copied once, escaped when JSON
 * needs it (rare).
 */
function layOutLists(catalog: Pick<CatalogView, 'walk'>, lists: readonly TopList[], room: Room): LaidOutLists {
  const total = lists.reduce((n, l) => n + l.ids.length, 0);
  const ids = new Uint32Array(total);
  const item = new Int32Array(total);
  let bytes = room(total * (RECORD_BYTES + NAME_ROOM) + SLACK);
  let rec = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  let n = 0;
  for (const list of lists) {
    for (let i = 0; i < list.ids.length; i++, n++) {
      ids[n] = list.ids[i];
      item[n] = n;
      rec[4 * n] = list.ids[i];
      rec[4 * n + 1] = list.sales[i];
    }
  }
  const [sortedIds, sortedItems] = radixSortPairs(ids, item, total);
  const walk = catalog.walk();
  // Where the names end, and the name of the product walked last.
  let at = total * RECORD_BYTES;
  let heldAt = 0;
  let heldLength = 0;
  let longestName = 0;
  let lastId = -1;
  for (let i = 0; i < total; i++) {
    const id = sortedIds[i];
    if (id !== lastId) {
      lastId = id;
      heldAt = at;
      heldLength = 0;
      walk.seek(id);
      const { array: nameBytes, start, end } = walk.name();
      if (end > start) {
        // An escaped byte takes up to 6 (`\u001f`).
        if (at + 6 * (end - start) + SLACK > bytes.length) {
          bytes = room((Math.max(2 * bytes.length, at + 6 * (end - start) + SLACK) + 15) & ~15);
          rec = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
        }
        heldLength = plainName(bytes, at, nameBytes, start, end);
        if (heldLength < 0) {
          const escaped = Buffer.from(JSON.stringify(Buffer.from(nameBytes.buffer, nameBytes.byteOffset + start, end - start).toString('utf8')).slice(1, -1));
          bytes.set(escaped, at);
          heldLength = escaped.length;
        }
        at += heldLength;
        if (heldLength > longestName) longestName = heldLength;
      }
    }
    const r = 4 * sortedItems[i];
    rec[r + 2] = heldAt;
    rec[r + 3] = heldLength;
  }
  return { counts: lists.map((l) => l.ids.length), end: at, longestName };
}

/** This thread's instance of the items kernel, and the lists laid out in its memory, kept (grown) for the next lists. */
let itemsKernel: { memory: WebAssembly.Memory; exports: ItemsKernel; holds: LaidOutLists | undefined } | undefined;

/**
 * Top list files written as bytes rather than built as strings for
 * JSON.stringify. The output is byte for byte what JSON.stringify of the
 * same document gives (test/publish/top-list.test.ts).
 *
 * Why by hand, and why WebAssembly: encoding stored each byte with a
 * bounds check in JavaScript; the kernel writes a list's items with 16-byte
 * stores, from the records and the names laid out beside them. On the 2M
 * items of the bench's normal hour, finding the names and encoding took
 * 160 + 700 ms in JavaScript and 320 + 185 ms so, on one thread.
 */
export class TopListEncoder {
  private readonly tail: string;
  /** Index of each list's first item. */
  private readonly firstItem: Uint32Array;
  /** Where the kernel writes a file: past the records and the names. */
  private readonly outAt: number;
  private view: Buffer;

  private constructor(
    private readonly kernel: NonNullable<typeof itemsKernel>,
    private readonly laid: LaidOutLists,
    head: { generatedAt: string; window: Window },
  ) {
    this.tail = `,"generatedAt":${JSON.stringify(head.generatedAt)},"window":${JSON.stringify(head.window)},"items":[`;
    this.firstItem = new Uint32Array(laid.counts.length + 1);
    laid.counts.forEach((n, i) => (this.firstItem[i + 1] = this.firstItem[i] + n));
    this.outAt = (laid.end + SLACK + 15) & ~15;
    this.view = Buffer.from(kernel.memory.buffer);
  }

  /**
   * The encoder of `lists`, laid out straight into this thread's kernel
   * memory (the names found in `catalog`), where an encoder laid out before
   * on this thread can no longer encode.
   */
  static layOut(catalog: Pick<CatalogView, 'walk'>, lists: readonly TopList[], head: { generatedAt: string; window: Window }): TopListEncoder {
    const kernel = (itemsKernel ??= { ...kernelInstance<ItemsKernel>('items-kernel.wasm'), holds: undefined });
    if (kernel.exports.RECORD.value !== RECORD_BYTES) throw new Error('items-kernel.wasm does not match documents.ts: run `npm run build`');
    kernel.holds = undefined;
    const laid = layOutLists(catalog, lists, (size) => {
      growMemory(kernel.memory, size, true);
      return new Uint8Array(kernel.memory.buffer, 0, size);
    });
    kernel.holds = laid;
    return new TopListEncoder(kernel, laid, head);
  }

  /** List k's file; the bytes are valid until the next call (copy them to keep them). */
  encode(k: number, scope: 'overall' | 'category', category?: { slug: string; name: string }): Buffer {
    if (this.kernel.holds !== this.laid) throw new Error('TopListEncoder: other lists were laid out since');
    const n = this.laid.counts[k];
    // Key order as in the contract's example: category after scope.
    const head = `{"schemaVersion":${SCHEMA_VERSION},"scope":"${scope}"${category ? `,"category":${JSON.stringify(category)}` : ''}${this.tail}`;
    const headBytes = Buffer.byteLength(head);
    const memory = this.kernel.memory;
    growMemory(memory, this.outAt + headBytes + n * (ITEM_BYTES + this.laid.longestName) + 2 + SLACK, true);
    if (this.view.buffer !== memory.buffer) this.view = Buffer.from(memory.buffer);
    this.view.write(head, this.outAt);
    let end = this.kernel.exports.items(this.firstItem[k] * RECORD_BYTES, n, this.outAt + headBytes);
    this.view[end++] = 0x5d; // ]
    this.view[end++] = 0x7d; // }
    return this.view.subarray(this.outAt, end);
  }
}

/**
 * Copies a name to out[at..] as it lies when JSON needs no escape in it (no
 * quote, backslash or control character, and valid UTF-8: bytes that are not
 * would be replaced when decoded); returns its length, or -1 when it must go
 * through JSON.stringify instead. The bytes are copied as they are checked:
 * a Buffer#copy call per name cost more than the loop.
 */
function plainName(out: Uint8Array, at: number, bytes: Uint8Array, start: number, end: number): number {
  let high = 0;
  for (let k = start, o = at; k < end; k++, o++) {
    const b = bytes[k];
    if (b < 0x20 || b === QUOTE || b === BACKSLASH) return -1;
    high |= b;
    out[o] = b;
  }
  if (high >= 0x80 && !isUtf8(bytes.subarray(start, end))) return -1;
  return end - start;
}
