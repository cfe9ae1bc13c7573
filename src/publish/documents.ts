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
/** Room for names at first, per item of a part: a part grows (doubling) when its names need more. */
const NAME_ROOM = 24;

interface ItemsKernel {
  items(rec: number, n: number, out: number): number;
  RECORD: WebAssembly.Global;
}

/**
 * A part of a release's top lists laid out for the items kernel
 * (kernel/items.ts): a 16-byte record per item, in list order from byte 0,
 * then the names the records point to (addresses from byte 0), each
 * product's once.
 */
export interface LaidOutLists {
  readonly bytes: Uint8Array;
  /** Items of each list of the part, in order. */
  readonly counts: readonly number[];
  /** The longest name as laid out (escaped), for the room a list needs. */
  readonly longestName: number;
}

/**
 * Lays out the items of `lists` for the items kernel, cut into parts that
 * start at the list indexes `starts` (the first is 0), each encoded by a
 * TopListEncoder of its own. An hourly release holds 30k lists of 100
 * items, 2–3M items with names, every hour; each worker lays out the parts
 * it writes (jobs/write-top-lists.ts).
 *
 * The names are found for all parts at once: the items sorted by product
 * id and the catalog walked along them (CatalogView.walk), so that its
 * names are read in order (a search per item touches ~24 places of a 40 MB
 * array and then the name offsets, all at random: at 3M items those cache
 * and TLB misses were most of the publish stage, and a run's catalog is
 * read from its file only as it is walked), and each is copied into every
 * part that lists the product, escaped there when JSON needs it (rare).
 */
export function layOutLists(catalog: Pick<CatalogView, 'walk'>, lists: readonly TopList[], starts: readonly number[]): LaidOutLists[] {
  const parts = starts.length;
  if (parts < 1 || parts > 256 || starts[0] !== 0) throw new Error('layOutLists: 1 to 256 parts, the first at list 0');
  const firstItem = new Uint32Array(parts + 1);
  const partOf = new Uint8Array(lists.reduce((n, l) => n + l.ids.length, 0));
  const total = partOf.length;
  const ids = new Uint32Array(total);
  const item = new Int32Array(total);
  const bytes: Uint8Array[] = [];
  const recs: Int32Array[] = [];
  let n = 0;
  for (let p = 0; p < parts; p++) {
    const first = n;
    for (let k = starts[p]; k < (starts[p + 1] ?? lists.length); k++) n += lists[k].ids.length;
    firstItem[p + 1] = n;
    bytes.push(new Uint8Array((n - first) * (RECORD_BYTES + NAME_ROOM) + SLACK));
    recs.push(new Int32Array(bytes[p].buffer));
    partOf.fill(p, first, n);
  }
  n = 0;
  for (let p = 0; p < parts; p++) {
    const rec = recs[p];
    for (let k = starts[p], r = 0; k < (starts[p + 1] ?? lists.length); k++) {
      const list = lists[k];
      for (let i = 0; i < list.ids.length; i++, n++, r += 4) {
        ids[n] = list.ids[i];
        item[n] = n;
        rec[r] = list.ids[i];
        rec[r + 1] = list.sales[i];
      }
    }
  }
  const [sortedIds, sortedItems] = radixSortPairs(ids, item, total);
  const walk = catalog.walk();
  // Where each part's names end, and the name it holds of the product walked last.
  const at = Array.from({ length: parts }, (_, p) => (firstItem[p + 1] - firstItem[p]) * RECORD_BYTES);
  const heldId = new Float64Array(parts).fill(-1);
  const heldAt = new Int32Array(parts);
  const heldLength = new Int32Array(parts);
  let longestName = 0;
  let lastId = -1;
  let nameBytes: Uint8Array = new Uint8Array(0);
  let start = 0;
  let end = 0;
  for (let i = 0; i < total; i++) {
    const id = sortedIds[i];
    if (id !== lastId) {
      lastId = id;
      walk.seek(id);
      ({ array: nameBytes, start, end } = walk.name());
    }
    const m = sortedItems[i];
    const p = partOf[m];
    if (heldId[p] !== id) {
      heldId[p] = id;
      heldAt[p] = at[p];
      heldLength[p] = 0;
      if (end > start) {
        // An escaped byte takes up to 6 (`\u001f`).
        if (at[p] + 6 * (end - start) + SLACK > bytes[p].length) {
          const grown = new Uint8Array((Math.max(2 * bytes[p].length, at[p] + 6 * (end - start) + SLACK) + 15) & ~15);
          grown.set(bytes[p].subarray(0, at[p]));
          bytes[p] = grown;
          recs[p] = new Int32Array(grown.buffer);
        }
        let length = plainName(bytes[p], at[p], nameBytes, start, end);
        if (length < 0) {
          const escaped = Buffer.from(JSON.stringify(Buffer.from(nameBytes.buffer, nameBytes.byteOffset + start, end - start).toString('utf8')).slice(1, -1));
          bytes[p].set(escaped, at[p]);
          length = escaped.length;
        }
        heldLength[p] = length;
        at[p] += length;
        if (length > longestName) longestName = length;
      }
    }
    const r = (m - firstItem[p]) * 4;
    recs[p][r + 2] = heldAt[p];
    recs[p][r + 3] = heldLength[p];
  }
  return bytes.map((b, p) => ({
    bytes: b.subarray(0, at[p] + SLACK),
    counts: lists.slice(starts[p], starts[p + 1] ?? lists.length).map((l) => l.ids.length),
    longestName,
  }));
}

