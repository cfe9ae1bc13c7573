// What a task returns: a value, or its failure as data. Errors lose their
// class and exit code crossing the thread boundary, so a PipelineError (or
// an fs error, exit 74) travels as { ok: false, error }; anything else is a
// bug and is thrown, for the runner to retry.
import { Piscina } from 'piscina';
import { type ErrorData, ExitCode, PipelineError } from '../src/errors.js';

export type TaskResult<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

/** The reliability suite's injected failure (src/faults.ts): on the first attempt, or on every one. */
export function injectedFailure(task: { attempt?: number; fault?: 'once' | 'always' }): void {
  if (task.fault === 'always' || (task.fault === 'once' && !task.attempt)) {
    // A worker that dies takes its thread down; inline, the task throws.
    if (Piscina.isWorkerThread && task.fault === 'once') process.exit(1);
    throw new Error('injected worker failure');
  }
}

export function failureAsData(err: unknown): { ok: false; error: ErrorData } {
  if (err instanceof PipelineError) return { ok: false, error: err.toData() };
  const code = (err as NodeJS.ErrnoException).code;
  if (code) return { ok: false, error: { exitCode: ExitCode.ioErr, message: (err as Error).message, path: (err as NodeJS.ErrnoException).path } };
  throw err;
}

/**
 * Hands the count arrays to the main thread without a copy: piscina moves
 * the buffers a Transferable names. Inline, the value is returned as is.
 */
export function withTransfer<T extends object>(value: T, buffers: ArrayBuffer[]): T {
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
