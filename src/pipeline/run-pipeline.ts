// A run of the pipeline: `run --hourly`, `run --daily` and `rerun` are one
// procedure with different windows. Map what is new in the logs into hourly
// count files, move the 168-hour window incrementally, rank every list,
// (daily: roll hours into days and rank every product), publish a release,
// then commit the state. The order is the crash-safety argument: count files
// and the release are written under new names first; latest.json moves
// next; the state snapshot commits last. A crash before the commit leaves the
// old state, so the next run redoes the same work from the same offsets and
// gets the same lists (a release id is a hash of its content).
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { startOpeningCatalog } from '../catalog/load.js';
import { collectCounts } from '../counts/collect.js';
import { type CountSet, decodeCountSet, writeCountFile, writeCountFileInBackground } from '../counts/count-file.js';
import { readHour } from '../counts/hour-counts.js';
import { type HourVersions, type ReadHour, applyDelta, fullWindow, windowDelta } from '../counts/window.js';
import { PipelineError } from '../errors.js';
import { crashPoint } from '../faults.js';
import { outPaths, statePaths } from '../layout.js';
import { pruneReleases, recordPointer, recyclableRelease } from '../publish/prune.js';
import { type BlankRelease, cleanPublishLeftovers, discardBlankRelease, pointLatest, readLatest, startBlankRelease, writeRelease } from '../publish/release.js';
import { type Consistency, topListPaths, topRelease } from '../publish/top-release.js';
import { crossCheck, rankWindow } from '../rank/rank-window.js';
import type { Mismatch } from '../rank/consistency.js';
import { type CatalogView, sameCheckedCache } from '../catalog/catalog.js';
import { WEEK_HOURS, dayOfHour, firstHourOfDay, hourOfMs, isoOfHour, isoOfMs } from '../time.js';
import { dailyStage } from './daily-stage.js';
import { type Lock, acquireLock } from './lock.js';
import { refreshCounts } from './refresh-counts.js';
import type { Runner } from './runner.js';
import { type EncodedState, type PipelineState, commitState, encodeState, loadState, saveState } from './state.js';

export type RunKind = 'hourly' | 'daily' | 'rerun';

export interface RunOptions {
  kind: RunKind;
  dataDir: string;
  outDir: string;
  nowMs: number;
  maxBadRatio: number;
  runner: Runner;
  /** Stage messages for a terminal; a no-op under cron. */
  progress: (message: string) => void;
  /** rerun: the hours [from, to) to recount from the raw logs. */
  range?: [number, number];
}

export interface RunSummary {
  command: string;
  status: 'published' | 'nothing to do';
  release?: string;
  window: { start: string; end: string };
  completeThrough: string;
  ranks?: { release: string; window: { start: string; end: string }; productsRanked: number };
  hoursRebuilt: number;
  linesRead: number;
  badLines: number;
  badByReason: Record<string, number>;
  quarantine?: string;
  purchasesCounted: number;
  /** (hour, product, category) triples where a category log and the global log disagree, in the window. */
  disagreements: number;
  /** Ranks of the overall top 100 where the merged category lists differ from the global list. */
  listDisagreements?: number;
  staleLockTakenOver?: string;
  prunedReleases: number;
  /**
   * Seconds each stage took, in the order run: map (from the start: lock,
   * state, the map and the hour count files), catalog (waiting for it after
   * the map), window, reduce (ranking), daily (daily runs: waiting for the
   * consistency checks, the roll-up and full ranks), publish (the release's
   * files, laid out and written on the workers, an hourly run's wait for the
   * consistency checks, which the workers make from the window's start, and
   * the sync), commit (the state, the window file, latest.json, collection and
   * pruning). A run with nothing to do stops after catalog.
   */
  stages: Record<string, number>;
}

/** The stages of a run, each timed from the end of the one before (RunSummary.stages). */
class StageClock {
  readonly stages: Record<string, number> = {};
  private last = performance.now();

  done(stage: string): void {
    const now = performance.now();
    this.stages[stage] = Math.round(now - this.last) / 1000;
    this.last = now;
  }
}