/** This thread's instance of the items kernel, and the part in its memory: the memory is kept, grown, for the next part. */
let itemsKernel: { memory: WebAssembly.Memory; exports: ItemsKernel; holds: LaidOutLists | undefined } | undefined;

/**
 * The top list files of a part laid out by layOutLists, written as bytes
 * rather than built as strings for JSON.stringify. The output is byte for
 * byte what JSON.stringify of the same document gives
 * (test/publish/top-list.test.ts).
 *
 * Why by hand, and why WebAssembly: encoding stored each byte with a
 * bounds check in JavaScript; the kernel writes a list's items with 16-byte
 * stores, from the records and the names laid out beside them. On the 2M
 * items of the bench's normal hour, finding the names and encoding took
 * 160 + 700 ms in JavaScript and 320 + 185 ms so, on one thread.
 */
export class TopListEncoder {
  private readonly tail: string;
  private readonly memory: WebAssembly.Memory;
  private readonly kernel: ItemsKernel;
  /** Index of each list's first item in the part. */
  private readonly firstItem: Uint32Array;
  /** Where the kernel writes a file: past the records and the names. */
  private readonly outAt: number;
  private view: Buffer;

  constructor(
    private readonly part: LaidOutLists,
    head: { generatedAt: string; window: Window },
  ) {
    this.tail = `,"generatedAt":${JSON.stringify(head.generatedAt)},"window":${JSON.stringify(head.window)},"items":[`;
    this.firstItem = new Uint32Array(part.counts.length + 1);
    part.counts.forEach((n, i) => (this.firstItem[i + 1] = this.firstItem[i] + n));
    itemsKernel ??= { ...kernelInstance<ItemsKernel>('items-kernel.wasm'), holds: undefined };
    ({ memory: this.memory, exports: this.kernel } = itemsKernel);
    if (this.kernel.RECORD.value !== RECORD_BYTES) throw new Error('items-kernel.wasm does not match documents.ts: run `npm run build`');
    this.outAt = (part.bytes.length + 15) & ~15;
    this.view = Buffer.from(this.memory.buffer);
  }

  /** Copies the part into the kernel's memory, unless it is the part there. */
  private load(): void {
    if (itemsKernel!.holds === this.part) return;
    growMemory(this.memory, this.outAt, true);
    new Uint8Array(this.memory.buffer).set(this.part.bytes);
    itemsKernel!.holds = this.part;
  }

  /** List k's file; the bytes are valid until the next call (copy them to keep them). */
  encode(k: number, scope: 'overall' | 'category', category?: { slug: string; name: string }): Buffer {
    this.load();
    const n = this.part.counts[k];
    // Key order as in the contract's example: category after scope.
    const head = `{"schemaVersion":${SCHEMA_VERSION},"scope":"${scope}"${category ? `,"category":${JSON.stringify(category)}` : ''}${this.tail}`;
    const headBytes = Buffer.byteLength(head);
    growMemory(this.memory, this.outAt + headBytes + n * (ITEM_BYTES + this.part.longestName) + 2 + SLACK, true);
    if (this.view.buffer !== this.memory.buffer) this.view = Buffer.from(this.memory.buffer);
    this.view.write(head, this.outAt);
    let end = this.kernel.items(this.firstItem[k] * RECORD_BYTES, n, this.outAt + headBytes);
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
