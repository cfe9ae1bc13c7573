// `run --hourly`, the cron job: map what is new in the logs into hourly count
// files, move the 168-hour window incrementally, rank every list, publish a
// release, then commit the state. The order is the crash-safety argument:
// count files and the release are written under new names first; latest.json
// moves next; the state snapshot commits last. A crash before the commit
// leaves the old state, so the next run redoes the same work from the same
// offsets and gets the same lists (the release id is a content hash).
import { existsSync } from 'node:fs';
import { loadCatalog } from '../catalog/load.js';
import { readCountFile, writeCountFile, type CountSet } from '../counts/count-file.js';
import { collectCounts } from '../counts/collect.js';
import { type HourVersion, readHour, writeHourVersion } from '../counts/hour-counts.js';
import { type HourVersions, applyDelta, fullWindow, windowDelta } from '../counts/window.js';
import { crashPoint } from '../faults.js';
import { statePaths } from '../layout.js';
import { cleanPublishLeftovers, pointLatest, readLatest, writeRelease } from '../publish/release.js';
import { pruneReleases, recordPointer } from '../publish/prune.js';
import { topRelease } from '../publish/top-release.js';
import { rankWindow } from '../rank/rank-window.js';
import { HOURS_PER_DAY, WEEK_HOURS, dayOfHour, firstHourOfDay, hourOfMs, isoOfHour, isoOfMs } from '../time.js';
import { categoryDirs, categorySlugsOnDisk, globalDirs } from './log-dirs.js';
import { acquireLock } from './lock.js';
import { checkBadBudget, mapStage } from './map-stage.js';
import { writeRunQuarantine } from './quarantine.js';
import type { Runner } from './runner.js';
import { type PipelineState, loadState, saveState } from './state.js';

export interface RunOptions {
  dataDir: string;
  outDir: string;
  nowMs: number;
  maxBadRatio: number;
  runner: Runner;
  /** Stage messages for a terminal; a no-op under cron. */
  progress: (message: string) => void;
}

export interface RunSummary {
  command: 'run --hourly';
  status: 'published' | 'nothing to do';
  release?: string;
  window: { start: string; end: string };
  completeThrough: string;
  hoursRebuilt: number;
  linesRead: number;
  badLines: number;
  badByReason: Record<string, number>;
  quarantine?: string;
  purchasesCounted: number;
  disagreements: number;
  staleLockTakenOver?: string;
  prunedReleases: number;
}

/** Every hour whose log directories a run reads: the daily tier's 7 days plus today. */
export const scanStart = (end: number) => firstHourOfDay(dayOfHour(end) - 7);

