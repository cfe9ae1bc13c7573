// Window totals kept incrementally: the previous window plus the hours that
// entered (or were rebuilt: new version minus old) minus the hours that left.
// A steady-state hourly run therefore costs in proportion to what changed,
// not to the 168 hours it covers. `fullWindow` recomputes from scratch; a
// test holds the two equal.
import { type Block, BlockBuffer, EMPTY_BLOCK, mergeTwo, sumBlocks } from './count-table.js';
import { type CountSet, compareGroups, emptyCountSet } from './count-file.js';

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
  const parts = new Map<string, { blocks: Block[]; signs: number[]; lines: number }>();
  const add = (set: CountSet, sign: number) => {
    for (const [group, block] of set.groups) {
      let p = parts.get(group);
      if (!p) parts.set(group, (p = { blocks: [], signs: [], lines: 0 }));
      p.blocks.push(block);
      p.signs.push(sign);
      p.lines += sign * (set.lines.get(group) ?? 0);
    }
    for (const [group, lines] of set.lines) {
      if (set.groups.has(group)) continue;
      let p = parts.get(group);
      if (!p) parts.set(group, (p = { blocks: [], signs: [], lines: 0 }));
      p.lines += sign * lines;
    }
  };
  for (const e of delta.entering) add(read(e.hour, e.version), 1);
  for (const l of delta.leaving) add(read(l.hour, l.version), -1);
  const next = emptyCountSet(spanStart, spanEnd);
  for (const [group, block] of prev.groups) next.groups.set(group, block);
  for (const [group, lines] of prev.lines) next.lines.set(group, lines);
  // A steady hour gives most groups one block entering and one leaving: their
  // sums go into one scratch buffer (count-table.ts BlockBuffer), where
  // sumBlocks would allocate a negated copy and a sum for each of 30k groups.
  let scratchRoom = 0;
  for (const p of parts.values()) if (p.blocks.length <= 2) for (const b of p.blocks) scratchRoom += b.ids.length;
  const scratch = new BlockBuffer(scratchRoom);
  const sumOf = ({ blocks, signs }: { blocks: Block[]; signs: number[] }): Block => {
    if (blocks.length === 1) return signs[0] === 1 ? blocks[0] : mergeTwo(EMPTY_BLOCK, blocks[0], -1, scratch);
    if (blocks.length === 2 && signs[0] !== signs[1]) {
      const [plus, minus] = signs[0] === 1 ? blocks : [blocks[1], blocks[0]];
      return mergeTwo(plus, minus, -1, scratch);
    }
    return sumBlocks(blocks, signs);
  };
  const deltas = new Map<string, Block>();
  for (const [group, p] of parts) deltas.set(group, sumOf(p));
  // Every group's new counts in one buffer, in the order of a count file, the
  // unchanged ones copied too: the window file is then one write per array,
  // where unchanged groups left as views of the held file made ~800 runs.
  const groups = [...new Set([...prev.groups.keys(), ...parts.keys()])].sort(compareGroups);
  let room = 0;
  for (const group of groups) room += (prev.groups.get(group)?.ids.length ?? 0) + (deltas.get(group)?.ids.length ?? 0);
  const into = new BlockBuffer(room);
  for (const group of groups) {
    const merged = mergeTwo(prev.groups.get(group) ?? EMPTY_BLOCK, deltas.get(group) ?? EMPTY_BLOCK, 1, into);
    const lines = (prev.lines.get(group) ?? 0) + (parts.get(group)?.lines ?? 0);
    if (merged.ids.length === 0 && lines === 0) {
      next.groups.delete(group);
      next.lines.delete(group);
    } else {
      next.groups.set(group, merged);
      next.lines.set(group, lines);
    }
  }
  return next;
}

/** The window computed from scratch: the sum of its hours. */
export function fullWindow(target: HourVersions, read: ReadHour, spanStart: number, spanEnd: number): CountSet {
  return applyDelta(emptyCountSet(spanStart, spanEnd), windowDelta({}, target), read, spanStart, spanEnd);
}
