// The reduce step of a run: every list's window counts (the held window plus
// this run's change, counts/window.ts) and its top 100, on the workers.
// Categories go out in ranges of about equal size (reduceGroups jobs) while
// this thread moves and ranks the global group, a third of the window's
// entries. Done here alone, the two took ~1 s of a steady normal hour with
// the workers idle. The held window travels as the SharedArrayBuffer it was
// read into, the changes as one more: the workers read them in place.
import type { Catalog } from '../catalog/catalog.js';
import { type CountSet, GLOBAL } from '../counts/count-file.js';
import { type Block, EMPTY_BLOCK } from '../counts/count-table.js';
import { type PackedBlocks, packBlocks, unpackBlock } from '../counts/packed-blocks.js';
import { type GroupDelta, mergeGroups, withGroups } from '../counts/window.js';
import type { ReduceGroupsTask } from '../../jobs/reduce-groups.js';
import { settleAll } from '../pipeline/map-stage.js';
import type { Runner } from '../pipeline/runner.js';
import type { Ranked } from './order.js';
import { type ListOf, type RankedWindow, rankedWindow } from './rank-window.js';
import { countRanked, topK } from './top-k.js';

/** Jobs per worker: ranges of like size still finish unevenly. */
const TASKS_PER_WORKER = 2;
/** A group's weight beyond its entries: its merge, its histogram and its list. */
const GROUP_COST = 16;

export interface ReduceInput {
  /** The window the state holds (empty when it is recomputed). */
  prev: CountSet;
  /** The bytes prev was decoded from, in a SharedArrayBuffer; none when prev is empty. */
  held?: Uint8Array;
  heldPath: string;
  /** This run's change of each group (counts/window.ts groupDeltas). */
  deltas: ReadonlyMap<string, GroupDelta>;
  spanStart: number;
  spanEnd: number;
  catalog: Catalog;
  runner: Runner;
}

export interface Reduced {
  window: CountSet;
  ranked: RankedWindow;
}

export async function reduceWindow(input: ReduceInput): Promise<Reduced> {
  const { prev, deltas, runner } = input;
  const categories = [...new Set([...prev.groups.keys(), ...deltas.keys()])].filter((g) => g !== GLOBAL).sort();
  const tasks = ranges(categories, (g) => GROUP_COST + (prev.groups.get(g)?.ids.length ?? 0) + (deltas.get(g)?.block.ids.length ?? 0), runner.parallelism * TASKS_PER_WORKER).map((groups): ReduceGroupsTask => {
    const changed = groups.filter((g) => deltas.has(g));
    return { held: input.held, heldPath: input.heldPath, groups, changed, deltas: packBlocks(changed.map((g) => deltas.get(g)!.block), true) };
  });
  const jobs = settleAll(tasks.map((task) => runner.run('reduceGroups', task)));
  jobs.catch(() => {}); // awaited below, after this thread's share

  const global = deltas.get(GLOBAL);
  const globalBlock = global ? mergeGroups(prev.groups, deltas, [GLOBAL]).blocks[0] : (prev.groups.get(GLOBAL) ?? EMPTY_BLOCK);
  const overall: ListOf = { list: topK(globalBlock), productsRanked: countRanked(globalBlock) };

  const changed = new Map<string, { block: Block; lines: number }>();
  const linesNow = (g: string) => (prev.lines.get(g) ?? 0) + deltas.get(g)!.lines;
  if (global) changed.set(GLOBAL, { block: globalBlock, lines: linesNow(GLOBAL) });
  const lists = new Map<string, ListOf>();
  for (const [k, r] of (await jobs).entries()) {
    tasks[k].changed.forEach((g, i) => changed.set(g, { block: unpackBlock(r.merged, i), lines: linesNow(g) }));
    tasks[k].groups.forEach((g, i) => lists.set(g, { list: unpackList(r.top, i), productsRanked: r.productsRanked[i] }));
  }
  const window = withGroups(prev, changed, input.spanStart, input.spanEnd);
  return { window, ranked: rankedWindow(window, input.catalog, overall, lists) };
}

/** Splits the items, in order, into at most `parts` runs of about equal weight. */
export function ranges<T>(items: readonly T[], weight: (x: T) => number, parts: number): T[][] {
  const total = items.reduce((n, x) => n + weight(x), 0);
  const out: T[][] = [];
  let run: T[] = [];
  let acc = 0;
  for (const x of items) {
    run.push(x);
    acc += weight(x);
    if (acc >= (total * (out.length + 1)) / parts && out.length < parts - 1) {
      out.push(run);
      run = [];
    }
  }
  if (run.length > 0) out.push(run);
  return out;
}

function unpackList(p: PackedBlocks, i: number): Ranked[] {
  const { ids, sales } = unpackBlock(p, i);
  return Array.from(ids, (productId, j) => ({ productId, sales: sales[j] }));
}
