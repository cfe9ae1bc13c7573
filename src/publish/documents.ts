// The JSON the storefront fetches (CONTRACT.md §4), built from ranked lists.
// Fields may be added within schemaVersion 1; none may be renamed or removed.
import { isUtf8 } from 'node:buffer';
import type { Catalog } from '../catalog/catalog.js';
import { radixSortPairs } from '../counts/count-table.js';
import { putBytes, putInt } from './json-bytes.js';
import type { TopList } from '../rank/order.js';

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
const RANK = Buffer.from('{"rank":');
const PRODUCT_ID = Buffer.from(',"productId":');
const SALES = Buffer.from(',"sales":');
const NAME = Buffer.from(',"name":"');

/**
 * The top list files of a release, written as bytes rather than built as
 * strings for JSON.stringify: an hourly release holds 30k lists of 100 items,
 * ~3M items with names, every hour. A name is copied from the catalog's
 * UTF-8 bytes as it lies when it needs no escaping (the common case);
 * otherwise it goes through JSON.stringify. The output is byte for byte what
 * JSON.stringify of the same document gives (test/publish/top-list.test.ts).
 * The hot loop keeps its buffer and offset in locals and copies literals byte
 * by byte: a Buffer#write per literal costs more than the whole item.
 */
export class TopListEncoder {
  private out = Buffer.allocUnsafe(1 << 16);
  private readonly tail: string;
  private readonly names: NameSpans;
  /** Index of each list's first item among all items. */
  private readonly firstItem: Uint32Array;

  constructor(
    catalog: Pick<Catalog, 'productIds' | 'nameOffsets' | 'nameBytes'>,
    head: { generatedAt: string; window: Window },
    private readonly lists: readonly TopList[],
  ) {
    this.tail = `,"generatedAt":${JSON.stringify(head.generatedAt)},"window":${JSON.stringify(head.window)},"items":[`;
    this.firstItem = new Uint32Array(lists.length + 1);
    lists.forEach((l, i) => (this.firstItem[i + 1] = this.firstItem[i] + l.ids.length));
    this.names = nameSpans(lists, this.firstItem[lists.length], catalog);
  }

  /** List k's file; the bytes are valid until the next call (copy them to keep them). */
  encode(k: number, scope: 'overall' | 'category', category?: { slug: string; name: string }): Buffer {
    const { ids, sales: salesOf } = this.lists[k];
    // Key order as in the contract's example: category after scope.
    const head = `{"schemaVersion":${SCHEMA_VERSION},"scope":"${scope}"${category ? `,"category":${JSON.stringify(category)}` : ''}${this.tail}`;
    let out = this.room(0, Buffer.byteLength(head) + 2);
    let at = out.write(head, 0);
    const { start, end, bytes } = this.names;
    for (let i = 0, item = this.firstItem[k]; i < ids.length; i++, item++) {
      const productId = ids[i];
      const sales = salesOf[i];
      const nameStart = start[item];
      const nameEnd = end[item];
      if (at + ITEM_BYTES + (nameEnd - nameStart) > out.length) out = this.room(at, ITEM_BYTES + nameEnd - nameStart);
      if (i > 0) out[at++] = 0x2c; // ,
      at = putBytes(out, at, RANK);
      at = putInt(out, at, i + 1);
      at = putBytes(out, at, PRODUCT_ID);
      at = putInt(out, at, productId);
      at = putBytes(out, at, SALES);
      at = putInt(out, at, sales);
      if (nameEnd > nameStart) {
        const plain = plainName(out, at + NAME.length, bytes, nameStart, nameEnd);
        if (plain > 0) {
          putBytes(out, at, NAME);
          at = plain;
          out[at++] = QUOTE;
        } else {
          const json = `,"name":${JSON.stringify(bytes.toString('utf8', nameStart, nameEnd))}`;
          out = this.room(at, Buffer.byteLength(json) + 4);
          at += out.write(json, at);
        }
      }
      out[at++] = 0x7d; // }
    }
    out = this.room(at, 2);
    out[at++] = 0x5d; // ]
    out[at++] = 0x7d; // }
    return out.subarray(0, at);
  }

  /** The buffer, grown if needed so that `need` bytes fit after the first `used`. */
  private room(used: number, need: number): Buffer {
    if (used + need <= this.out.length) return this.out;
    const bigger = Buffer.allocUnsafe(Math.max(this.out.length * 2, used + need));
    this.out.copy(bigger, 0, 0, used);
    return (this.out = bigger);
  }
}

/** Item i's name is bytes[start[i] .. end[i]) (empty: no name). */
interface NameSpans {
  start: Uint32Array;
  end: Uint32Array;
  bytes: Buffer;
}

/**
 * Where the name of every item of every list lies in the catalog, found for
 * all items at once: the items sorted by product id and walked beside the
 * catalog's sorted ids. A binary search per item touches ~24 places of a
 * 40 MB array and then the name offsets, all at random: at 3M items those
 * cache and TLB misses were most of the publish stage.
 */
function nameSpans(lists: readonly TopList[], total: number, catalog: Pick<Catalog, 'productIds' | 'nameOffsets' | 'nameBytes'>): NameSpans {
  const ids = new Uint32Array(total);
  const item = new Int32Array(total);
  let n = 0;
  for (const list of lists) {
    for (let i = 0; i < list.ids.length; i++) {
      ids[n] = list.ids[i];
      item[n] = n;
      n++;
    }
  }
  const [sortedIds, sortedItems] = radixSortPairs(ids, item, total);
  const start = new Uint32Array(total);
  const end = new Uint32Array(total);
  const { productIds: known, nameOffsets } = catalog;
  let c = 0;
  for (let i = 0; i < total; i++) {
    const id = sortedIds[i];
    while (c < known.length && known[c] < id) c++;
    if (c < known.length && known[c] === id) {
      start[sortedItems[i]] = nameOffsets[c];
      end[sortedItems[i]] = nameOffsets[c + 1];
    }
  }
  return { start, end, bytes: catalog.nameBytes };
}

/**
 * Copies a name to out[at..] as it lies when JSON needs no escape in it (no
 * quote, backslash or control character, and valid UTF-8: bytes that are not
 * would be replaced when decoded); returns the offset after it, or 0 when the
 * name must go through JSON.stringify instead. The bytes are copied as they
 * are checked: a Buffer#copy call per name cost more than the loop.
 */
function plainName(out: Buffer, at: number, bytes: Buffer, start: number, end: number): number {
  let high = 0;
  for (let k = start, o = at; k < end; k++, o++) {
    const b = bytes[k];
    if (b < 0x20 || b === QUOTE || b === BACKSLASH) return 0;
    high |= b;
    out[o] = b;
  }
  if (high >= 0x80 && !isUtf8(bytes.subarray(start, end))) return 0;
  return at + end - start;
}
