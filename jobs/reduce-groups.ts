// Task: the reduce step for a range of categories (src/rank/reduce-window.ts):
// each category's window counts, the held window plus this run's change, its
// top 100, and where the names of the listed products lie in the catalog.
// The held window, the changes and the catalog's name columns come in
// SharedArrayBuffers (read in place, not copied); the new counts and the
// lists go back as buffers the main thread takes over.
import { type NameColumns, type NameSpans, nameSpans } from '../src/catalog/name-spans.js';
import { decodeCountSet } from '../src/counts/count-file.js';
import type { Block } from '../src/counts/count-table.js';
import { type PackedBlocks, unpackBlock } from '../src/counts/packed-blocks.js';
import { mergeGroups } from '../src/counts/window.js';
import { countRanked, topK } from '../src/rank/top-k.js';
import { withTransfer } from './task-result.js';

export interface ReduceGroupsTask {
  /** The held window file's bytes, in a SharedArrayBuffer; none when the window starts empty. */
  held?: Uint8Array;
  /** The held window file's path, for errors. */
  heldPath: string;
  /** The categories of this task, ascending. */
  groups: string[];
  /** Their changes this run, in the same order (empty for a category that did not change). */
  deltas: PackedBlocks;
  /** The catalog's product ids and name offsets. */
  names: NameColumns;
  attempt?: number;
}

export interface ReduceGroupsResult {
  /** Their new counts, in `groups` order: one run of each array, so the window file gets a few big writes. */
  merged: PackedBlocks;
  /** Each category's top list, in `groups` order (rank order within). */
  top: PackedBlocks;
  /** Where the name of each item of `top` lies in the catalog's name bytes. */
  names: NameSpans;
  /** Each category's count of products with sales > 0, in `groups` order. */
  productsRanked: Uint32Array;
}

export function reduceGroups(task: ReduceGroupsTask): ReduceGroupsResult {
  const prev = task.held ? decodeCountSet(task.held, task.heldPath).groups : new Map<string, Block>();
  const deltas = new Map(task.groups.map((name, i) => [name, { block: unpackBlock(task.deltas, i) }]));
  const { blocks, buffer } = mergeGroups(prev, deltas, task.groups);
  const mergedEnds = new Uint32Array(blocks.length);
  let used = 0;
  blocks.forEach((b, i) => (mergedEnds[i] = used += b.ids.length));

  const productsRanked = new Uint32Array(task.groups.length);
  const lists = blocks.map((block, i) => {
    productsRanked[i] = countRanked(block);
    return topK(block);
  });
  const topEnds = new Uint32Array(lists.length);
  const topIds = new Uint32Array(lists.reduce((n, l) => n + l.length, 0));
  const topSales = new Int32Array(topIds.length);
  let at = 0;
  lists.forEach((list, i) => {
    for (const r of list) {
      topIds[at] = r.productId;
      topSales[at++] = r.sales;
    }
    topEnds[i] = at;
  });
  const names = nameSpans(topIds, task.names);
  const result: ReduceGroupsResult = {
    merged: { ids: buffer.ids.subarray(0, used), sales: buffer.sales.subarray(0, used), ends: mergedEnds },
    top: { ids: topIds, sales: topSales, ends: topEnds },
    names,
    productsRanked,
  };
  const buffers = [buffer.ids, buffer.sales, mergedEnds, topIds, topSales, topEnds, names.start, names.end, productsRanked].map((a) => a.buffer as ArrayBuffer);
  return withTransfer(result, buffers);
}
