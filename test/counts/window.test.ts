import { describe, expect, it } from 'vitest';
import { compareGroups, emptyCountSet, type CountSet } from '../../src/counts/count-file.js';
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
  it('equals a naive sum when groups come and go, and a busy week meets quiet hours', () => {
    // Groups in some hours only (a block entering or leaving alone), a group
    // with thousands of ids in some hours and a few in others (the week
    // merged with a small hour by galloping, with runs short and long), and
    // products whose only units leave the window.
    const hourOf = (h: number, v: number): CountSet => {
      let x = h * 7919 + v * 104729 + 1;
      const rand = (m: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 8) % m;
      const set = emptyCountSet(h, h + 1);
      for (const group of ['', 'a', 'b', 'big']) {
        if (group !== '' && rand(3) === 0) continue;
        const n = group === 'big' ? (rand(4) === 0 ? 3000 : 1 + rand(20)) : rand(30);
        const ids = new Set<number>();
        while (ids.size < n) ids.add(1 + rand(group === 'big' ? 20_000 : 60));
        const sorted = [...ids].sort((p, q) => p - q);
        set.groups.set(group, { ids: Uint32Array.from(sorted), sales: Int32Array.from(sorted, () => (rand(7) || 1) - 2 || 3) });
        set.lines.set(group, n);
      }
      return set;
    };
    const naive = (target: HourVersions) => {
      const sums: Record<string, Map<number, number>> = {};
      for (const [h, v] of Object.entries(target)) {
        for (const [g, b] of hourOf(+h, v).groups) {
          const m = (sums[g] ??= new Map());
          b.ids.forEach((id, i) => m.set(id, (m.get(id) ?? 0) + b.sales[i]));
        }
      }
      return Object.fromEntries(
        Object.entries(sums)
          .map(([g, m]) => [g, [...m].filter(([, n]) => n !== 0).sort(([p], [q]) => p - q).map(([id, n]) => `${id}:${n}`)] as const)
          .filter(([, list]) => list.length > 0),
      );
    };
    let held: HourVersions = {};
    let set = emptyCountSet(0, 0);
    for (let end = 6; end <= 40; end++) {
      const target: HourVersions = {};
      for (let h = end - 6; h < end; h++) target[h] = h % 9 === 0 && end - h > 2 ? 2 : 1; // some hours rebuilt later
      set = applyDelta(set, windowDelta(held, target), (h, v) => hourOf(h, v), end - 6, end);
      held = target;
      const got = Object.fromEntries(Object.entries(asObject(set)).filter(([, list]) => list.length > 0));
      expect(got).toEqual(naive(target));
      // Unchanged groups included, the blocks lie back to back in file order: one write per array.
      const blocks = [...set.groups.keys()].sort(compareGroups).map((g) => set.groups.get(g)!).filter((b) => b.ids.length > 0);
      blocks.forEach((b, i) => {
        if (i === 0) return;
        const before = blocks[i - 1];
        expect(b.ids.buffer).toBe(before.ids.buffer);
        expect(b.ids.byteOffset).toBe(before.ids.byteOffset + before.ids.byteLength);
        expect(b.sales.byteOffset).toBe(before.sales.byteOffset + before.sales.byteLength);
      });
    }
  });
  it('takes hours whose groups were added in any order, and groups with lines but no units', () => {
    // An hour written by a run holds its groups in the order the map gave
    // them, not a count file's; a group whose lines all netted to zero has
    // lines and no block.
    const hour = (h: number, order: string[]): CountSet => {
      const set = emptyCountSet(h, h + 1);
      for (const group of order) {
        if (group === 'refunded') {
          set.lines.set(group, 2);
          continue;
        }
        set.groups.set(group, { ids: Uint32Array.from([1, 2 + h]), sales: Int32Array.from([1, h + 1]) });
        set.lines.set(group, h + 2);
      }
      return set;
    };
    const hours: Record<number, CountSet> = { 1: hour(1, ['zoo', '', 'refunded', 'a']), 2: hour(2, ['b', 'zoo', '']), 3: hour(3, ['refunded', 'c', '', 'a']) };
    const read = (h: number) => hours[h];
    let set = applyDelta(emptyCountSet(0, 0), windowDelta({}, { 1: 1, 2: 1 }), read, 1, 3);
    set = applyDelta(set, windowDelta({ 1: 1, 2: 1 }, { 2: 1, 3: 1 }), read, 2, 4);
    expect([...set.groups.keys()]).toEqual(['', 'a', 'b', 'c', 'refunded', 'zoo']);
    expect(asObject(set)).toEqual({ '': ['1:2', '4:3', '5:4'], a: ['1:1', '5:4'], b: ['1:1', '4:3'], c: ['1:1', '5:4'], refunded: [], zoo: ['1:1', '4:3'] });
    expect(Object.fromEntries(set.lines)).toEqual({ '': 9, a: 5, b: 4, c: 5, refunded: 2, zoo: 4 });
    expect(asObject(set)).toEqual(asObject(fullWindow({ 2: 1, 3: 1 }, read, 2, 4)));
  });
  it('windowDelta names rebuilt hours on both sides and departed hours as leaving', () => {
    expect(windowDelta({ 1: 1, 2: 1, 3: 1 }, { 2: 1, 3: 2, 4: 1 })).toEqual({
      entering: [{ hour: 3, version: 2 }, { hour: 4, version: 1 }],
      leaving: [{ hour: 3, version: 1 }, { hour: 1, version: 1 }],
    });
  });
});
