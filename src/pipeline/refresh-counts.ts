// Bringing the hourly count files up to date with the logs: the map stage
// over every log directory that may hold lines of [from, end), quarantine of
// what was bad, the bad-line budget, and a new version of every hour that
// was recounted. Shared by every kind of run (hourly, daily, rerun).
import type { CountSet } from '../counts/count-file.js';
import { type HourVersion, writeHourVersion } from '../counts/hour-counts.js';
import { crashPoint } from '../faults.js';
import { type DirStateBytes, decodeDirState, encodeDirState, peekDirState } from '../log/dir-state-bytes.js';
import type { BadLine, LogDir } from '../log/log-state.js';
import { dayName, dayOfHour, firstHourOfDay } from '../time.js';
import { logDirSpan } from '../layout.js';
import { categoryDayDirs, categorySlugsOnDisk, existingGlobalDirs } from './log-dirs.js';
import { type MapStageResult, checkBadBudget, mapStage, settleAll } from './map-stage.js';
import { writeRunQuarantine } from './quarantine.js';
import type { Runner } from './runner.js';
import type { PipelineState } from './state.js';
import { type SettledDays, readSettledDays, writeSettledDays } from './settled-days.js';

export interface RefreshOptions {
  dataDir: string;
  /** Hours >= end are not due. */
  end: number;
  /** The first hour whose directories are read; older hours are forgotten. */
  from: number;
  maxBadRatio: number;
  runner: Runner;
  progress: (message: string) => void;
  /** Called once every map task of the run has been handed to the runner. */
  handedOver?: () => void;
  /** Hours [a, b) to recount from scratch (rerun): their directories are read from byte 0. */
  reset?: [number, number];
  /** Look at every category day, not only the ones likely to have changed (daily, rerun). */
  sweep: boolean;
}

export interface Refreshed {
  /** Hours recounted, ascending. */
  rebuilt: number[];
  hours: Record<string, HourVersion>;
  /** Directories not settled yet, and the global hours (encoded). */
  dirs: Record<string, DirStateBytes>;
  /** Where the settled category days are (settled-days.ts). */
  settled: SettledDays;
  /** Days whose global hours read before changed: the next hourly run reads their category logs again (PipelineState.recheckDays). */
  recheckDays: number[];
  /** Whether any directory's state moved (a quarantined torn line moves it without a recount). */
  dirsChanged: boolean;
  newLines: number;
  badLines: number;
  badByReason: Record<string, number>;
  quarantine?: string;
  /**
   * The newest hour recounted, as written: the window's move and the
   * consistency check take it from here rather than read it back (in a
   * steady run, the one new hour). The taker lets it go.
   */
  newest?: { hour: number; version: number; set: CountSet };
}

/**
 * Day by day, oldest first, so that a first run or a rerun over weeks holds
 * one day's recounts in memory, not all of them: the global hours of the
 * day, then its category days, then its hour files.
 */
