import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CountSet, compareGroups, emptyCountSet } from '../../src/counts/count-file.js';
import { EMPTY_BLOCK } from '../../src/counts/count-table.js';
import { SumSpace, sumCountSets } from '../../src/counts/sum.js';

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

/** The sum worked out naively: a map of units per group and product; groups with neither units nor lines left out. */
function naiveSum(sets: readonly CountSet[]) {
  const units = new Map<string, Map<number, number>>();
  const lines = new Map<string, number>();
  for (const set of sets) {
    for (const [g, b] of set.groups) {
      const m = units.get(g) ?? units.set(g, new Map()).get(g)!;
      b.ids.forEach((id, i) => m.set(id, (m.get(id) ?? 0) + b.sales[i]));
    }
    for (const [g, n] of set.lines) lines.set(g, (lines.get(g) ?? 0) + n);
  }
  const groups: Record<string, string[]> = {};
  const kept: Record<string, number> = {};
  for (const g of new Set([...units.keys(), ...lines.keys()])) {
    const list = [...(units.get(g) ?? [])].filter(([, n]) => n !== 0).sort(([p], [q]) => p - q);
    if (list.length === 0 && !lines.get(g)) continue;
    groups[g] = list.map(([id, n]) => `${id}:${n}`);
    kept[g] = lines.get(g) ?? 0;
  }
  return { groups, lines: kept };
}

const inFileOrder = (set: CountSet) => [...set.groups.keys()].every((g, i, all) => i === 0 || compareGroups(all[i - 1], g) < 0);

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
  it('equals a naive sum, groups in count-file order (refunds net out, empty groups dropped)', () => {
    fc.assert(
      fc.property(hourSets, (hours) => {
        const sets = toSets(hours);
        const sum = sumCountSets(sets, 0, sets.length);
        expect(asObject(sum)).toEqual(naiveSum(sets));
        expect(inFileOrder(sum)).toBe(true);
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
    expect(asObject(sum)).toEqual(naiveSum(sets));
    // In file order, back to back: a count file writes each array at once.
    expect(inFileOrder(sum)).toBe(true);
    [...sum.groups.values()].forEach((b, i, all) => {
      if (i > 0) expect(b.ids.byteOffset).toBe(all[i - 1].ids.byteOffset + all[i - 1].ids.byteLength);
    });
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
          expect(asObject(sumCountSets(sets, 0, sets.length, space))).toEqual(naiveSum(sets));
        }
      }),
      { numRuns: 100 },
    );
  });
});
