// Task: map a batch of log directories into full per-hour recounts.
// Runs in a piscina worker (or inline). Input and output are structured-
// cloneable; failures travel as data, since errors lose their class and
// exit code crossing the thread boundary.
import { Piscina } from 'piscina';
import { PipelineError, type ErrorData, ExitCode } from '../src/errors.js';
import { scanDir } from '../src/log/dir-scanner.js';
import type { DirScan, DirState, LogDir } from '../src/log/log-state.js';

export interface MapLogsTask {
  dataDir: string;
  end: number;
  dirs: Array<{ dir: LogDir; state?: DirState }>;
  /** Set by the runner: 0 on the first try. */
  attempt?: number;
  /** Injected by the reliability suite (src/faults.ts): fail the first or every attempt. */
  fault?: 'once' | 'always';
}

export type TaskResult<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

/** Unchanged directories come back as their name only: their state stays as it was. */
export type MapLogsResult = TaskResult<Array<DirScan | { dir: string; changed: false }>>;

export function mapLogs(task: MapLogsTask): MapLogsResult {
  if (task.fault === 'always' || (task.fault === 'once' && !task.attempt)) {
    // A worker that dies takes its thread down; inline, the task throws.
    if (Piscina.isWorkerThread && task.fault === 'once') process.exit(1);
    throw new Error('injected worker failure');
  }
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
    if (err instanceof PipelineError) return { ok: false, error: err.toData() };
    const code = (err as NodeJS.ErrnoException).code;
    if (code) return { ok: false, error: { exitCode: ExitCode.ioErr, message: `${code}: ${(err as Error).message}`, path: (err as NodeJS.ErrnoException).path } };
    throw err;
  }
  return withTransfer({ ok: true, value: out }, transfer);
}

/**
 * Hands the count arrays to the main thread without a copy: piscina moves
 * the buffers a Transferable names. Inline, the value is returned as is.
 */
function withTransfer<T extends object>(value: T, buffers: ArrayBuffer[]): T {
  if (!Piscina.isWorkerThread) return value;
  const wrapped = {
    get [Piscina.transferableSymbol]() {
      return buffers;
    },
    get [Piscina.valueSymbol]() {
      return value;
    },
  };
  return Piscina.move(wrapped as never) as unknown as T;
}