export async function refreshCounts(state: PipelineState, opts: RefreshOptions): Promise<Refreshed> {
  const { from, end } = opts;
  const slugs = [...new Set([...categorySlugsOnDisk(opts.dataDir), ...Object.keys(state.dirs).filter((d) => d.startsWith('logs/categories/')).map((d) => d.split('/')[2])])].sort();
  const states = { ...state.dirs };
  const reset = opts.reset;
  const forget = (dirs: LogDir[]) => {
    if (reset) for (const d of dirs) if (d.spanStart < reset[1] && d.spanEnd > reset[0]) delete states[d.dir];
    return dirs;
  };
  const stage = (dirs: LogDir[], what: string) =>
    mapStage(dirs, states, opts.runner, {
      dataDir: opts.dataDir,
      end,
      maxBadRatio: opts.maxBadRatio,
      onProgress: (done, total) => opts.progress(`map: ${what}, ${done}/${total} tasks`),
    });
  const known = new Set(Object.keys(states));
  const hours: Record<string, HourVersion> = {};
  for (const [h, v] of Object.entries(state.hours)) if (+h >= from) hours[h] = v;
  const out: Refreshed = { rebuilt: [], hours, dirs: states, settled: {}, recheckDays: [], dirsChanged: false, newLines: 0, badLines: 0, badByReason: {} };
  const recheck = new Set(state.recheckDays ?? []);
  const bad: BadLine[] = [];
  const overBudget: string[] = [];
  // Named after the state this run would commit: a run redone after a crash or
  // a failure rewrites the same file, so each bad line is kept once.
  const quarantine = () => writeRunQuarantine(opts.dataDir, state.seq + 1, bad, out.badLines);

  // Settled category days (settled-days.ts) join `states` only for the days read.
  const settledDays: SettledDays = {};
  for (const [day, v] of Object.entries(state.settled ?? {})) if (firstHourOfDay(+day + 1) > from) settledDays[day] = v;
  const loaded = new Map<number, Record<string, DirStateBytes>>();
  const slugSet = new Set(slugs);

  const lastDay = dayOfHour(end - 1);
  const firstDay = dayOfHour(from);
  const readsAlways = (day: number) => opts.sweep || day === lastDay || (day === lastDay - 1 && end - firstHourOfDay(lastDay) <= PREVIOUS_DAY_HOURS);
  // The global log listed once for every day read (each listing reads the whole tree of day and hour directories).
  const globalsOf = new Map<number, LogDir[]>();
  for (let day = firstDay; day <= lastDay; day++) globalsOf.set(day, []);
  for (const d of forget(existingGlobalDirs(opts.dataDir, from, end, known))) globalsOf.get(dayOfHour(d.spanStart))!.push(d);
  // The older days whose global hours were all counted before (an hourly
  // run's late-line checks, a few system calls an hour) are handed over at
  // once, rather than one day after another: the last day's category
  // batches, the longest part of the map, start after them, and a day's
  // round trip took ~30 ms of the main thread. A day with an hour not
  // counted yet (a first run, a catch-up) is mapped in its turn, so that one
  // day's recounts are held at a time.
  const checks = new Map<number, Promise<MapStageResult>>();
  for (const [day, globals] of globalsOf) {
    if (!readsAlways(day) && globals.every((d) => states[d.dir] !== undefined)) checks.set(day, stage(globals, `global log of ${dayName(day)}`));
  }
  // A check that fails before its day comes is not left unhandled: its day awaits it.
  for (const c of checks.values()) c.catch(() => undefined);
  try {
    for (let day = firstDay; day <= lastDay; day++) {
      // A day whose global hours changed is a day whose category logs changed
      // too, since every writer appends to both (the global line first). An
      // hourly run reads the category days of the last day and, in its first
      // hours, of the day before, while writers may still be finishing its
      // last lines; of an older day, only when its global hours changed: then
      // its global log is mapped first, so that the category logs are read
      // after what was seen there. Changed means new lines or a recount: a
      // directory whose state only took its mtime, now old enough to trust,
      // is not a day that grew. A day whose global hours read before changed
      // is read again by the next run (`recheckDays`): a writer may append the
      // category lines of a late purchase after this run read them. A line
      // appended to an older category day alone waits for the daily run's sweep.
      const globals = globalsOf.get(day)!;
      const mapGlobal = () => checks.get(day) ?? stage(globals, `global log of ${dayName(day)}`);
      const always = readsAlways(day);
      const mappedFirst = always ? undefined : await mapGlobal();
      const hot = always || recheck.has(day) || changed(mappedFirst!);
      let daySlugs = slugs;
      if (hot && settledDays[day] !== undefined) {
        const dirs = readSettledDays(opts.dataDir, day, settledDays[day]);
        loaded.set(day, dirs);
        Object.assign(states, dirs);
        // A category whose directory vanished from disk is still read, to be reported.
        const gone = new Set(Object.keys(dirs).map((d) => d.split('/')[2]).filter((slug) => !slugSet.has(slug)));
        if (gone.size > 0) daySlugs = [...slugs, ...gone].sort();
      }
      const categories = hot ? forget(categoryDayDirs(daySlugs, day)) : [];
      // Side by side when both are read anyway: the workers take the category batches while one maps the new hour.
      const mappedDay = settleAll([mappedFirst ? Promise.resolve(mappedFirst) : mapGlobal(), stage(categories, `category logs of ${dayName(day)}`)]);
      if (day === lastDay) opts.handedOver?.();
      const [mappedGlobal, mappedCategories] = await mappedDay;
      // A day caught up from nothing (no global hour of it read before) is not a day of late lines.
      if (changed(mappedGlobal) && globals.some((d) => known.has(d.dir) && mappedGlobal.dirStates.has(d.dir))) out.recheckDays.push(day);
      const mapped = combine(mappedGlobal, mappedCategories);
      for (const [dir, s] of mapped.dirStates) states[dir] = s;
      out.dirsChanged ||= mapped.dirStates.size > 0;
      out.newLines += mapped.newLines;
      out.badLines += mapped.badLines;
      for (const [k, v] of Object.entries(mapped.badByReason)) out.badByReason[k] = (out.badByReason[k] ?? 0) + v;
      for (const x of mapped.bad) bad.push(x);
      overBudget.push(...(mapped.overBudget ?? []));
      // The bad lines so far are kept before anything can fail or be killed.
      if (mapped.badLines > 0) out.quarantine = await quarantine();
      checkBadBudget({ ...mapped, overBudget }, opts.maxBadRatio);
      if (day === lastDay) crashPoint('after-map'); // every day mapped, the last one's hour files not yet written
      for (const [hour, update] of [...mapped.updates].sort(([x], [y]) => x - y)) {
        if (hour < from) continue;
        const fresh = reset !== undefined && hour >= reset[0] && hour < reset[1];
        const written = writeHourVersion(opts.dataDir, hour, state.hours[hour], update, fresh);
        hours[hour] = written.entry;
        out.rebuilt.push(hour);
        out.newest = { hour, version: written.entry.version, set: written.set };
      }
      opts.progress(`counts: ${dayName(day)}: ${mapped.updates.size} hour files written`);
    }
  } finally {
    // A failure waits for the checks still out: the pool is only destroyed once no worker can still answer.
    await Promise.allSettled(checks.values());
  }
  crashPoint('after-hour-files');

  const nowSettled = new Map<number, Record<string, DirStateBytes>>();
  for (const [d, st] of Object.entries(states)) {
    const span = logDirSpan(d);
    const spanEnd = span?.[1] ?? -Infinity;
    if (spanEnd <= from) {
      delete states[d];
      continue;
    }
    let { settled, doneEnd } = peekDirState(st);
    if (!settled && spanEnd <= end - PREVIOUS_DAY_HOURS && doneEnd >= spanEnd) {
      states[d] = settle(st);
      settled = true;
    }
    if (span && settled && d.startsWith(CATEGORY_DIRS)) {
      const day = dayOfHour(span[0]);
      if (!nowSettled.has(day)) nowSettled.set(day, {});
      nowSettled.get(day)![d] = states[d];
      delete states[d];
    }
  }
  out.settled = storeSettledDays(opts.dataDir, settledDays, loaded, nowSettled);
  out.dirsChanged ||= JSON.stringify(out.settled) !== JSON.stringify(state.settled ?? {});
  return out;
}

