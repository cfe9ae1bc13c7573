// The files one writer process appends to: their waiting lines in a shared
// LineArena, one write(2) per file per round, a bounded number of open
// descriptors (least recently written closed first), and a durable sync that
// covers every file written and every directory created since the last one.
//
// A peak hour touches ~30k category files, so three costs are batched:
//  - when the arena fills, only the fullest buffers are written (few big
//    writes free most bytes); the long tail of small ones waits, often until
//    close, instead of costing 30k open/write/close every round;
//  - directories are made only when an open finds them missing, with plain
//    mkdir, and their parents fsynced at sync() (one fsync per parent, not
//    one per mkdir as mkdirDurable does);
//  - past SYNC_EACH_LIMIT dirty files, one syncfs(2) replaces the fsyncs.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { asIoError } from '../errors.js';
import { fsyncDir, syncFileSystem } from '../fs/atomic.js';
import { LineArena } from './line-arena.js';
import type { RouteSink } from './purchase-router.js';

export interface AppendFilesOptions {
  /** Root that sync() hands to syncfs(2) when many files are dirty. */
  readonly root: string;
  readonly maxOpenFiles: number;
  /** Memory for waiting lines across all files. */
  readonly maxBufferedBytes: number;
}

/** A run of lines this long is written from where it is (putRun), not copied into the arena. */
const DIRECT_RUN = 1 << 20;
const NL = 10;

/** Above this many dirty files one syncfs(2) is cheaper than an fsync each. */
export const SYNC_EACH_LIMIT = 64;

/**
 * Half the descriptors this process may open (the rest for everything else),
 * at most 65536: read from /proc/self/limits, 512 where there is none.
 */
export function defaultMaxOpenFiles(): number {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (m) return Math.max(16, Math.min(65536, Math.floor(Number(m[1]) / 2)));
  } catch {
    // not Linux
  }
  return 512;
}

export class AppendFiles implements RouteSink {
  /** Waiting lines; the router puts into it directly by target id. */
  readonly arena: LineArena;
  private readonly paths: string[] = [];
  private readonly dirs: string[] = [];
  private readonly fds: number[] = [];
  private readonly opened: boolean[] = [];
  private readonly dirty = new Set<number>();
  private readonly open = new Map<number, true>(); // insertion order = LRU order
  private readonly dirsToSync = new Set<string>();
  /** Starts at options.maxOpenFiles; lowered if the process runs out of descriptors. */
  private maxOpen: number;
  /** Bytes handed to the OS so far. */
  bytesWritten = 0;
  /** Targets below this one have been opened at least once (createNext). */
  private created = 0;

  constructor(private readonly options: AppendFilesOptions) {
    this.arena = new LineArena(options.maxBufferedBytes, () => this.writeFullest());
    this.maxOpen = options.maxOpenFiles;
  }

  /** A new file to append to; returns its target id for arena.put(). */
  target(dir: string, name: string): number {
    const t = this.arena.addTarget();
    this.paths[t] = join(dir, name);
    this.dirs[t] = dir;
    this.fds[t] = -1;
    this.opened[t] = false;
    return t;
  }

  get fileCount(): number {
    return this.arena.count;
  }

  get targetCount(): number {
    return this.arena.count;
  }

  putSorted(targets: number, ends: Int32Array, sorted: Int32Array, lineStart: Int32Array, staging: Buffer): void {
    const { arena } = this;
    for (let t = 0, k = 0; t < targets; t++) {
      for (const end = ends[t]; k < end; k++) {
        const line = sorted[k];
        arena.put(t, staging, lineStart[line], lineStart[line + 1] - 1, false);
      }
    }
  }

  /** Writes the fullest buffers until the arena is no longer crowded. */
  private writeFullest(): void {
    const len = this.arena.len;
    const waiting: number[] = [];
    for (let t = 0; t < this.arena.count; t++) if (len[t] > 0) waiting.push(t);
    waiting.sort((a, b) => len[b] - len[a]);
    for (const t of waiting) {
      if (!this.arena.crowded) break;
      this.writeOne(t);
    }
  }

  /** Writes the fullest buffer if it holds at least `min` bytes; says whether it did. */
  writeLargest(min: number): boolean {
    const len = this.arena.len;
    let best = -1;
    for (let t = 0, most = min - 1; t < this.arena.count; t++) {
      if (len[t] > most) {
        best = t;
        most = len[t];
      }
    }
    if (best < 0) return false;
    this.writeOne(best);
    return true;
  }

  /**
   * Appends whole lines src[start..end), newlines included, to file t: into
   * its buffer, or, from DIRECT_RUN bytes, straight from `src` after what t
   * has waiting. The writer thread hands a batch's lines of the global hour
   * over as one ~3 MB run: written directly, they cost no copy and no arena
   * room, and the arena, left to the category files, drains less often.
   */
  putRun(t: number, src: Uint8Array, start: number, end: number): void {
    if (end - start < Math.min(DIRECT_RUN, this.arena.bytes.length >> 4)) return this.arena.putRun(t, src, start, end);
    if (this.arena.len[t] > 0) this.writeOne(t);
    const fd = this.ensureOpen(t);
    let off = start;
    try {
      while (off < end) off += writeSync(fd, src, off, end - off);
    } catch (err) {
      // As in writeOne: the rest of a cut line waits, so that a retried flush finishes it.
      const nl = src.indexOf(NL, off);
      if (off > start && src[off - 1] !== NL && nl >= 0) this.arena.putRun(t, src, off, nl + 1);
      this.bytesWritten += off - start;
      this.dirty.add(t);
      throw asIoError(err, this.paths[t]);
    }
    this.bytesWritten += end - start;
    this.dirty.add(t);
  }

