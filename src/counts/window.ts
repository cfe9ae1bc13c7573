// Window totals kept incrementally: the previous window plus the hours that
// entered (or were rebuilt: new version minus old) minus the hours that left.
// A steady-state hourly run therefore costs in proportion to what changed,
// not to the 168 hours it covers. `fullWindow` recomputes from scratch; a
// test holds the two equal.
import { type Block, EMPTY_BLOCK, mergeTwo, sumBlocks } from './count-table.js';
import { type CountSet, emptyCountSet } from './count-file.js';

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
  for (const [group, p] of parts) {
    const merged = mergeTwo(prev.groups.get(group) ?? EMPTY_BLOCK, sumBlocks(p.blocks, p.signs));
    const lines = (prev.lines.get(group) ?? 0) + p.lines;
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
