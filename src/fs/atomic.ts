// Durable writes. A file the pipeline publishes or depends on appears whole or
// not at all: written to a temp file in the same directory, optionally
// fsynced, renamed over the target, the directory fsynced; the temp file is
// unlinked when anything fails (unstorage and LevelDB's CURRENT do the same).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { asIoError } from '../errors.js';
import { beforeWrite } from '../faults.js';

let tmpCounter = 0;
const tmpName = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${++tmpCounter}.tmp`);

/** fsync a directory, so the names created or renamed in it survive a crash. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * mkdir -p that fsyncs the parent of every directory it creates, so a new
 * directory's name is as durable as the files written into it.
 */
export function mkdirDurable(dir: string): void {
  const missing: string[] = [];
  let cur = dir;
  while (!existsSync(cur)) {
    missing.push(cur);
    const parent = dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  if (missing.length === 0) return;
  mkdirSync(dir, { recursive: true });
  for (const created of missing) fsyncDir(dirname(created));
}

export interface WriteOptions {
  /** fsync the file and its directory (default true). Release files skip it and rely on one sync of the file system (syncFileSystemInBackground); the window file skips it and is recomputed when lost. */
  durable?: boolean;
}

/** Writes `data` to `path` atomically; throws a PipelineError (exit 74) naming the path on I/O failure. */
export function writeFileAtomic(path: string, data: string | Uint8Array | readonly Uint8Array[], options: WriteOptions = {}): void {
  const durable = options.durable ?? true;
  const tmp = tmpName(path);
  try {
    beforeWrite(path);
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      const parts = typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : coalesce(data);
      for (const part of parts) {
        let off = 0;
        while (off < part.byteLength) off += writeSync(fd, part, off, part.byteLength - off);
      }
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    if (durable) fsyncDir(dirname(path));
  } catch (err) {
    rmSync(tmp, { force: true });
    throw asIoError(err, path);
  }
}

/** A part smaller than this is copied into a gathering buffer rather than written on its own. */
const SMALL_PART = 16 << 10;
const GATHER_BYTES = 1 << 20;

/**
 * The parts as few writes: parts that lie back to back in one buffer are
 * joined into one view, and runs of small parts are copied together. A count
 * file is 60k blocks, mostly views of a few big buffers; but an hour's file
 * holds a small block per category from each map task, and a write(2) per
 * block cost the main thread ~0.2 s an hour (58k writes), and seconds from
 * the thread pool.
 */
function coalesce(parts: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let gather: Uint8Array | undefined;
  let used = 0;
  const flushGather = () => {
    if (gather && used > 0) out.push(gather.subarray(0, used));
    gather = undefined;
    used = 0;
  };
  // The run of back-to-back parts being joined, as numbers: a view per join cost more than the bytes.
  let runBuffer: ArrayBufferLike | undefined;
  let runStart = 0;
  let runEnd = 0;
  const endRun = () => {
    if (!runBuffer) return;
    const run = new Uint8Array(runBuffer, runStart, runEnd - runStart);
    runBuffer = undefined;
    if (run.byteLength >= SMALL_PART) {
      flushGather();
      out.push(run);
      return;
    }
    if (gather && used + run.byteLength > gather.length) flushGather();
    gather ??= new Uint8Array(GATHER_BYTES);
    gather.set(run, used);
    used += run.byteLength;
  };
  for (const part of parts) {
    if (part.byteLength === 0) continue;
    if (part.buffer === runBuffer && part.byteOffset === runEnd) {
      runEnd += part.byteLength;
      continue;
    }
    endRun();
    runBuffer = part.buffer;
    runStart = part.byteOffset;
    runEnd = runStart + part.byteLength;
  }
  endRun();
  flushGather();
  return out;
}

/**
 * writeFileAtomic without `durable`, for a big file this thread has no
 * reason to wait for: the bytes are written from libuv's thread pool. They
 * must not change until the promise settles.
 */
export async function writeFileAtomicInBackground(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const tmp = tmpName(path);
  try {
    beforeWrite(path);
    const file = await open(tmp, 'wx', 0o644);
    try {
      for (const part of coalesce(parts)) {
        let off = 0;
        while (off < part.byteLength) off += (await file.write(part, off, part.byteLength - off)).bytesWritten;
      }
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw asIoError(err, path);
  }
}

/**
 * Makes everything written so far under `path` durable with one syncfs(2) of
 * its file system (`sync -f`), instead of one fsync per file: a release holds
 * tens of thousands of files. Falls back to a global sync(2).
 */
export function syncFileSystem(path: string): void {
  const res = spawnSync('sync', ['-f', path], { stdio: 'ignore' });
  if (res.status !== 0) spawnSync('sync', [], { stdio: 'ignore' });
}

/** syncFileSystem without blocking this thread, which can do other work meanwhile. */
export async function syncFileSystemInBackground(path: string): Promise<void> {
  const run = (args: string[]) =>
    new Promise<number | null>((resolve) => {
      const child = spawn('sync', args, { stdio: 'ignore' });
      child.on('error', () => resolve(null));
      child.on('close', resolve);
    });
  if ((await run(['-f', path])) !== 0) await run([]);
}
