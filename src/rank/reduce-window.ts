// The reduce step of a run: every list's window counts (the held window plus
// this run's change, counts/window.ts), its top 100, and where the names of
// its products lie in the catalog, on the workers. Categories go out in
// ranges of about equal size (reduceGroups jobs) while this thread moves and
// ranks the global group, a third of the window's entries (its caller then
// checks the hours recounted for consistency). Done here alone, moving the window,
// ranking and finding 3M names took ~1.5 s of a steady normal hour with the
// workers idle. The held window, the changes and the catalog's name columns
// travel in SharedArrayBuffers: the workers read them in place.
import type { Catalog } from '../catalog/catalog.js';
import { type NameSpans, nameSpans, sharedNameColumns } from '../catalog/name-spans.js';
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
  const names = sharedNameColumns(input.catalog);
  const categories = [...new Set([...prev.groups.keys(), ...deltas.keys()])].filter((g) => g !== GLOBAL).sort();
  const tasks = ranges(categories, (g) => GROUP_COST + (prev.groups.get(g)?.ids.length ?? 0) + (deltas.get(g)?.block.ids.length ?? 0), runner.parallelism * TASKS_PER_WORKER).map((groups): ReduceGroupsTask => {
    const changes = groups.map((g) => deltas.get(g)?.block ?? EMPTY_BLOCK);
    return { held: input.held, heldPath: input.heldPath, groups, deltas: packBlocks(changes, true), names };
  });
  const jobs = settleAll(tasks.map((task) => runner.run('reduceGroups', task)));
  jobs.catch(() => {}); // awaited below, after this thread's share

  const global = deltas.get(GLOBAL);
  const globalBlock = global ? mergeGroups(prev.groups, deltas, [GLOBAL]).blocks[0] : (prev.groups.get(GLOBAL) ?? EMPTY_BLOCK);
  const overall: ListOf = { list: topK(globalBlock), productsRanked: countRanked(globalBlock) };

  const moved = new Map<string, { block: Block; lines: number }>();
  const linesNow = (g: string) => (prev.lines.get(g) ?? 0) + (deltas.get(g)?.lines ?? 0);
  if (global) moved.set(GLOBAL, { block: globalBlock, lines: linesNow(GLOBAL) });
  const lists = new Map<string, ListOf>();
  const spans = new Map<string, NameSpans>();
  for (const [k, r] of (await jobs).entries()) {
    tasks[k].groups.forEach((g, i) => {
      moved.set(g, { block: unpackBlock(r.merged, i), lines: linesNow(g) });
      lists.set(g, { list: unpackList(r.top, i), productsRanked: r.productsRanked[i] });
      const from = i === 0 ? 0 : r.top.ends[i - 1];
      spans.set(g, { start: r.names.start.subarray(from, r.top.ends[i]), end: r.names.end.subarray(from, r.top.ends[i]) });
    });
  }
  const window = withGroups(prev, moved, input.spanStart, input.spanEnd);
  const ranked = rankedWindow(window, input.catalog, overall, lists);
  const inOrder = [nameSpans(Uint32Array.from(overall.list, (r) => r.productId), names), ...ranked.categories.map((c) => spans.get(c.slug))];
  return { window, ranked: { ...ranked, names: concatSpans(inOrder) } };
}

/** The spans of every list one after another; a list without spans has no items. */
function concatSpans(parts: ReadonlyArray<NameSpans | undefined>): NameSpans {
  const total = parts.reduce((n, p) => n + (p?.start.length ?? 0), 0);
  const out: NameSpans = { start: new Uint32Array(total), end: new Uint32Array(total) };
  let at = 0;
  for (const p of parts) {
    if (!p) continue;
    out.start.set(p.start, at);
    out.end.set(p.end, at);
    at += p.start.length;
  }
  return out;
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
