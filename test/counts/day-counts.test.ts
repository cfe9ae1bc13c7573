import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CountSet, emptyCountSet } from '../../src/counts/count-file.js';
import { SumSpace, sumCountSets } from '../../src/counts/day-counts.js';
import { EMPTY_BLOCK } from '../../src/counts/count-table.js';
import { fullWindow } from '../../src/counts/window.js';

const asObject = (set: CountSet) => ({
  groups: Object.fromEntries([...set.groups].map(([g, b]) => [g, [...b.ids].map((id, i) => `${id}:${b.sales[i]}`)])),
  lines: Object.fromEntries(set.lines),
});

/** Hour sets over a few groups: sorted ids, non-zero sales of either sign (refunds), empty groups, groups with lines only. */
const hourSets = fc.array(
  fc.dictionary(
    fc.constantFrom('', 'a', 'b', 'c'),
    fc.record({ entries: fc.dictionary(fc.integer({ min: 1, max: 60 }).map(String), fc.integer({ min: -3, max: 3 }).filter((x) => x !== 0)), lines: fc.nat(5), block: fc.boolean() }),
  ),
  { maxLength: 30 },
);

function toSets(hours: Array<Record<string, { entries: Record<string, number>; lines: number; block: boolean }>>): CountSet[] {
  return hours.map((groups, h) => {
    const set = emptyCountSet(h, h + 1);
    for (const [g, { entries, lines, block }] of Object.entries(groups)) {
      const ids = Object.keys(entries).map(Number).sort((x, y) => x - y);
      if (block || ids.length > 0) set.groups.set(g, ids.length ? { ids: Uint32Array.from(ids), sales: Int32Array.from(ids.map((id) => entries[id])) } : EMPTY_BLOCK);
      set.lines.set(g, lines);
    }
    return set;
  });
}

describe('sumCountSets', () => {
  it('equals the window of the same hours computed by merging (refunds net out, empty groups dropped)', () => {
    fc.assert(
      fc.property(hourSets, (hours) => {
        const sets = toSets(hours);
        const versions = Object.fromEntries(sets.map((_, h) => [h, 1]));
        const expected = fullWindow(versions, (h) => sets[h], 0, sets.length);
        expect(asObject(sumCountSets(sets, 0, sets.length))).toEqual(asObject(expected));
      }),
      { numRuns: 300 },
    );
  });

  it('sums 24 hours of many groups, each group a view of one pair of arrays', () => {
    const sets = Array.from({ length: 24 }, (_, h) => {
      const set = emptyCountSet(h, h + 1);
      for (let g = 0; g < 50; g++) {
        const ids = Array.from({ length: 20 }, (_, i) => 1 + i * 7 + ((h * 3 + g) % 5));
        set.groups.set(`g${g}`, { ids: Uint32Array.from(ids), sales: Int32Array.from(ids.map((id) => (id % 3) - 1 || 2)) });
        set.lines.set(`g${g}`, ids.length);
      }
      return set;
    });
    const sum = sumCountSets(sets, 0, 24);
    const expected = fullWindow(Object.fromEntries(sets.map((_, h) => [h, 1])), (h) => sets[h], 0, 24);
    expect(asObject(sum)).toEqual(asObject(expected));
    expect(new Set([...sum.groups.values()].map((b) => b.ids.buffer)).size).toBe(1);
    expect(sum.spanStart).toBe(0);
    expect(sum.spanEnd).toBe(24);
  });

  it('sums one set after another in a shared SumSpace, bigger or smaller than the last', () => {
    fc.assert(
      fc.property(fc.array(hourSets, { minLength: 2, maxLength: 4 }), (runs) => {
        const space = new SumSpace();
        for (const hours of runs) {
          const sets = toSets(hours);
          const expected = fullWindow(Object.fromEntries(sets.map((_, h) => [h, 1])), (h) => sets[h], 0, sets.length);
          expect(asObject(sumCountSets(sets, 0, sets.length, space))).toEqual(asObject(expected));
        }
      }),
      { numRuns: 100 },
    );
  });
});