/** Every hour whose log directories a run reads: the daily tier's 7 days plus today. */
const scanStart = (end: number) => firstHourOfDay(dayOfHour(end) - 7);

const commandName = (o: RunOptions) => (o.kind === 'rerun' ? 'rerun' : `run --${o.kind}`);

export async function runPipeline(opts: RunOptions): Promise<RunSummary> {
  const end = hourOfMs(opts.nowMs);
  const start = end - WEEK_HOURS;
  const clock = new StageClock();
  const lock = acquireLock(opts.dataDir, commandName(opts), isoOfMs(opts.nowMs));
  let catalogOpened: Promise<CatalogView> | undefined;
  let catalogCached: Promise<void> | undefined;
  let blank: BlankRelease | undefined;
  let hourChecks: Promise<Record<string, { found: Mismatch[]; total: number }>> | undefined;
  try {
    opts.runner.start(); // the workers load while this thread reads the state
    cleanPublishLeftovers(opts.outDir);
    const state = loadState(opts.dataDir);
    // The held window (86 MB at the target scale) is read while the workers map.
    const heldWindow = readHeldWindow(opts.dataDir, state);
    // The catalog opens while the workers map: its cache checked once the
    // map's tasks are handed over, the products left in the file to be walked;
    // or the CSVs parsed at once when one changed. An error in them still decides the exit code:
    // a failed map waits for it, and it is thrown before anything else is done.
    let handedOver!: () => void;
    const checkAfter = new Promise<void>((resolve) => (handedOver = resolve));
    const { catalog: catalogLoad, cached } = await startOpeningCatalog(opts.dataDir, { checkAfter, checked: state.catalogChecked });
    catalogLoad.catch(() => {}); // awaited once the map has settled
    catalogOpened = catalogLoad;
    catalogCached = cached; // a cache rebuilt from the CSVs is written meanwhile
    const from = Math.min(scanStart(end), opts.range?.[0] ?? Infinity);
    const fresh = await refreshCounts(state, { ...opts, end, from, reset: opts.range, sweep: opts.kind !== 'hourly', handedOver })
      .finally(handedOver) // however the map ends, the catalog is not left waiting for it
      .catch(async (err: unknown) => {
        await catalogLoad;
        throw err;
      });
    clock.done('map');
    const catalog = await catalogLoad;
    clock.done('catalog');
    const { hours } = fresh;
    const target: HourVersions = {};
    for (let h = start; h < end; h++) if (hours[h]) target[h] = hours[h].version;

    const base = { window: { start: isoOfHour(start), end: isoOfHour(end) }, completeThrough: isoOfHour(end - 1) };
    const run = { hoursRebuilt: fresh.rebuilt.length, linesRead: fresh.newLines, badLines: fresh.badLines, badByReason: fresh.badByReason, quarantine: fresh.quarantine };
    const latest = readLatest(opts.outDir);
    if (opts.kind === 'hourly' && fresh.rebuilt.length === 0 && state.lastEnd === end && state.lastRelease && latest?.release === state.lastRelease) {
      // Nothing to publish; but a quarantined torn line still moves a file's offset, and a catalog cache checked for the first time is noted.
      if (fresh.dirsChanged || String(fresh.recheckDays) !== String(state.recheckDays ?? []) || !sameCheckedCache(catalog.checked, state.catalogChecked)) {
        saveState(opts.dataDir, { ...state, dirs: fresh.dirs, settled: fresh.settled, recheckDays: fresh.recheckDays, hours, catalogChecked: catalog.checked });
      }
      return { command: commandName(opts), status: 'nothing to do', release: latest.release, ...base, ...run, purchasesCounted: 0, disagreements: 0, prunedReleases: 0, staleLockTakenOver: tookOver(lock), stages: clock.stages };
    }

    // The release pruning would delete next is rewritten in place (hourly runs: a daily one streams files of its own);
    // with none to recycle, a worker makes the files empty while this thread moves the window and ranks.
    const recycle = opts.kind === 'hourly' ? recyclableRelease(opts.outDir, opts.nowMs, [latest?.release, state.lastDaily?.release]) : undefined;
    blank = opts.kind === 'hourly' && !recycle ? startBlankRelease(opts.outDir, topListPaths(catalog.categories.map((c) => c.slug)), opts.runner) : undefined;

    // The cross-checks of the hours recounted (contract §3: the global log
    // defines the overall list) are made on the workers while this thread
    // moves the window and ranks.
    hourChecks = checkConsistency(opts.runner, opts.dataDir, state, hours, fresh.rebuilt, catalog, start, end);
    hourChecks.catch(() => {}); // awaited with the release's files, or in the end

    opts.progress('window: adding what entered, subtracting what left');
    // The hour just written is taken as it is in memory, not read back, and let go once the window has it.
    let newest = fresh.newest;
    fresh.newest = undefined;
    let windowSet: CountSet | undefined = moveWindow(opts.dataDir, state, await heldWindow, target, start, end, (hour, version) =>
      newest && newest.hour === hour && newest.version === version ? newest.set : readHour(opts.dataDir, hour, version),
    );
    newest = undefined;
    clock.done('window');
    const windowVersion = (state.window?.version ?? 0) + 1;
    // Not fsynced: a window file lost to a power cut, or torn, fails its checks and is recomputed from the hours.
    const windowPath = statePaths(opts.dataDir).windowCounts(windowVersion);
    const saveWindow = (set: CountSet) => {
      writeCountFile(windowPath, set, { durable: false });
      crashPoint('after-window-file');
    };

    opts.progress('reduce: ranking every list');
    const ranked = rankWindow(windowSet, catalog);
    const purchasesCounted = windowSet.lines.get('') ?? 0;
    clock.done('reduce');

    // The checks' results, awaited while the workers write the lists, which do not depend on them.
    let checked: { mismatches: Record<string, { found: Mismatch[]; total: number }>; consistency: Consistency } | undefined;
    const checks = async () => {
      const mismatches = await hourChecks!;
      const total = Object.values(mismatches).reduce((n, m) => n + m.total, 0);
      const examples = Object.values(mismatches).flatMap((m) => m.found).slice(0, 100);
      checked = { mismatches, consistency: { disagreements: crossCheck(ranked), mismatches: { total, examples } } };
    };
    const generatedAt = isoOfMs(opts.nowMs);
    if (opts.kind === 'daily') {
      // The roll-up needs the memory: the checks are awaited, and the window (~200 MB at 10M products) is saved and let go, first.
      await checks();
      saveWindow(windowSet);
      windowSet = undefined;
    }
    const daily = opts.kind === 'daily' ? dailyStage(opts.dataDir, hours, state.days ?? {}, end, generatedAt, opts.progress) : undefined;
    if (daily) {
      crashPoint('after-daily-files');
      clock.done('daily');
    }

    const { parts, count, manifest: manifestBody } = topRelease({
      kind: opts.kind,
      ranked,
      catalog,
      generatedAt,
      ...base,
      ranks: daily ? undefined : servedDaily(opts.outDir, state.lastDaily),
      totals: { purchasesCounted, badLines: fresh.badLines, hoursRebuilt: fresh.rebuilt.length, linesRead: fresh.newLines, ...(daily ? { productsRanked: daily.ranks.ids.length } : {}) },
      tasks: opts.runner.parallelism,
    });
    // Called once the parts are written, and the checks made.
    const manifestOf = (id: string) => {
      const manifest = manifestBody(checked!.consistency);
      // A daily release serves its own ranks/: it names itself once its id is known.
      return daily ? { ...manifest, ...selfRanks(manifest, id, generatedAt, daily.window), ...daily.manifest } : manifest;
    };

    opts.progress(`publish: ${count + (daily ? 257 : 1)} files`);
    const nextState = (release: string): PipelineState => ({
      ...state,
      dirs: fresh.dirs,
      settled: fresh.settled,
      recheckDays: fresh.recheckDays,
      hours,
      window: { version: windowVersion, start, end, hours: target },
      lastEnd: end,
      lastRelease: release,
      mismatches: checked!.mismatches,
      catalogChecked: catalog.checked,
      ...(daily ? { days: daily.days, lastDaily: { release, generatedAt, window: daily.window } } : {}),
    });
    let snapshot: EncodedState | undefined;
    const release = await writeRelease(opts.outDir, opts.nowMs, opts.kind === 'daily' ? 'daily' : 'hourly', parts, manifestOf, opts.runner, {
      streamed: daily?.writeShards,
      whileWriting: checked ? undefined : checks,
      whileSyncing: (id) => (snapshot = encodeState(nextState(id))),
      recycle,
      blank,
    });
    blank = undefined; // taken: renamed to the release, or removed
    snapshot ??= encodeState(nextState(release)); // the release was already there: no sync
    clock.done('publish');
    // An hourly run writes its window after the release's sync of the file
    // system, so that the sync does not wait for it, and from the thread pool
    // while this thread commits the state.
    const windowWritten = windowSet ? writeCountFileInBackground(windowPath, windowSet) : undefined;
    // The state commits before latest.json moves: a failure up to here leaves
    // latest.json on the previous release (contract §1); a crash between the
    // two is repaired by the next run, which finds latest.json behind the
    // state's release and publishes the same release again.
    let next: PipelineState;
    try {
      recordPointer(opts.outDir, release, opts.nowMs);
      crashPoint('before-state');
      next = commitState(opts.dataDir, snapshot);
    } catch (err) {
      await windowWritten?.catch(() => {}); // settled, it has left no temp file
      throw err;
    }
    if (windowWritten) {
      await windowWritten;
      crashPoint('after-window-file');
    }
    crashPoint('before-latest');
    pointLatest(opts.outDir, release, generatedAt);
    crashPoint('after-latest');
    collectCounts(opts.dataDir, referencedCounts(opts.dataDir, next));
    const pruned = pruneReleases(opts.outDir, opts.nowMs, release);
    clock.done('commit');
    return {
      command: commandName(opts),
      status: 'published',
      release,
      ...base,
      ...(daily ? { ranks: { release, window: daily.window, productsRanked: daily.ranks.ids.length } } : {}),
      ...run,
      purchasesCounted,
      disagreements: checked!.consistency.mismatches.total,
      listDisagreements: checked!.consistency.disagreements.length,
      staleLockTakenOver: tookOver(lock),
      prunedReleases: pruned.length,
      stages: clock.stages,
    };
  } finally {
    if (blank) await discardBlankRelease(blank); // the run failed before its publish
    await hourChecks?.catch(() => {}); // no worker still reads the catalog's file
    await catalogOpened?.then((c) => c.close(), () => {}); // its file, left open to be walked
    await catalogCached; // no temp file left behind, under the lock
    lock.release();
  }
}

