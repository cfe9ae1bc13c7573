// Bringing the hourly count files up to date with the logs: the map stage
// over every log directory that may hold lines of [from, end), quarantine of
// what was bad, the bad-line budget, and a new version of every hour that
// was recounted. Shared by every kind of run (hourly, daily, rerun).
import { type HourVersion, writeHourVersion } from '../counts/hour-counts.js';
import { crashPoint } from '../faults.js';
import type { DirState, LogDir } from '../log/log-state.js';
import { dayOfHour } from '../time.js';
import { logDirSpan } from '../layout.js';
import { categoryDirs, categorySlugsOnDisk, existingGlobalDirs } from './log-dirs.js';
import { type MapStageResult, checkBadBudget, mapStage } from './map-stage.js';
import { writeRunQuarantine } from './quarantine.js';
import type { Runner } from './runner.js';
import type { PipelineState } from './state.js';

export interface RefreshOptions {
  dataDir: string;
  /** Hours >= end are not due. */
  end: number;
  /** The first hour whose directories are read; older hours are forgotten. */
  from: number;
  maxBadRatio: number;
  runner: Runner;
  progress: (message: string) => void;
  /** Hours [a, b) to recount from scratch (rerun): their directories are read from byte 0. */
  reset?: [number, number];
  /** Look at every category day, not only the ones likely to have changed (daily, rerun). */
  sweep: boolean;
}

export interface Refreshed {
  mapped: MapStageResult;
  hours: Record<string, HourVersion>;
  dirs: Record<string, DirState>;
  quarantine?: string;
}

export async function refreshCounts(state: PipelineState, opts: RefreshOptions): Promise<Refreshed> {
  const { from, end } = opts;
  const slugs = new Set(categorySlugsOnDisk(opts.dataDir));
  for (const dir of Object.keys(state.dirs)) if (dir.startsWith('logs/categories/')) slugs.add(dir.split('/')[2]);
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

  // The global log first: the days whose hours it changed are the days whose
  // category logs changed too, since every writer appends to both.
  const globals = forget(existingGlobalDirs(opts.dataDir, from, end, new Set(Object.keys(states))));
  opts.progress(`map: ${globals.length} global hours`);
  const mappedGlobal = await stage(globals, 'global log');
  // An hourly run reads the category days of today and yesterday, the days
  // the global log says changed, and directories it has never seen; a line
  // appended to an older category day alone waits for the daily run's sweep.
  const hot = new Set([dayOfHour(end - 1), dayOfHour(end - 1) - 1]);
  for (const dir of mappedGlobal.dirStates.keys()) hot.add(dayOfHour(logDirSpan(dir)![0]));
  const known = new Set(Object.keys(states));
  const categories = forget(categoryDirs(opts.dataDir, [...slugs].sort(), from, end, known, (day, isNew) => opts.sweep || isNew || hot.has(day)));
  opts.progress(`map: ${categories.length} category days`);
  const mapped = combine(mappedGlobal, await stage(categories, 'category logs'));
  // Named after the state this run would commit: a run redone after a crash or
  // a failure rewrites the same file, so each bad line is kept once.
  const runName = `run-${String(state.seq + 1).padStart(8, '0')}`;
  const quarantine = await writeRunQuarantine(opts.dataDir, runName, mapped.bad, mapped.badLines);
  checkBadBudget(mapped, opts.maxBadRatio);
  crashPoint('after-map');

  opts.progress(`counts: ${mapped.updates.size} hour files to write`);
  const hours: Record<string, HourVersion> = {};
  for (const [h, v] of Object.entries(state.hours)) if (+h >= from) hours[h] = v;
  for (const [hour, update] of [...mapped.updates].sort(([a], [b]) => a - b)) {
    if (hour < from) continue;
    const fresh = reset !== undefined && hour >= reset[0] && hour < reset[1];
    hours[hour] = writeHourVersion(opts.dataDir, hour, state.hours[hour], update, fresh);
  }
  crashPoint('after-hour-files');

  const next = { ...states };
  for (const [dir, s] of mapped.dirStates) next[dir] = s;
  for (const [d, st] of Object.entries(next)) {
    const spanEnd = logDirSpan(d)?.[1] ?? -Infinity;
    if (spanEnd <= from) delete next[d];
    else if (!st.settled && spanEnd <= end - SETTLE_AFTER_HOURS && st.doneEnd >= spanEnd) next[d] = settle(st);
  }
  return { mapped, hours, dirs: next, quarantine };
}

/** Hours after a directory's last hour before its first offsets are dropped (settled). */
const SETTLE_AFTER_HOURS = 24;

function settle(st: DirState): DirState {
  const files: DirState['files'] = {};
  for (const [name, f] of Object.entries(st.files)) files[name] = { ...f, first: {} };
  return { ...st, settled: true, files };
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