const CATEGORY_DIRS = 'logs/categories/';

/** Whether a day's global log gained lines or had an hour recounted. */
const changed = (m: MapStageResult) => m.newLines > 0 || m.updates.size > 0;

/**
 * Hours into a day during which an hourly run still reads the day before's
 * category logs in full. Past them a directory settles: the last run that
 * reads the day before in full settles its category days, which leave the
 * snapshot from then on.
 */
const PREVIOUS_DAY_HOURS = 2;

/**
 * Writes a new version of each day whose settled directories changed: a day
 * read this run whose directories are no longer the ones loaded, or a day
 * where more directories settled. Returns the versions to commit.
 */
function storeSettledDays(dataDir: string, held: SettledDays, loaded: ReadonlyMap<number, Record<string, DirStateBytes>>, nowSettled: ReadonlyMap<number, Record<string, DirStateBytes>>): SettledDays {
  const next = { ...held };
  for (const [day, dirs] of nowSettled) {
    const before = loaded.get(day);
    const old = held[day];
    const all = before || old === undefined ? dirs : { ...readSettledDays(dataDir, day, old), ...dirs };
    if (before && sameStates(before, all)) continue;
    next[day] = (old ?? 0) + 1;
    writeSettledDays(dataDir, day, next[day], all);
  }
  // A day read this run whose directories were all forgotten (rerun) is held no more.
  for (const day of loaded.keys()) if (!nowSettled.has(day)) delete next[day];
  return next;
}

/** Whether two sets of directory states are the same objects: a directory that changed got a new one. */
function sameStates(a: Record<string, DirStateBytes>, b: Record<string, DirStateBytes>): boolean {
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((k) => a[k] === b[k]);
}

function settle(bytes: DirStateBytes): DirStateBytes {
  const st = decodeDirState(bytes);
  for (const f of Object.values(st.files)) f.first = {};
  return encodeDirState({ ...st, settled: true });
}

function combine(a: MapStageResult, b: MapStageResult): MapStageResult {
  const updates = new Map(a.updates);
  for (const [h, u] of b.updates) updates.set(h, new Map([...(updates.get(h) ?? []), ...u]));
  const badByReason = { ...a.badByReason };
  for (const [k, v] of Object.entries(b.badByReason)) badByReason[k] = (badByReason[k] ?? 0) + v;
  const overBudget = [...(a.overBudget ?? []), ...(b.overBudget ?? [])];
  return {
    updates,
    dirStates: new Map([...a.dirStates, ...b.dirStates]),
    bad: [...a.bad, ...b.bad],
    badLines: a.badLines + b.badLines,
    badByReason,
    newLines: a.newLines + b.newLines,
    ...(overBudget.length ? { overBudget } : {}),
  };
}
