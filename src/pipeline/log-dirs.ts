// Which raw log directories a run looks at: every global hour directory and
// the category day directories that may hold lines of [from, end). Global
// hours are read only once complete; a category's day is read while it is
// still being written (its lines of later hours wait, CONTRACT.md §3).
import { readdirSync } from 'node:fs';
import { categoryDayDir, categoryLogRoot, globalHourDir, globalLogRoot, parseGlobalHourDir, SLUG_RE } from '../layout.js';
import type { LogDir } from '../log/log-state.js';
import { join } from 'node:path';
import { firstHourOfDay, HOURS_PER_DAY, parseDayName } from '../time.js';

const list = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
};

/** The category slugs that have a log directory (names that are not slugs are ignored). */
export const categorySlugsOnDisk = (dataDir: string): string[] => list(categoryLogRoot(dataDir)).filter((s) => SLUG_RE.test(s)).sort();

/** Every global hour directory of [from, end), whether it exists or not. */
export function globalDirs(from: number, end: number): LogDir[] {
  const dirs: LogDir[] = [];
  for (let h = from; h < end; h++) dirs.push({ dir: globalHourDir(h), group: '', spanStart: h, spanEnd: h + 1 });
  return dirs;
}

/** The global hour directories of [from, end) on disk, and those in the state (`known`, to notice one vanish). */
export function existingGlobalDirs(dataDir: string, from: number, end: number, known: ReadonlySet<string>): LogDir[] {
  const onDisk = new Set<number>();
  for (const dayPart of list(globalLogRoot(dataDir))) {
    const day = parseDayName(dayPart);
    if (day === undefined || firstHourOfDay(day + 1) <= from || firstHourOfDay(day) >= end) continue;
    for (const hourPart of list(join(globalLogRoot(dataDir), dayPart))) {
      const h = parseGlobalHourDir(dayPart, hourPart);
      if (h !== undefined) onDisk.add(h);
    }
  }
  return globalDirs(from, end).filter((d) => onDisk.has(d.spanStart) || known.has(d.dir));
}

/**
 * The directories of the given categories for one day,
 * whether they exist or not: the map reads a missing one as empty, which
 * costs a failed readdir instead of listing every category's days (30k
 * readdirs) to learn which exist.
 */
export function categoryDayDirs(slugs: readonly string[], day: number): LogDir[] {
  const spanStart = firstHourOfDay(day);
  return slugs.map((slug) => ({ dir: categoryDayDir(slug, day), group: slug, spanStart, spanEnd: spanStart + HOURS_PER_DAY }));
}
