// The map stage of a run: log directories → tasks → per-hour recounts.
// Global hours go one per task (each can be hundreds of MB), except those
// already counted in full, which go together into one; category days
// are dealt round-robin into batches, so the few big categories spread over
// the workers. Results are gathered by hour for the count files.
import { PipelineError, dataError } from '../errors.js';
import { activeFaults } from '../faults.js';
import { type DirStateBytes, decodeDirState, encodeDirState, packStates, unpackStates } from '../log/dir-state-bytes.js';
import { type BadLine, type DirScan, type HourCounts, type LogDir, linesHeld } from '../log/log-state.js';
import type { MapLogsResult, MapLogsTask, MappedDir } from '../../jobs/map-logs.js';
import type { HourUpdate } from '../counts/hour-counts.js';
import type { Runner } from './runner.js';
import { type SplitPlan, planSplit } from './split-plan.js';
import { mergeRanges } from '../log/merge-ranges.js';
import type { RangeScan } from '../log/range-scanner.js';
import { dayOfHour, isoOfHour, dayName } from '../time.js';

const CATEGORY_BATCH = 2000;
const NO_STATE = new Uint8Array(0);

export interface MapStageResult {
  /** Hour → group → full recount. */
  updates: Map<number, HourUpdate>;
  /** New state of every directory that changed, encoded. */
  dirStates: Map<string, DirStateBytes>;
  bad: BadLine[];
  badLines: number;
  badByReason: Record<string, number>;
  newLines: number;
  /** Hours or days over the bad-line budget, described. */
  overBudget?: string[];
}

export interface MapStageOptions {
  dataDir: string;
  end: number;
  maxBadRatio: number;
  /** Override of SPLIT_MIN_BYTES, for tests that split small directories. */
  splitMinBytes?: number;
  onProgress?: (done: number, total: number) => void;
}

