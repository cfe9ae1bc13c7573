// The sum of count sets, group by group: a day's 24 hours (day-counts.ts),
// a week's 7 days (the daily tier), a window's 168 hours when there is no
// held window to move (window.ts's fullWindow).
import { type CountSet, compareGroups, emptyCountSet } from './count-file.js';
import { type Block, EMPTY_BLOCK, type Run, mergeRunsInto } from './count-table.js';

/**
 * The arrays sumCountSets writes into, kept from one call to the next so
 * that a run rolling up 7 days allocates them once, not 7 times (at full
 * scale each day's are a few hundred MB, and the freed ones were not given
 * back soon enough to keep the run under its memory target). A sum made in
 * a space is valid until the next sum made in it.
 */
export class SumSpace {
  private arrays: Block[] = [];

  /** Array pair i, with room for n entries. */
  pair(i: number, n: number): Block {
    if (!this.arrays[i] || this.arrays[i].ids.length < n) this.arrays[i] = { ids: new Uint32Array(n), sales: new Int32Array(n) };
    return this.arrays[i];
  }
}

/**
 * The sum of count sets, group by group, in the order of a count file (so
 * the groups lie back to back, one write per array). Each group's blocks are
 * merged two by two, in rounds through two scratch buffers that every group
 * reuses, until at most K_WAY runs are left; those are merged in one k-way
 * pass straight into one pair of arrays that holds every group's sum. No
 * typed array is made per group or per merge. (At 30k categories, merging a
 * day's 24 hours two by two with a new pair of arrays per merge made ~1.4M
 * small arrays, and allocating and collecting them took most of the time.)
 * A week's 7 days take the k-way pass alone, with no scratch; a window's 168
 * hours take five rounds first, with scratch sized for the global group's
 * entries in all of them (~0.5 GB at 200k purchases an hour). Entries
 * netting to zero are dropped; a group with neither entries nor lines is
 * left out.
 */
export function sumCountSets(sets: readonly CountSet[], spanStart: number, spanEnd: number, space = new SumSpace()): CountSet {
  const blocks = new Map<string, Block[]>();
  const lines = new Map<string, number>();
  let total = 0;
  let widest = 0;
  for (const set of sets) {
    for (const [group, block] of set.groups) {
      let list = blocks.get(group);
      if (!list) blocks.set(group, (list = []));
      if (block.ids.length > 0) list.push(block);
      total += block.ids.length;
    }
    for (const [group, n] of set.lines) {
      lines.set(group, (lines.get(group) ?? 0) + n);
      if (!blocks.has(group)) blocks.set(group, []);
    }
  }
  for (const list of blocks.values()) if (list.length > K_WAY) widest = Math.max(widest, list.reduce((n, b) => n + b.ids.length, 0));
  // Only the pages written become resident: the arrays are sized for the worst case (no two entries meet).
  const out = space.pair(0, total) as { ids: Uint32Array; sales: Int32Array };
  const scratch = [space.pair(1, widest), space.pair(2, widest)];
  const sum = emptyCountSet(spanStart, spanEnd);
  let at = 0;
  for (const group of [...blocks.keys()].sort(compareGroups)) {
    const list = blocks.get(group)!;
    const n = sumRuns(list.map((b) => ({ ids: b.ids, sales: b.sales, from: 0, to: b.ids.length })), out, at, scratch);
    const groupLines = lines.get(group) ?? 0;
    if (n === 0 && groupLines === 0) continue;
    sum.groups.set(group, n === 0 ? EMPTY_BLOCK : { ids: out.ids.subarray(at, at + n), sales: out.sales.subarray(at, at + n) });
    sum.lines.set(group, groupLines);
    at += n;
  }
  return sum;
}

/**
 * Runs merged in one k-way pass: each step scans this many heads for the
 * smallest id. Beyond it, rounds of two-way merges cost less (a day of 24
 * hours takes two rounds, 24 → 12 → 6, then the k-way pass).
 */
const K_WAY = 8;

/** Merges sorted runs into out from `at`, two by two in rounds through the scratch buffers, then k ways; returns the entries written. */
function sumRuns(level: Run[], out: Block, at: number, scratch: Block[]): number {
  let round = 0;
  while (level.length > K_WAY) {
    const dst = scratch[round++ % 2];
    const next: Run[] = [];
    let n = 0;
    for (let i = 0; i < level.length; i += 2) {
      const w = i + 1 < level.length ? mergeRunsInto(level[i], level[i + 1], 1, dst, n) : copyRun(level[i], dst, n);
      next.push({ ids: dst.ids, sales: dst.sales, from: n, to: n + w });
      n += w;
    }
    level = next;
  }
  return level.length === 1 ? copyRun(level[0], out, at) : mergeKWay(level, out, at);
}

/**
 * Merges sorted runs k ways into dst from `at`: the smallest id at the heads,
 * summed over the runs that hold it (netting to zero: dropped). A run that
 * ends leaves the set, so the scan shrinks. Returns the entries written.
 */
function mergeKWay(runs: Run[], dst: Block, at: number): number {
  const ids = dst.ids;
  const sales = dst.sales;
  const runIds = runs.map((r) => r.ids);
  const runSales = runs.map((r) => r.sales);
  const pos = runs.map((r) => r.from);
  const end = runs.map((r) => r.to);
  let k = runs.length;
  let n = at;
  while (k > 0) {
    let min = runIds[0][pos[0]];
    for (let r = 1; r < k; r++) if (runIds[r][pos[r]] < min) min = runIds[r][pos[r]];
    let total = 0;
    for (let r = 0; r < k; r++) {
      if (runIds[r][pos[r]] !== min) continue;
      total += runSales[r][pos[r]++];
      if (pos[r] === end[r]) {
        // The last run takes this one's place, and is looked at next.
        k--;
        runIds[r] = runIds[k];
        runSales[r] = runSales[k];
        pos[r] = pos[k];
        end[r] = end[k];
        r--;
      }
    }
    if (total !== 0) {
      ids[n] = min;
      sales[n++] = total;
    }
  }
  return n - at;
}

function copyRun(r: Run, dst: Block, at: number): number {
  dst.ids.set(r.ids.subarray(r.from, r.to), at);
  dst.sales.set(r.sales.subarray(r.from, r.to), at);
  return r.to - r.from;
}
