// Daily roll-ups: one count file per day (not per category per day), the sum
// of its 24 hour files. A day is rebuilt only when one of its hours has a
// new version; the day remembers which versions it summed.
import { readCountFile, writeCountFile, type CountSet } from './count-file.js';
import type { HourVersion } from './hour-counts.js';
import { readHour } from './hour-counts.js';
import { type SumSpace, sumCountSets } from './sum.js';
import type { HourVersions } from './window.js';
import { statePaths } from '../layout.js';
import { HOURS_PER_DAY, firstHourOfDay } from '../time.js';

export interface DayVersion {
  version: number;
  hours: HourVersions;
}

const same = (a: HourVersions, b: HourVersions) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/**
 * The day's roll-up, rebuilt when its hours changed; returns the version to
 * use. `space`: arrays to sum into, shared by the days of a run (each day's
 * sum is written out and dropped before the next).
 */
export function rollUpDay(dataDir: string, day: number, hours: Record<string, HourVersion>, prev: DayVersion | undefined, space?: SumSpace): DayVersion {
  const want: HourVersions = {};
  const first = firstHourOfDay(day);
  for (let h = first; h < first + HOURS_PER_DAY; h++) if (hours[h]) want[h] = hours[h].version;
  if (prev && same(prev.hours, want)) return prev;
  const set = sumCountSets(
    Object.entries(want).map(([h, v]) => readHour(dataDir, +h, v)),
    first,
    first + HOURS_PER_DAY,
    space,
  );
  const version = (prev?.version ?? 0) + 1;
  writeCountFile(statePaths(dataDir).dayCounts(day, version), set);
  return { version, hours: want };
}

export function readDay(dataDir: string, day: number, version: number): CountSet {
  return readCountFile(statePaths(dataDir).dayCounts(day, version));
}
