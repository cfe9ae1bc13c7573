// The files one writer process appends to: a byte buffer per file, one
// write(2) per file per flush, a bounded number of open descriptors (least
// recently written closed first), and a durable sync that covers every file
// written and every directory created since the last one.
//
// A peak hour touches tens of thousands of category files, so two costs are
// batched: buffers go out together when their total passes a budget, and
// directories are made with plain mkdir and fsynced at sync() time (one fsync
// per parent, not per mkdir as mkdirDurable would); past SYNC_EACH_LIMIT
// files a single syncfs(2) replaces the per-file fsyncs.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { asIoError } from '../errors.js';
import { fsyncDir, syncFileSystem } from '../fs/atomic.js';

/** One file this process appends to. The router holds these and calls put(). */
export interface AppendTarget {
  readonly path: string;
  readonly dir: string;
  buf: Buffer;
  /** Bytes waiting in buf: whole lines only. */
  len: number;
  /** Open descriptor, or -1. */
  fd: number;
  opened: boolean;
  /** Written since the last sync(). */
  dirty: boolean;
}

export interface AppendFilesOptions {
  /** Root that sync() hands to syncfs(2) when many files are dirty. */
  readonly root: string;
  readonly maxOpenFiles: number;
  /** Total bytes buffered before everything is written out. */
  readonly maxBufferedBytes: number;
}

const EMPTY = Buffer.alloc(0);
const FIRST_BUFFER = 1024;
/** Above this many dirty files one syncfs(2) is cheaper than an fsync each. */
export const SYNC_EACH_LIMIT = 64;

export class AppendFiles {
  private readonly open = new Map<AppendTarget, true>(); // insertion order = LRU order
  private readonly targets: AppendTarget[] = [];
  private readonly knownDirs = new Set<string>();
  private readonly dirsToSync = new Set<string>();
  private buffered = 0;
  private capacity = 0;
  /** Bytes handed to the OS so far. */
  bytesWritten = 0;

  constructor(private readonly options: AppendFilesOptions) {}

  target(dir: string, name: string): AppendTarget {
    const t: AppendTarget = { path: join(dir, name), dir, buf: EMPTY, len: 0, fd: -1, opened: false, dirty: false };
    this.targets.push(t);
    return t;
  }

  get fileCount(): number {
    return this.targets.length;
  }

  /** Buffers one line: src[start..end) followed by `tail` (which ends in '\n'). */
  put(t: AppendTarget, src: Uint8Array, start: number, end: number, tail: Uint8Array): void {
    const n = end - start + tail.length;
    if (t.len + n > t.buf.length) this.grow(t, n);
    const buf = t.buf;
    let o = t.len;
    // A byte loop beats Buffer.copy's native call for lines of ~40 bytes.
    for (let i = start; i < end; i++) buf[o++] = src[i];
    for (let i = 0; i < tail.length; i++) buf[o++] = tail[i];
    t.len = o;
    this.buffered += n;
    if (this.buffered > this.options.maxBufferedBytes) this.writeAll();
  }

  private grow(t: AppendTarget, n: number): void {
    const size = Math.max(FIRST_BUFFER, t.buf.length * 2, t.len + n);
    const grown = Buffer.allocUnsafe(size);
    t.buf.copy(grown, 0, 0, t.len);
    this.capacity += size - t.buf.length;
    t.buf = grown;
  }

  /** Hands every buffer to the OS: one write per file with bytes waiting. */
  writeAll(): void {
    for (const t of this.targets) if (t.len > 0) this.writeOne(t);
    this.buffered = 0;
    // Buffers keep their size between rounds; when they add up to more than
    // twice the budget (many files seen once), give them all back.
    if (this.capacity > 2 * this.options.maxBufferedBytes) {
      for (const t of this.targets) t.buf = EMPTY;
      this.capacity = 0;
    }
  }

  private writeOne(t: AppendTarget): void {
    this.ensureOpen(t);
    let off = 0;
    try {
      while (off < t.len) off += writeSync(t.fd, t.buf, off, t.len - off);
    } catch (err) {
      // Keep what did not go out, so a retried flush finishes the line
      // instead of starting a new one after a torn one.
      t.buf.copy(t.buf, 0, off, t.len);
      t.len -= off;
      t.dirty = true;
      throw asIoError(err, t.path);
    }
    this.bytesWritten += t.len;
    t.len = 0;
    t.dirty = true;
  }

  private ensureOpen(t: AppendTarget): void {
    if (t.fd >= 0) {
      this.open.delete(t);
      this.open.set(t, true);
      return;
    }
    if (this.open.size >= this.options.maxOpenFiles) {
      const oldest = this.open.keys().next().value as AppendTarget;
      this.closeFd(oldest);
    }
    this.ensureDir(t.dir);
    try {
      t.fd = openSync(t.path, 'a', 0o644);
    } catch (err) {
      throw asIoError(err, t.path);
    }
    // The first open creates the file: its name lives in the directory.
    if (!t.opened) this.dirsToSync.add(t.dir);
    t.opened = true;
    this.open.set(t, true);
  }

  private ensureDir(dir: string): void {
    if (this.knownDirs.has(dir)) return;
    let first: string | undefined;
    try {
      first = mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw asIoError(err, dir);
    }
    // mkdir -p returns the first directory it created: it and everything
    // below it down to `dir` are new, so each one's parent must be synced.
    for (let d = dir; first !== undefined; d = dirname(d)) {
      this.dirsToSync.add(dirname(d));
      if (d === first) break;
    }
    this.knownDirs.add(dir);
  }

  private closeFd(t: AppendTarget): void {
    this.open.delete(t);
    const fd = t.fd;
    t.fd = -1;
    try {
      closeSync(fd);
    } catch (err) {
      throw asIoError(err, t.path);
    }
  }

  /**
   * Writes everything, then makes it durable: each dirty file and each
   * directory that gained a name is fsynced (or the file system is, once).
   */
  sync(): void {
    this.writeAll();
    const dirty = this.targets.filter((t) => t.dirty);
    if (dirty.length > SYNC_EACH_LIMIT) {
      syncFileSystem(this.options.root);
    } else {
      for (const t of dirty) this.fsyncFile(t);
      for (const dir of this.dirsToSync) {
        try {
          fsyncDir(dir);
        } catch (err) {
          throw asIoError(err, dir);
        }
      }
    }
    for (const t of dirty) t.dirty = false;
    this.dirsToSync.clear();
  }

  private fsyncFile(t: AppendTarget): void {
    try {
      // fsync acts on the file, not the descriptor: a fresh one will do for a file the LRU closed.
      const fd = t.fd >= 0 ? t.fd : openSync(t.path, 'r');
      try {
        fsyncSync(fd);
      } finally {
        if (fd !== t.fd) closeSync(fd);
      }
    } catch (err) {
      throw asIoError(err, t.path);
    }
  }

  /** sync(), then close every descriptor. */
  close(): void {
    this.sync();
    for (const t of [...this.open.keys()]) this.closeFd(t);
  }
}