/**
 * The consistency check of every hour recounted this run (the others keep
 * what an earlier run found), for the hours of the window: on the workers,
 * the hours shared out among as many tasks as run at once.
 */
async function checkConsistency(runner: Runner, dataDir: string, state: PipelineState, hours: Record<string, { version: number }>, rebuilt: readonly number[], catalog: CatalogView, start: number, end: number) {
  const out: Record<string, { found: Mismatch[]; total: number }> = {};
  for (const [h, m] of Object.entries(state.mismatches ?? {})) if (+h >= start && +h < end) out[h] = m;
  const recounted = rebuilt.filter((h) => h >= start && h < end && hours[h]).map((hour) => ({ hour, version: hours[hour].version }));
  if (recounted.length === 0) return out;
  const tasks = Math.min(runner.parallelism, recounted.length);
  const products = catalog.share();
  const slugs = catalog.categories.map((c) => c.slug);
  const shares = Array.from({ length: tasks }, (_, t) => recounted.filter((_, i) => i % tasks === t));
  const results = await Promise.allSettled(shares.map((share) => runner.run('checkHours', { dataDir, hours: share, products, slugs })));
  for (const [t, settled] of results.entries()) {
    if (settled.status === 'rejected') throw settled.reason;
    const result = settled.value;
    if (!result.ok) throw PipelineError.fromData(result.error);
    for (const [i, { hour }] of shares[t].entries()) {
      if (result.value[i].total > 0) out[hour] = result.value[i];
      else delete out[hour];
    }
  }
  return out;
}

