// Counting hours straight from the raw logs, with no state: for analysts
// asking about hours the pipeline has not counted or no longer keeps. Every
// log directory that may hold the hours is read from byte 0; nothing is
// written, nothing quarantined.
import { emptyCountSet, type CountSet } from '../counts/count-file.js';
import { sumBlocks } from '../counts/count-table.js';
import { scanDir } from '../log/dir-scanner.js';
import { categoryDayDirs, categorySlugsOnDisk, existingGlobalDirs } from './log-dirs.js';
import { dayOfHour } from '../time.js';

export function countHoursFromLogs(dataDir: string, hours: readonly number[]): CountSet {
  const wanted = new Set(hours);
  const from = Math.min(...hours);
  const to = Math.max(...hours) + 1;
  const set = emptyCountSet(from, to);
  const slugs = categorySlugsOnDisk(dataDir);
  const dirs = existingGlobalDirs(dataDir, from, to, new Set()).filter((d) => wanted.has(d.spanStart));
  for (let day = dayOfHour(from); day <= dayOfHour(to - 1); day++) dirs.push(...categoryDayDirs(slugs, day));
  const parts = new Map<string, Array<{ ids: Uint32Array; sales: Int32Array }>>();
  for (const d of dirs) {
    const scan = scanDir(d, undefined, { dataDir, end: to });
    for (const h of scan.hours) {
      if (!wanted.has(h.hour)) continue;
      const list = parts.get(d.group) ?? [];
      list.push(h);
      parts.set(d.group, list);
      set.lines.set(d.group, (set.lines.get(d.group) ?? 0) + h.lines);
    }
  }
  for (const [g, blocks] of parts) set.groups.set(g, sumBlocks(blocks));
  return set;
}
