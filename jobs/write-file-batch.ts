// Task: write a batch of a release's files (src/publish/file-batches.ts) one
// after another, each with an open, a write and a close: ~25 µs a file on a
// worker thread, where the main thread paid more than that in promise
// machinery per file. A retry rewrites the same files. An I/O failure comes
// back as data naming the file (a failed write(2) names none itself).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { asIoError } from '../src/errors.js';
import { type TaskResult, failureAsData } from './task-result.js';

export interface WriteFileBatchTask {
  dir: string;
  /** The files' paths relative to dir, in order. */
  paths: string[];
  /** Where each file's bytes end: file i is bytes[ends[i - 1] ?? 0 .. ends[i]). */
  ends: number[];
  /** The files' bytes one after another, in a SharedArrayBuffer: shared with the worker, not copied. */
  bytes: Uint8Array;
}

export function writeFileBatch(task: WriteFileBatchTask): TaskResult<null> {
  let start = 0;
  for (const [i, rel] of task.paths.entries()) {
    const path = join(task.dir, rel);
    try {
      writeFileSync(path, task.bytes.subarray(start, task.ends[i]));
    } catch (err) {
      return failureAsData(asIoError(err, path));
    }
    start = task.ends[i];
  }
  return { ok: true, value: null };
}
