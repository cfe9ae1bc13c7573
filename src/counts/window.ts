// Window totals kept incrementally: the previous window plus the hours that
// entered (or were rebuilt: new version minus old) minus the hours that left.
// A steady-state hourly run therefore costs in proportion to what changed,
// not to the 168 hours it covers. `fullWindow` recomputes from scratch; a
// test holds the two equal.
import { type Block, BlockBuffer, EMPTY_BLOCK, mergeTwo, sumBlocks } from './count-table.js';
import { type CountSet, compareGroups, emptyCountSet } from './count-file.js';
import { sumCountSets } from './sum.js';

/** Hour → version of its count file, for the hours a window includes. */
export type HourVersions = Record<string, number>;

export type ReadHour = (hour: number, version: number) => CountSet;

export interface WindowDelta {
  entering: Array<{ hour: number; version: number }>;
  leaving: Array<{ hour: number; version: number }>;
}

/** What changed between the hours a window holds and the hours it should hold. */
export function windowDelta(held: HourVersions, target: HourVersions): WindowDelta {
  const delta: WindowDelta = { entering: [], leaving: [] };
  for (const [h, v] of Object.entries(target)) {
    if (held[h] === v) continue;
    delta.entering.push({ hour: +h, version: v });
    if (held[h] !== undefined) delta.leaving.push({ hour: +h, version: held[h] });
  }
  for (const [h, v] of Object.entries(held)) if (target[h] === undefined) delta.leaving.push({ hour: +h, version: v });
  return delta;
}

/** Applies a delta to a window's counts; returns new counts (the input is not changed). */
export function applyDelta(prev: CountSet, delta: WindowDelta, read: ReadHour, spanStart: number, spanEnd: number): CountSet {
  const sets = [...delta.entering.map((e) => ({ set: read(e.hour, e.version), sign: 1 })), ...delta.leaving.map((l) => ({ set: read(l.hour, l.version), sign: -1 }))];
  const groups = groupsInOrder([prev, ...sets.map((s) => s.set)]);
  // Group by group, in the order of a count file, with arrays rather than a
  // map of parts: a steady hour moves 30k groups, and in a profile of the
  // bench's normal hour that bookkeeping took 0.3 s of the move's 0.84 s.
  // First what changed. With few hours moving (an hourly run's), a group has
  // one block entering and one leaving, and every sum goes into one scratch
  // buffer with room for all the hours' blocks, where sumBlocks would
  // allocate a negated copy and a sum for each of 30k groups. More hours
  // moving (a catch-up after missed hours, hours rebuilt by late lines)
  // allocate as they sum.
  const few = sets.length <= FEW_HOURS;
  let scratch: BlockBuffer | undefined;
  if (few) {
    let room = 0;
    for (const { set } of sets) for (const b of set.groups.values()) room += b.ids.length;
    scratch = new BlockBuffer(room);
  }
  const { blocks, signs, moved } = gather(sets, groups, few);
  const deltas: Block[] = new Array(groups.length);
  let room = 0;
  groups.forEach((group, i) => {
    deltas[i] = sumOf(blocks[i], signs[i], scratch);
    room += (prev.groups.get(group)?.ids.length ?? 0) + deltas[i].ids.length;
  });
  // Every group's new counts in one buffer, the unchanged ones copied too: the
  // window file is then one write per array, where unchanged groups left as
  // views of the held file made ~800 runs.
  const into = new BlockBuffer(room);
  const next = emptyCountSet(spanStart, spanEnd);
  groups.forEach((group, i) => {
    const merged = mergeTwo(prev.groups.get(group) ?? EMPTY_BLOCK, deltas[i], 1, into);
    const lines = (prev.lines.get(group) ?? 0) + moved[i];
    if (merged.ids.length > 0 || lines !== 0) {
      next.groups.set(group, merged);
      next.lines.set(group, lines);
    }
  });
  return next;
}

/** Hours moving at most this many (an hourly run's: the newest in, the oldest out) take applyDelta's ways for few. */
const FEW_HOURS = 2;

/**
 * Each group's blocks in the sets' order, and its lines entered minus left.
 * With few hours moving, each group is looked up in them; with more (up to
 * 168 entering and 168 leaving after a week without runs), each hour's
 * groups are walked in turn instead, since looking 30k groups up in 168 maps
 * missed the cache at nearly every step (a window summed so from its 168
 * hours took 28–35 s, against 25–29 s).
 */
function gather(sets: ReadonlyArray<{ set: CountSet; sign: number }>, groups: readonly string[], few: boolean) {
  const blocks: Block[][] = groups.map(() => []);
  const signs: number[][] = groups.map(() => []);
  const moved = new Float64Array(groups.length);
  if (few) {
    groups.forEach((group, i) => {
      for (const { set, sign } of sets) {
        const b = set.groups.get(group);
        if (b) {
          blocks[i].push(b);
          signs[i].push(sign);
        }
        moved[i] += sign * (set.lines.get(group) ?? 0);
      }
    });
    return { blocks, signs, moved };
  }
  const index = new Map(groups.map((group, i) => [group, i]));
  for (const { set, sign } of sets) {
    for (const [group, b] of set.groups) {
      const i = index.get(group)!;
      blocks[i].push(b);
      signs[i].push(sign);
    }
    for (const [group, lines] of set.lines) moved[index.get(group)!] += sign * lines;
  }
  return { blocks, signs, moved };
}

/** One sign's block as it is, two of opposite signs into the scratch buffer (if any), anything else by sumBlocks. */
function sumOf(blocks: Block[], signs: number[], scratch: BlockBuffer | undefined): Block {
  if (blocks.length === 0) return EMPTY_BLOCK;
  if (blocks.length === 1) return signs[0] === 1 ? blocks[0] : mergeTwo(EMPTY_BLOCK, blocks[0], -1, scratch);
  if (blocks.length === 2 && signs[0] !== signs[1]) {
    const [plus, minus] = signs[0] === 1 ? blocks : [blocks[1], blocks[0]];
    return mergeTwo(plus, minus, -1, scratch);
  }
  return sumBlocks(blocks, signs);
}

/**
 * Every group the sets name, in the order of a count file. A set read from a
 * file lists its groups in that order already; the union is then a walk
 * over sorted lists, not a sort of 60k names.
 */
function groupsInOrder(sets: readonly CountSet[]): string[] {
  let union: string[] = [];
  for (const set of sets) {
    const names = [...set.groups.keys()];
    for (const g of set.lines.keys()) if (!set.groups.has(g)) names.push(g); // lines and no units
    if (!inOrder(names)) names.sort(compareGroups);
    union = mergeNames(union, names);
  }
  return union;
}

const inOrder = (names: readonly string[]) => names.every((g, i) => i === 0 || compareGroups(names[i - 1], g) < 0);

/** The union of two lists in count-file order, each without repeats. */
function mergeNames(a: readonly string[], b: readonly string[]): string[] {
  if (a.length === 0) return [...b];
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const c = a[i] === b[j] ? 0 : compareGroups(a[i], b[j]);
    out.push(c <= 0 ? a[i] : b[j]);
    if (c <= 0) i++;
    if (c >= 0) j++;
  }
  while (i < a.length) out.push(a[i++]);
  while (j < b.length) out.push(b[j++]);
  return out;
}

/** The window computed from scratch: the sum of its hours, by sumCountSets (which a test holds equal to the moves). */
export function fullWindow(target: HourVersions, read: ReadHour, spanStart: number, spanEnd: number): CountSet {
  return sumCountSets(
    Object.entries(target).map(([h, v]) => read(+h, v)),
    spanStart,
    spanEnd,
  );
}
