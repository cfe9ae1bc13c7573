// Which raw log directories a run looks at: every global hour directory and
// every category day directory that may hold lines of [from, end). Global
// hours are read only once complete; a category's day is read while it is
// still being written (its lines of later hours wait, CONTRACT.md §3).
import { readdirSync } from 'node:fs';
import { categoryDayDir, categoryLogRoot, globalHourDir, SLUG_RE } from '../layout.js';
import type { LogDir } from '../log/log-state.js';
import { dayOfHour, firstHourOfDay, HOURS_PER_DAY } from '../time.js';

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

export function globalDirs(from: number, end: number): LogDir[] {
  const dirs: LogDir[] = [];
  for (let h = from; h < end; h++) dirs.push({ dir: globalHourDir(h), group: '', spanStart: h, spanEnd: h + 1 });
  return dirs;
}

export function categoryDirs(slugs: readonly string[], from: number, end: number): LogDir[] {
  const dirs: LogDir[] = [];
  for (const slug of slugs) {
    for (let day = dayOfHour(from); day <= dayOfHour(end - 1); day++) {
      const spanStart = firstHourOfDay(day);
      dirs.push({ dir: categoryDayDir(slug, day), group: slug, spanStart, spanEnd: spanStart + HOURS_PER_DAY });
    }
  }
  return dirs;
}
