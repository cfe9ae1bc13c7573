// Hourly count files: one immutable, versioned file per hour, covering the
// global log and every category. A rebuilt group (late lines, refunds)
// replaces that group's block in a new version of the hour; the old version
// stays until the state that names it is replaced (then it is collected).
import { statePaths } from '../layout.js';
import type { HourCounts } from '../log/log-state.js';
import { type CountSet, emptyCountSet, readCountFile, writeCountFile } from './count-file.js';

export interface HourVersion {
  version: number;
  /** Lines counted in the global log this hour. */
  lines: number;
}

/** Group name → that group's full recount for one hour. */
export type HourUpdate = Map<string, HourCounts>;

export function readHour(dataDir: string, hour: number, version: number): CountSet {
  return readCountFile(statePaths(dataDir).hourCounts(hour, version));
}

/**
 * Writes the next version of an hour: the previous version with every
 * updated group replaced (an update with no entries removes the group), or,
 * when `fresh` (a rerun recounted the whole hour), the updates alone.
 * Returns the state's entry for it, and the counts as written.
 */
export function writeHourVersion(dataDir: string, hour: number, prev: HourVersion | undefined, update: HourUpdate, fresh = false): { entry: HourVersion; set: CountSet } {
  const set = prev && !fresh ? readHour(dataDir, hour, prev.version) : emptyCountSet(hour, hour + 1);
  for (const [group, counts] of update) {
    if (counts.ids.length === 0 && counts.lines === 0) {
      set.groups.delete(group);
      set.lines.delete(group);
    } else {
      set.groups.set(group, { ids: counts.ids, sales: counts.sales });
      set.lines.set(group, counts.lines);
    }
  }
  const version = (prev?.version ?? 0) + 1;
  writeCountFile(statePaths(dataDir).hourCounts(hour, version), set);
  return { entry: { version, lines: set.lines.get('') ?? 0 }, set };
}
