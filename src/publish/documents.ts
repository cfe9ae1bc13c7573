// The JSON the storefront fetches (CONTRACT.md §4), built from ranked lists.
// Fields may be added within schemaVersion 1; none may be renamed or removed.
import { isUtf8 } from 'node:buffer';
import type { Catalog } from '../catalog/catalog.js';
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

interface ItemsKernel {
  items(rec: number, n: number, out: number): number;
  RECORD: WebAssembly.Global;
}

/**
 * The top list files of a release, written as bytes rather than built as
 * strings for JSON.stringify: an hourly release holds 30k lists of 100
 * items, 2–3M items with names, every hour. The output is byte for byte
 * what JSON.stringify of the same document gives
 * (test/publish/top-list.test.ts).
 *
 * Why by hand, and why WebAssembly: the publish's main thread encodes
 * every item, and the same loop in JavaScript stored each byte with a
 * bounds check. The constructor lays every item out once in the memory of
 * a kernel (kernel/items.ts): a record, and the product's name copied
 * beside the others in id order (escaped there when JSON needs it, which is
 * rare), so that encoding reads the names from 25 MB in place of the
 * catalog's 150 MB, where reading them at random cost as much again. The
 * kernel then writes a list's items with 16-byte stores. On the 2M items of
 * the bench's normal hour, finding the names and encoding took 160 + 700 ms
 * in JavaScript, and take 320 + 185 ms so.
 */
export class TopListEncoder {
  private readonly tail: string;
  private readonly memory: WebAssembly.Memory;
  private readonly kernel: ItemsKernel;
  /** Index of each list's first item among all items. */
  private readonly firstItem: Uint32Array;
  /** The longest name as laid out (escaped), for the room a list needs. */
  private readonly longestName: number;
  /** Where the kernel writes a file: past the records and the names. */
  private readonly outAt: number;
  private view: Buffer;

  constructor(
    catalog: Pick<Catalog, 'productIds' | 'nameOffsets' | 'nameBytes'>,
    head: { generatedAt: string; window: Window },
    private readonly lists: readonly TopList[],
  ) {
    this.tail = `,"generatedAt":${JSON.stringify(head.generatedAt)},"window":${JSON.stringify(head.window)},"items":[`;
    this.firstItem = new Uint32Array(lists.length + 1);
    lists.forEach((l, i) => (this.firstItem[i + 1] = this.firstItem[i] + l.ids.length));
    ({ memory: this.memory, exports: this.kernel } = kernelInstance<ItemsKernel>('items-kernel.wasm'));
    if (this.kernel.RECORD.value !== RECORD_BYTES) throw new Error('items-kernel.wasm does not match documents.ts: run `npm run build`');
    const laid = layOutItems(lists, this.firstItem[lists.length], catalog, this.memory);
    this.longestName = laid.longestName;
    this.outAt = (laid.end + SLACK + 15) & ~15;
    this.view = Buffer.from(this.memory.buffer);
  }

  /** List k's file; the bytes are valid until the next call (copy them to keep them). */
  encode(k: number, scope: 'overall' | 'category', category?: { slug: string; name: string }): Buffer {
    const n = this.lists[k].ids.length;
    // Key order as in the contract's example: category after scope.
    const head = `{"schemaVersion":${SCHEMA_VERSION},"scope":"${scope}"${category ? `,"category":${JSON.stringify(category)}` : ''}${this.tail}`;
    const headBytes = Buffer.byteLength(head);
    growMemory(this.memory, this.outAt + headBytes + n * (ITEM_BYTES + this.longestName) + 2 + SLACK, true);
    if (this.view.buffer !== this.memory.buffer) this.view = Buffer.from(this.memory.buffer);
    this.view.write(head, this.outAt);
    let end = this.kernel.items(this.firstItem[k] * RECORD_BYTES, n, this.outAt + headBytes);
    this.view[end++] = 0x5d; // ]
    this.view[end++] = 0x7d; // }
    return this.view.subarray(this.outAt, end);
  }
}

/**
 * Writes the record of every item of every list, in list order from address
 * 0, and after them the names, each product's once; returns where the names
 * end. The names are found for all items at once: the items sorted by
 * product id and walked beside the catalog's sorted ids, so that the
 * catalog's names are read in order. A binary search per item touches ~24
 * places of a 40 MB array and then the name offsets, all at random: at 3M
 * items those cache and TLB misses were most of the publish stage.
 */
function layOutItems(
  lists: readonly TopList[],
  total: number,
  catalog: Pick<Catalog, 'productIds' | 'nameOffsets' | 'nameBytes'>,
  memory: WebAssembly.Memory,
): { end: number; longestName: number } {
  growMemory(memory, total * RECORD_BYTES + SLACK, true);
  let rec = new Int32Array(memory.buffer);
  const ids = new Uint32Array(total);
  const item = new Int32Array(total);
  let n = 0;
  for (const list of lists) {
    for (let i = 0; i < list.ids.length; i++, n++) {
      ids[n] = list.ids[i];
      item[n] = n;
      rec[n * 4] = list.ids[i];
      rec[n * 4 + 1] = list.sales[i];
    }
  }
  const [sortedIds, sortedItems] = radixSortPairs(ids, item, total);
  const { productIds: known, nameOffsets, nameBytes } = catalog;
  let out = new Uint8Array(memory.buffer);
  let at = total * RECORD_BYTES;
  let longestName = 0;
  let c = 0;
  let lastId = -1;
  let nameAt = 0;
  let nameLength = 0;
  for (let i = 0; i < total; i++) {
    const id = sortedIds[i];
    if (id !== lastId) {
      lastId = id;
      while (c < known.length && known[c] < id) c++;
      nameLength = 0;
      if (c < known.length && known[c] === id && nameOffsets[c + 1] > nameOffsets[c]) {
        const start = nameOffsets[c];
        const end = nameOffsets[c + 1];
        // An escaped byte takes up to 6 (`\u001f`).
        if (at + 6 * (end - start) + SLACK > out.length) {
          growMemory(memory, at + 6 * (end - start) + SLACK, true);
          out = new Uint8Array(memory.buffer);
          rec = new Int32Array(memory.buffer);
        }
        nameAt = at;
        nameLength = plainName(out, at, nameBytes, start, end);
        if (nameLength < 0) {
          const escaped = Buffer.from(JSON.stringify(nameBytes.toString('utf8', start, end)).slice(1, -1));
          out.set(escaped, at);
          nameLength = escaped.length;
        }
        at += nameLength;
        if (nameLength > longestName) longestName = nameLength;
      }
    }
    const r = sortedItems[i] * 4;
    rec[r + 2] = nameAt;
    rec[r + 3] = nameLength;
  }
  return { end: at, longestName };
}

/**
 * Copies a name to out[at..] as it lies when JSON needs no escape in it (no
 * quote, backslash or control character, and valid UTF-8: bytes that are not
 * would be replaced when decoded); returns its length, or -1 when it must go
 * through JSON.stringify instead. The bytes are copied as they are checked:
 * a Buffer#copy call per name cost more than the loop.
 */
function plainName(out: Uint8Array, at: number, bytes: Buffer, start: number, end: number): number {
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