  /**
   * Creates the file of the first target not opened yet, and closes it again
   * (the descriptors stay for the files being written); says whether there
   * was one. A writer with time to spare creates its files ahead: else the
   * long tail of small files (and, in a day's first hour, their day
   * directories) is all created at close.
   */
  createNext(): boolean {
    while (this.created < this.arena.count && this.opened[this.created]) this.created++;
    if (this.created === this.arena.count) return false;
    const t = this.created++;
    const fd = this.openAppend(t);
    try {
      closeSync(fd);
    } catch (err) {
      throw asIoError(err, this.paths[t]);
    }
    this.opened[t] = true;
    this.dirsToSync.add(this.dirs[t]);
    return true;
  }

  /** Hands every waiting line to the OS: one write per file. */
  writeAll(): void {
    for (let t = 0; t < this.arena.count; t++) if (this.arena.len[t] > 0) this.writeOne(t);
  }

  private writeOne(t: number): void {
    const fd = this.ensureOpen(t);
    const { arena } = this;
    const start = arena.offsetOf(t);
    const len = arena.len[t];
    let off = 0;
    try {
      while (off < len) off += writeSync(fd, arena.bytes, start + off, len - off);
    } catch (err) {
      // Keep what did not go out, so a retried flush finishes the line
      // instead of starting a new one after a torn one.
      arena.consume(t, off);
      this.dirty.add(t);
      throw asIoError(err, this.paths[t]);
    }
    arena.consume(t, len);
    this.bytesWritten += len;
    this.dirty.add(t);
  }

  private ensureOpen(t: number): number {
    if (this.fds[t] >= 0) {
      this.open.delete(t);
      this.open.set(t, true);
      return this.fds[t];
    }
    if (this.open.size >= this.maxOpen) this.closeOldest(1);
    let fd: number;
    try {
      fd = this.openAppend(t);
    } catch (err) {
      // Out of descriptors (a low ulimit, or others' files): keep half as many open and try again.
      const code = ((err as { cause?: NodeJS.ErrnoException }).cause ?? (err as NodeJS.ErrnoException)).code;
      if ((code !== 'EMFILE' && code !== 'ENFILE') || this.open.size < 2) throw err;
      this.maxOpen = Math.max(1, Math.floor(this.open.size / 2));
      this.closeOldest(this.open.size - this.maxOpen + 1);
      fd = this.openAppend(t);
    }
    this.fds[t] = fd;
    // The first open (normally) creates the file: its name lives in the directory.
    if (!this.opened[t]) this.dirsToSync.add(this.dirs[t]);
    this.opened[t] = true;
    this.open.set(t, true);
    return fd;
  }

  /** Opens for appending; directories are made only when missing (after a day's first hour they exist). */
  private openAppend(t: number): number {
    const path = this.paths[t];
    try {
      try {
        return openSync(path, 'a', 0o644);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      this.makeDirs(this.dirs[t]);
      return openSync(path, 'a', 0o644);
    } catch (err) {
      throw asIoError(err, path);
    }
  }

  private makeDirs(dir: string): void {
    // mkdir -p returns the first directory it created: it and everything
    // below it down to `dir` are new, so each one's parent must be synced.
    const first = mkdirSync(dir, { recursive: true });
    for (let d = dir; first !== undefined; d = dirname(d)) {
      this.dirsToSync.add(dirname(d));
      if (d === first) break;
    }
  }

  private closeOldest(n: number): void {
    // Map keys iterate in insertion (= use) order; never copy them all: this runs on every eviction.
    for (let i = 0; i < n && this.open.size > 0; i++) this.closeFd(this.open.keys().next().value as number);
  }

  private closeFd(t: number): void {
    this.open.delete(t);
    const fd = this.fds[t];
    this.fds[t] = -1;
    try {
      closeSync(fd);
    } catch (err) {
      throw asIoError(err, this.paths[t]);
    }
  }

  /**
   * Writes everything, then makes it durable: each dirty file and each
   * directory that gained a name is fsynced (or the file system is, once).
   */
  sync(): void {
    this.writeAll();
    if (this.dirty.size > SYNC_EACH_LIMIT) {
      syncFileSystem(this.options.root);
    } else {
      for (const t of this.dirty) this.fsyncFile(t);
      for (const dir of this.dirsToSync) {
        try {
          fsyncDir(dir);
        } catch (err) {
          throw asIoError(err, dir);
        }
      }
    }
    this.dirty.clear();
    this.dirsToSync.clear();
  }

  private fsyncFile(t: number): void {
    const path = this.paths[t];
    try {
      // fsync acts on the file, not the descriptor: a fresh one will do for a file the LRU closed.
      const fd = this.fds[t] >= 0 ? this.fds[t] : openSync(path, 'r');
      try {
        fsyncSync(fd);
      } finally {
        if (fd !== this.fds[t]) closeSync(fd);
      }
    } catch (err) {
      throw asIoError(err, path);
    }
  }

  /** sync(), then close every descriptor. */
  close(): void {
    this.sync();
    for (const t of [...this.open.keys()]) this.closeFd(t);
  }
}