export async function runHourly(opts: RunOptions): Promise<RunSummary> {
  const end = hourOfMs(opts.nowMs);
  const start = end - WEEK_HOURS;
  const lock = acquireLock(opts.dataDir, 'run --hourly', isoOfMs(opts.nowMs));
  try {
    cleanPublishLeftovers(opts.outDir);
    const state = loadState(opts.dataDir);
    const catalog = await loadCatalog(opts.dataDir);
    const from = scanStart(end);

    opts.progress('map: reading new log bytes');
    const slugs = new Set(categorySlugsOnDisk(opts.dataDir));
    for (const dir of Object.keys(state.dirs)) if (dir.startsWith('logs/categories/')) slugs.add(dir.split('/')[2]);
    const dirs = [...globalDirs(from, end), ...categoryDirs([...slugs].sort(), from, end)];
    const mapped = await mapStage(dirs, state.dirs, opts.runner, {
      dataDir: opts.dataDir,
      end,
      maxBadRatio: opts.maxBadRatio,
      onProgress: (done, total) => opts.progress(`map: ${done}/${total} tasks`),
    });
    const runName = `run-${isoOfMs(opts.nowMs).replace(/[-:]/g, '').replace(/\.\d+/, '')}-${process.pid}`;
    const quarantine = await writeRunQuarantine(opts.dataDir, runName, mapped.bad, mapped.badLines);
    checkBadBudget(mapped, opts.maxBadRatio);
    crashPoint('after-map');

    opts.progress(`counts: writing ${mapped.updates.size} hour files`);
    const hours: Record<string, HourVersion> = {};
    for (const [h, v] of Object.entries(state.hours)) if (+h >= from) hours[h] = v;
    for (const [hour, update] of [...mapped.updates].sort(([a], [b]) => a - b)) {
      if (hour < from) continue;
      hours[hour] = writeHourVersion(opts.dataDir, hour, state.hours[hour], update);
    }
    crashPoint('after-hour-files');
    const target: HourVersions = {};
    for (let h = start; h < end; h++) if (hours[h]) target[h] = hours[h].version;

    const latest = readLatest(opts.outDir);
    const base = { window: { start: isoOfHour(start), end: isoOfHour(end) }, completeThrough: isoOfHour(end - 1) };
    if (mapped.updates.size === 0 && state.lastEnd === end && state.lastRelease && latest?.release === state.lastRelease) {
      return { command: 'run --hourly', status: 'nothing to do', release: latest.release, ...base, hoursRebuilt: 0, linesRead: 0, badLines: 0, badByReason: {}, purchasesCounted: 0, disagreements: 0, prunedReleases: 0 };
    }

    opts.progress('window: adding what entered, subtracting what left');
    const windowSet = moveWindow(opts.dataDir, state, target, start, end);
    const windowVersion = (state.window?.version ?? 0) + 1;
    writeCountFile(statePaths(opts.dataDir).windowCounts(windowVersion), windowSet);
    crashPoint('after-window-file');

    opts.progress('reduce: ranking every list');
    const ranked = rankWindow(windowSet, catalog);
    const purchasesCounted = windowSet.lines.get('') ?? 0;
    const generatedAt = isoOfMs(opts.nowMs);
    const { files, manifest } = topRelease({
      ranked,
      catalog,
      generatedAt,
      ...base,
      totals: { purchasesCounted, badLines: mapped.badLines, hoursRebuilt: mapped.updates.size, linesRead: mapped.newLines },
    });

    opts.progress(`publish: ${files.size + 1} files`);
    const release = writeRelease(opts.outDir, opts.nowMs, 'hourly', files, manifest);
    crashPoint('before-latest');
    pointLatest(opts.outDir, release, generatedAt);
    recordPointer(opts.outDir, release, opts.nowMs);
    crashPoint('after-latest');

    const dirStates = { ...state.dirs };
    for (const [dir, s] of mapped.dirStates) dirStates[dir] = s;
    for (const dir of Object.keys(dirStates)) if (dirEnd(dir) <= from) delete dirStates[dir];
    crashPoint('before-state');
    const next = saveState(opts.dataDir, {
      ...state,
      dirs: dirStates,
      hours,
      window: { version: windowVersion, start, end, hours: target },
      lastEnd: end,
      lastRelease: release,
    });
    crashPoint('after-state');
    collectCounts(opts.dataDir, referencedCounts(opts.dataDir, next));
    const pruned = pruneReleases(opts.outDir, opts.nowMs, release);
    return {
      command: 'run --hourly',
      status: 'published',
      release,
      ...base,
      hoursRebuilt: mapped.updates.size,
      linesRead: mapped.newLines,
      badLines: mapped.badLines,
      badByReason: mapped.badByReason,
      quarantine,
      purchasesCounted,
      disagreements: ranked.disagreements.length,
      staleLockTakenOver: lock.tookOver && `pid ${lock.tookOver.pid} on ${lock.tookOver.host} since ${lock.tookOver.startedAt}`,
      prunedReleases: pruned.length,
    };
  } finally {
    lock.release();
  }
}

function moveWindow(dataDir: string, state: PipelineState, target: HourVersions, start: number, end: number): CountSet {
  const read = (hour: number, version: number) => readHour(dataDir, hour, version);
  const held = state.window;
  const heldPath = held && statePaths(dataDir).windowCounts(held.version);
  if (held && heldPath && existsSync(heldPath)) {
    return applyDelta(readCountFile(heldPath), windowDelta(held.hours, target), read, start, end);
  }
  return fullWindow(target, read, start, end);
}

/** The hour after the last one a log directory can hold. */
function dirEnd(dir: string): number {
  const parts = dir.split('/');
  const day = Date.parse(`${parts[parts.length - (dir.startsWith('logs/global/') ? 2 : 1)]}T00:00:00Z`) / 3_600_000;
  return dir.startsWith('logs/global/') ? day + Number(parts[parts.length - 1]) + 1 : day + HOURS_PER_DAY;
}

function referencedCounts(dataDir: string, state: PipelineState): Set<string> {
  const paths = statePaths(dataDir);
  const keep = new Set<string>();
  for (const [h, v] of Object.entries(state.hours)) keep.add(paths.hourCounts(+h, v.version));
  if (state.window) {
    keep.add(paths.windowCounts(state.window.version));
    for (const [h, v] of Object.entries(state.window.hours)) keep.add(paths.hourCounts(+h, v));
  }
  return keep;
}