export async function mapStage(dirs: LogDir[], states: Record<string, DirStateBytes>, runner: Runner, opts: MapStageOptions): Promise<MapStageResult> {
  const tasks: MapLogsTask[] = [];
  const fault = activeFaults().worker;
  const task = (batch: LogDir[]): MapLogsTask => ({ dataDir: opts.dataDir, end: opts.end, dirs: batch, states: packStates(batch.map((d) => states[d.dir] ?? NO_STATE)), fault });
  const batches: LogDir[][] = [];
  const categories = dirs.filter((d) => d.group !== '');
  const batchCount = Math.max(1, Math.ceil(categories.length / CATEGORY_BATCH));
  for (let i = 0; i < batchCount; i++) batches.push([]);
  categories.forEach((d, i) => batches[i % batchCount].push(d));
  const splits: Array<{ d: LogDir; plan: SplitPlan }> = [];
  // Global hours already counted in full, looked at again for late lines, go
  // in one task: each is a few system calls, and a task of its own cost more
  // to hand over (a week's 168 hours took 0.3 s of the map so).
  const counted: LogDir[] = [];
  for (const d of dirs) {
    if (d.group !== '') continue;
    const held = states[d.dir] && decodeDirState(states[d.dir]);
    const plan = planSplit(opts.dataDir, d, held, runner.parallelism, opts.splitMinBytes);
    if (plan) splits.push({ d, plan });
    else if (held && held.doneEnd >= d.spanEnd) counted.push(d);
    else tasks.push(task([d]));
  }
  if (counted.length > 0) tasks.push(task(counted));
  const filled = batches.filter((b) => b.length > 0);

  const result: MapStageResult = { updates: new Map(), dirStates: new Map(), bad: [], badLines: 0, badByReason: {}, newLines: 0 };
  const spanOf = new Map(dirs.map((d) => [d.dir, d]));
  const ratio = new Map<string, { lines: number; bad: number }>();
  let done = 0;
  const total = tasks.length + filled.length + splits.reduce((n, s) => n + s.plan.ranges.length, 0);
  const tick = <T>(r: T) => {
    opts.onProgress?.(++done, total);
    return r;
  };
  const runs = tasks.map((task) => runner.run('mapLogs', task).then(tick));
  // A batch is handed over as soon as its states are packed: a worker starts
  // on the first while this thread packs the rest (30k took it ~0.2 s).
  for (const b of filled) runs.push(runner.run('mapLogs', task(b)).then(tick));
  // Every task settles before a failure is thrown: the pool is only destroyed
  // once no worker can still answer.
  const settled = await Promise.allSettled([
    settleAll(runs),
    settleAll(
      splits.map(async ({ d, plan }) => {
        const results = await settleAll(plan.ranges.map(async (r) => tick(await runner.run('mapRange', { ...r, fault }))));
        const byFile = new Map<string, RangeScan[]>();
        for (const r of results) {
          if (!r.ok) throw PipelineError.fromData(r.error);
          byFile.set(r.value.file, [...(byFile.get(r.value.file) ?? []), r.value]);
        }
        return mergeRanges(d, plan.seen, byFile, { dataDir: opts.dataDir, end: opts.end });
      }),
    ),
  ]);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  const [outcomes, splitScans] = settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as [MapLogsResult[], DirScan[]];
  const scans: Array<{ scan: MappedDir; state: DirStateBytes }> = [];
  for (const r of outcomes) {
    if (!r.ok) throw PipelineError.fromData(r.error);
    const sent = unpackStates(r.value.states);
    let next = 0;
    for (const scan of r.value.scans) if (scan.changed) scans.push({ scan: scan as MappedDir, state: sent[next++] });
  }
  for (const { state, ...scan } of splitScans) scans.push({ scan: { ...scan, lines: linesHeld(state) }, state: encodeDirState(state) });
  for (const { scan: s, state } of scans) {
    result.dirStates.set(s.dir, state);
    for (const h of s.hours) addUpdate(result.updates, h, s.group);
    result.newLines += s.newLines;
    result.badLines += s.badLines;
    for (const [k, v] of Object.entries(s.badByReason)) result.badByReason[k] = (result.badByReason[k] ?? 0) + v;
    for (const b of s.bad) result.bad.push(b);
    const span = spanOf.get(s.dir)!;
    // The bad-line budget is per hour of the global log, per day of the category
    // logs: this run's bad lines against all the lines the directory holds, so a
    // run that only finds a torn last line is not 1 bad of 1.
    const key = span.group === '' ? `the global log of ${isoOfHour(span.spanStart)}` : `the category logs of ${dayName(dayOfHour(span.spanStart))}`;
    const r2 = ratio.get(key) ?? { lines: 0, bad: 0 };
    r2.lines += s.lines;
    r2.bad += s.badLines;
    ratio.set(key, r2);
  }
  result.bad.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  for (const [key, r2] of ratio) {
    if (r2.bad > opts.maxBadRatio * r2.lines) {
      result.overBudget ??= [];
      result.overBudget.push(`${key}: ${r2.bad} bad of ${r2.lines} lines`);
    }
  }
  return result;
}

/** Promise.all that waits for every promise before rejecting with the first failure. */
export async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

function addUpdate(updates: Map<number, HourUpdate>, h: HourCounts, group: string): void {
  let u = updates.get(h.hour);
  if (!u) updates.set(h.hour, (u = new Map()));
  u.set(group, h);
}

/** Exit 65 when any hour (global) or day (categories) has more bad lines than the budget allows. */
export function checkBadBudget(r: MapStageResult, maxBadRatio: number): void {
  if (!r.overBudget?.length) return;
  throw dataError(`more bad lines than --max-bad-ratio ${maxBadRatio} allows: ${r.overBudget.slice(0, 5).join('; ')}${r.overBudget.length > 5 ? '; …' : ''}`, {
    hint: 'the bad lines are listed under DATA/quarantine/; fix the writer, or raise --max-bad-ratio to publish anyway',
  });
}
