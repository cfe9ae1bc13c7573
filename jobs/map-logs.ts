// Task: map a batch of log directories into full per-hour recounts.
// Runs in a piscina worker (or inline). Input and output are structured-
// cloneable; failures travel as data, since errors lose their class and
// exit code crossing the thread boundary.
import { scanDir } from '../src/log/dir-scanner.js';
import type { DirScan, DirState, LogDir } from '../src/log/log-state.js';
import { type TaskResult, failureAsData, injectedFailure, withTransfer } from './task-result.js';

export interface MapLogsTask {
  dataDir: string;
  end: number;
  dirs: Array<{ dir: LogDir; state?: DirState }>;
  /** Set by the runner: 0 on the first try. */
  attempt?: number;
  /** Injected by the reliability suite (src/faults.ts): fail the first or every attempt. */
  fault?: 'once' | 'always';
}

/** Unchanged directories come back as their name only: their state stays as it was. */
export type MapLogsResult = TaskResult<Array<DirScan | { dir: string; changed: false }>>;

export function mapLogs(task: MapLogsTask): MapLogsResult {
  injectedFailure(task);
  const out: Array<DirScan | { dir: string; changed: false }> = [];
  const transfer: ArrayBuffer[] = [];
  try {
    for (const { dir, state } of task.dirs) {
      const scan = scanDir(dir, state, { dataDir: task.dataDir, end: task.end });
      if (!scan.changed) {
        out.push({ dir: scan.dir, changed: false });
        continue;
      }
      for (const h of scan.hours) transfer.push(h.ids.buffer as ArrayBuffer, h.sales.buffer as ArrayBuffer);
      out.push(scan);
    }
  } catch (err) {
    return failureAsData(err);
  }
  return withTransfer({ ok: true, value: out }, transfer);
}
