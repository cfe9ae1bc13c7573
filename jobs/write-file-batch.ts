// Task: write files of a release (src/publish/release.ts) one after another,
// each with a synchronous open, write and close on a worker thread (through
// fs/promises on the main thread, the promise machinery per file cost more
// than the calls), and return their digest for the release id. A retry
// rewrites the same files. An I/O failure comes back as data naming the file
// (a failed write(2) names none itself). Over the files of a recycled or
// blank release, a file is rewritten in place, opened without truncating and
// cut to its new length: on this machine's ext4, 30k files took 0.3 s that
// way and 1.9 s or more to create. writeTopLists (write-top-lists.ts) writes
// a release's top lists the same way; this job writes bytes given (the empty
// files of a blank release).
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, ftruncateSync, openSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { type ErrorData, asIoError } from '../src/errors.js';
import { type TaskResult, failureAsData } from './task-result.js';

export interface WriteFileBatchTask {
  dir: string;
  /** The files' paths relative to dir, in order. */
  paths: string[];
  /** Where each file's bytes end: file i is bytes[ends[i - 1] ?? 0 .. ends[i]). */
  ends: number[];
  /** The files' bytes one after another (in a SharedArrayBuffer they are shared with the worker, not copied; the blank release's are none). */
  bytes: Uint8Array;
  /** Over the files there: see above. */
  inPlace?: boolean;
}

export function writeFileBatch(task: WriteFileBatchTask): TaskResult<string> {
  const files = new PartFiles(task.dir, task.inPlace ?? false);
  let start = 0;
  for (const [i, rel] of task.paths.entries()) {
    const failed = files.write(rel, task.bytes.subarray(start, task.ends[i]));
    if (failed) return failed;
    start = task.ends[i];
  }
  return { ok: true, value: files.digest() };
}

/**
 * Writes the files of a part of a release, in order, and hashes them: the
 * digest covers their bytes one after another, then their paths and where
 * each ends, so that another byte, path or file boundary gives another one.
 * Parts that hold the same files have the same digest, whichever job wrote
 * them.
 */
export class PartFiles {
  private readonly hash = createHash('sha256');
  private readonly paths: string[] = [];
  private readonly ends: number[] = [];
  private size = 0;

  constructor(
    private readonly dir: string,
    private readonly inPlace: boolean,
  ) {}

  /** Writes dir/rel; a failure comes back as data, naming the file. */
  write(rel: string, bytes: Uint8Array): { ok: false; error: ErrorData } | undefined {
    const path = join(this.dir, rel);
    try {
      if (this.inPlace) writeInPlace(path, bytes);
      else writeFileSync(path, bytes);
    } catch (err) {
      return failureAsData(asIoError(err, path));
    }
    this.hash.update(bytes);
    this.size += bytes.length;
    this.paths.push(rel);
    this.ends.push(this.size);
    return undefined;
  }

  digest(): string {
    return this.hash.update(`\0${this.paths.join('\0')}\0${this.ends.join(',')}`).digest('hex');
  }
}

/**
 * Writes a file over the one there, or makes it. A file with another link
 * (a backup made with hard links, say) is replaced instead, so that the
 * other name keeps the bytes it had.
 */
function writeInPlace(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT);
  let linked = false;
  try {
    const { nlink, size } = fstatSync(fd);
    linked = nlink > 1;
    if (!linked) {
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, done);
      // Only a file that was longer is cut: a blank release's files are empty, and a truncate per file is a system call of 30k.
      if (size > bytes.length) ftruncateSync(fd, bytes.length);
    }
  } finally {
    closeSync(fd);
  }
  if (linked) {
    unlinkSync(path);
    writeFileSync(path, bytes);
  }
}
