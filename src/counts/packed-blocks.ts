// Blocks of counts packed back to back in two typed arrays, to cross between
// threads as a few buffers instead of one pair of views per group (30k).
import { type Block, EMPTY_BLOCK } from './count-table.js';

/** Group i is entries [ends[i - 1] ?? 0, ends[i]) of ids and sales. */
export interface PackedBlocks {
  ids: Uint32Array;
  sales: Int32Array;
  ends: Uint32Array;
}

/** The blocks copied into one pair of arrays; `shared` puts them in SharedArrayBuffers, for threads to read in place. */
export function packBlocks(blocks: readonly Block[], shared = false): PackedBlocks {
  const ends = new Uint32Array(blocks.length);
  let n = 0;
  blocks.forEach((b, i) => (ends[i] = n += b.ids.length));
  const ids = new Uint32Array(shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
  const sales = new Int32Array(shared ? new SharedArrayBuffer(n * 4) : new ArrayBuffer(n * 4));
  blocks.forEach((b, i) => {
    ids.set(b.ids, ends[i] - b.ids.length);
    sales.set(b.sales, ends[i] - b.ids.length);
  });
  return { ids, sales, ends };
}

export function unpackBlock(p: PackedBlocks, i: number): Block {
  const from = i === 0 ? 0 : p.ends[i - 1];
  const to = p.ends[i];
  return from === to ? EMPTY_BLOCK : { ids: p.ids.subarray(from, to), sales: p.sales.subarray(from, to) };
}