const tookOver = (lock: Lock) => lock.tookOver && `pid ${lock.tookOver.pid} on ${lock.tookOver.host} since ${lock.tookOver.startedAt}`;

/**
 * The last daily release, when it is under this OUT: a run into another
 * (`--out`, a scratch rerun) names none in ranksBase rather than one its
 * readers cannot fetch.
 */
function servedDaily(outDir: string, lastDaily: PipelineState['lastDaily']): PipelineState['lastDaily'] {
  return lastDaily && existsSync(join(outPaths(outDir).release(lastDaily.release), 'manifest.json')) ? lastDaily : undefined;
}

function selfRanks(manifest: Record<string, unknown>, id: string, generatedAt: string, window: { start: string; end: string }) {
  const freshness = manifest.freshness as Record<string, unknown>;
  return { ranksBase: `releases/${id}/`, freshness: { ...freshness, ranks: { release: id, generatedAt, window, maxAgeHours: 24 } } };
}

/** The window file's bytes, until moveWindow takes them (see readHeldWindow). */
interface HeldWindow {
  bytes?: Uint8Array;
}

/**
 * The bytes of the window file the state holds (none when there is none to
 * read), in a holder that moveWindow empties. A daily run lets its window go
 * before the roll-up, its peak of memory: the bytes must not stay reachable
 * from a settled promise or the run's frame (a plain Uint8Array result kept
 * ~200 MB alive there, at 1M purchases an hour: peak RSS 1.94–2.02 GiB
 * against 1.80).
 */
