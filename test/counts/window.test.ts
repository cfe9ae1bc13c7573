import { describe, expect, it } from 'vitest';
import { emptyCountSet, type CountSet } from '../../src/counts/count-file.js';
import { applyDelta, fullWindow, windowDelta, type HourVersions } from '../../src/counts/window.js';

// A deterministic stream of hour files: hour h, version v.
function hourSet(h: number, v: number): CountSet {
  const set = emptyCountSet(h, h + 1);
  for (const group of ['', 'a', 'b']) {
    const ids: number[] = [];
    const sales: number[] = [];
    for (let i = 1; i < 40; i++) {
      const x = (h * 31 + v * 17 + i * 13 + group.length) % 11;
      if (x < 4) continue;
      ids.push(i);
      sales.push(x - 6 || 1);
    }
    set.groups.set(group, { ids: Uint32Array.from(ids), sales: Int32Array.from(sales) });
    set.lines.set(group, ids.length);
  }
  return set;
}
const read = (h: number, v: number) => hourSet(h, v);
const asObject = (set: CountSet) => Object.fromEntries([...set.groups].map(([g, b]) => [g, [...b.ids].map((id, i) => `${id}:${b.sales[i]}`)]));

describe('incremental window', () => {
  it('equals a full recompute after the window moves, hours are rebuilt, and hours leave', () => {
    let held: HourVersions = {};
    let set = emptyCountSet(0, 0);
    const versions: Record<number, number> = {};
    for (let end = 10; end <= 40; end++) {
      versions[end - 1] = 1;
      if (end % 4 === 0) versions[end - 5] = (versions[end - 5] ?? 0) + 1; // a late line rebuilt an old hour
      const target: HourVersions = {};
      for (let h = end - 8; h < end; h++) if (versions[h]) target[h] = versions[h];
      set = applyDelta(set, windowDelta(held, target), read, end - 8, end);
      held = target;
      const full = fullWindow(target, read, end - 8, end);
      expect(asObject(set)).toEqual(asObject(full));
      expect(set.lines.get('a')).toBe(full.lines.get('a'));
    }
  });
  it('windowDelta names rebuilt hours on both sides and departed hours as leaving', () => {
    expect(windowDelta({ 1: 1, 2: 1, 3: 1 }, { 2: 1, 3: 2, 4: 1 })).toEqual({
      entering: [{ hour: 3, version: 2 }, { hour: 4, version: 1 }],
      leaving: [{ hour: 3, version: 1 }, { hour: 1, version: 1 }],
    });
  });
});
