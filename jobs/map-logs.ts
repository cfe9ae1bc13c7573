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

/**
 * Unchanged directories come back as their name only: their state stays as
 * it was. A changed one's state comes back without the files that did not
 * change, which the caller has (mapStage puts them back): copying their
 * offsets back across threads was a quarter of the main thread's time in a
 * normal hour's category map.
 */
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
      out.push({ ...scan, state: { ...scan.state, files: changedFiles(scan.state.files, state?.files) } });
    }
  } catch (err) {
    return failureAsData(err);
  }
  return withTransfer({ ok: true, value: out }, transfer);
}

/** The files whose state is not the one sent: scanDir keeps the object of a file it found unchanged. */
function changedFiles(files: DirState['files'], sent: DirState['files'] | undefined): DirState['files'] {
  if (!sent) return files;
  const changed: DirState['files'] = {};
  for (const [name, f] of Object.entries(files)) if (f !== sent[name]) changed[name] = f;
  return changed;
}
