// Durable writes. A file the pipeline publishes or depends on appears whole or
// not at all: written to a temp file in the same directory, optionally
// fsynced, renamed over the target, the directory fsynced; the temp file is
// unlinked when anything fails (unstorage and LevelDB's CURRENT do the same).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync, existsSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { spawnSync } from 'node:child_process';
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
  /** fsync the file and its directory (default true). Release files skip it and rely on syncFileSystem. */
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
      const parts = typeof data === 'string' ? [Buffer.from(data)] : data instanceof Uint8Array ? [data] : data;
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

/**
 * Makes everything written so far under `path` durable with one syncfs(2) of
 * its file system (`sync -f`), instead of one fsync per file: a release holds
 * tens of thousands of files. Falls back to a global sync(2).
 */
export function syncFileSystem(path: string): void {
  const res = spawnSync('sync', ['-f', path], { stdio: 'ignore' });
  if (res.status !== 0) spawnSync('sync', [], { stdio: 'ignore' });
}
