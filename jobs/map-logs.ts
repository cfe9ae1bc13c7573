// Task: map a batch of log directories into full per-hour recounts.
// Runs in a piscina worker (or inline). Input and output are structured-
// cloneable; failures travel as data, since errors lose their class and
// exit code crossing the thread boundary.
import { scanDir } from '../src/log/dir-scanner.js';
import { DirStateWriter, type PackedStates, decodeDirState, unpackStates } from '../src/log/dir-state-bytes.js';
import { type DirScan, type LogDir, linesHeld } from '../src/log/log-state.js';
import { type TaskResult, failureAsData, injectedFailure, withTransfer } from './task-result.js';

export interface MapLogsTask {
  dataDir: string;
  end: number;
  dirs: LogDir[];
  /** Each directory's state, in the order of `dirs` (empty: none yet), packed into one buffer. */
  states: PackedStates;
  /** Set by the runner: 0 on the first try. */
  attempt?: number;
  /** Injected by the reliability suite (src/faults.ts): fail the first or every attempt. */
  fault?: 'once' | 'always';
}

/** A directory that changed, its new state aside: `lines` is the lines its files hold, for the bad-line budget. */
export type MappedDir = Omit<DirScan, 'state'> & { lines: number };

/**
 * Unchanged directories come back as their name only: their state stays as
 * it was. The new states of the changed ones come back packed, in order.
 */
export type MapLogsResult = TaskResult<{ scans: Array<MappedDir | { dir: string; changed: false }>; states: PackedStates }>;

export function mapLogs(task: MapLogsTask): MapLogsResult {
  injectedFailure(task);
  const scans: Array<MappedDir | { dir: string; changed: false }> = [];
  const transfer: ArrayBuffer[] = [];
  const written = new DirStateWriter();
  const sent = unpackStates(task.states);
  try {
    task.dirs.forEach((dir, i) => {
      const { state, ...scan } = scanDir(dir, sent[i].length > 0 ? decodeDirState(sent[i]) : undefined, { dataDir: task.dataDir, end: task.end });
      if (!scan.changed) {
        scans.push({ dir: scan.dir, changed: false });
        return;
      }
      for (const h of scan.hours) transfer.push(h.ids.buffer as ArrayBuffer, h.sales.buffer as ArrayBuffer);
      written.write(state);
      scans.push({ ...scan, lines: linesHeld(state) });
    });
  } catch (err) {
    return failureAsData(err);
  }
  const states = written.take();
  transfer.push(states.bytes.buffer as ArrayBuffer, states.ends.buffer as ArrayBuffer);
  return withTransfer({ ok: true, value: { scans, states } }, transfer);
}
