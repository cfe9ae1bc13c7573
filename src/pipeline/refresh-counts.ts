// Bringing the hourly count files up to date with the logs: the map stage
// over every log directory that may hold lines of [from, end), quarantine of
// what was bad, the bad-line budget, and a new version of every hour that
// was recounted. Shared by every kind of run (hourly, daily, rerun).
import { type HourVersion, writeHourVersion } from '../counts/hour-counts.js';
import { crashPoint } from '../faults.js';
import type { DirState } from '../log/log-state.js';
import { logDirSpan } from '../layout.js';
import { categoryDirs, categorySlugsOnDisk, globalDirs } from './log-dirs.js';
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
  const dirs = [...globalDirs(from, end), ...categoryDirs([...slugs].sort(), from, end)];
  const states = { ...state.dirs };
  const reset = opts.reset;
  if (reset) for (const d of dirs) if (d.spanStart < reset[1] && d.spanEnd > reset[0]) delete states[d.dir];

  opts.progress(`map: ${dirs.length} log directories`);
  const mapped = await mapStage(dirs, states, opts.runner, {
    dataDir: opts.dataDir,
    end,
    maxBadRatio: opts.maxBadRatio,
    onProgress: (done, total) => opts.progress(`map: ${done}/${total} tasks`),
  });
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
  for (const d of Object.keys(next)) if ((logDirSpan(d)?.[1] ?? -Infinity) <= from) delete next[d];
  return { mapped, hours, dirs: next, quarantine };
}