async function readHeldWindow(dataDir: string, state: PipelineState): Promise<HeldWindow> {
  if (!state.window) return {};
  const file = await open(statePaths(dataDir).windowCounts(state.window.version), 'r').catch(() => undefined);
  if (!file) return {}; // gone (it is not fsynced): recomputed from the hours
  try {
    const { size } = await file.stat();
    const bytes = Buffer.allocUnsafeSlow(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await file.read(bytes, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return { bytes: bytes.subarray(0, done) }; // a file cut short fails its checks and is recomputed
  } catch {
    return {};
  } finally {
    await file.close().catch(() => {});
  }
}

function moveWindow(dataDir: string, state: PipelineState, heldWindow: HeldWindow, target: HourVersions, start: number, end: number, read: ReadHour): CountSet {
  const held = state.window;
  const heldBytes = heldWindow.bytes;
  heldWindow.bytes = undefined;
  if (held && heldBytes) {
    let prev: CountSet | undefined;
    try {
      prev = decodeCountSet(heldBytes, statePaths(dataDir).windowCounts(held.version));
    } catch {
      prev = undefined; // torn by a crash (it is written without fsync): recompute
    }
    if (prev) return applyDelta(prev, windowDelta(held.hours, target), read, start, end);
  }
  return fullWindow(target, read, start, end);
}

function referencedCounts(dataDir: string, state: PipelineState): Set<string> {
  const paths = statePaths(dataDir);
  const keep = new Set<string>();
  for (const [h, v] of Object.entries(state.hours)) keep.add(paths.hourCounts(+h, v.version));
  if (state.window) {
    keep.add(paths.windowCounts(state.window.version));
    for (const [h, v] of Object.entries(state.window.hours)) keep.add(paths.hourCounts(+h, v));
  }
  for (const [d, v] of Object.entries(state.days ?? {})) {
    keep.add(paths.dayCounts(+d, v.version));
    for (const [h, hv] of Object.entries(v.hours)) keep.add(paths.hourCounts(+h, hv));
  }
  return keep;
}
