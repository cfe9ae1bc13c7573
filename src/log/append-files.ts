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
  /** A view of buf for copying 4 bytes at a time. */
  view: DataView;
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
const EMPTY_VIEW: DataView = new DataView(EMPTY.buffer, EMPTY.byteOffset, 0);
const viewOf = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const FIRST_BUFFER = 1024;
/** Above this many dirty files one syncfs(2) is cheaper than an fsync each. */
export const SYNC_EACH_LIMIT = 64;

export class AppendFiles {
  private readonly open = new Map<AppendTarget, true>(); // insertion order = LRU order
  private readonly targets: AppendTarget[] = [];
  private readonly knownDirs = new Set<string>();
  private readonly dirsToSync = new Set<string>();
  private buffered = 0;
  private source: Uint8Array = EMPTY;
  private sourceView: DataView = EMPTY_VIEW;
  private capacity = 0;
  /** Bytes handed to the OS so far. */
  bytesWritten = 0;

  constructor(private readonly options: AppendFilesOptions) {}

  target(dir: string, name: string): AppendTarget {
    const t: AppendTarget = { path: join(dir, name), dir, buf: EMPTY, view: EMPTY_VIEW, len: 0, fd: -1, opened: false, dirty: false };
    this.targets.push(t);
    return t;
  }

  get fileCount(): number {
    return this.targets.length;
  }

  /**
   * Buffers one line: src[start..end), then `,1` when `unitQuantity` (ingest
   * input may leave the quantity out), then the newline. The caller checks
   * `overBudget` once per line, after all the files it goes to.
   */
  put(t: AppendTarget, src: Uint8Array, start: number, end: number, unitQuantity: boolean): void {
    const n = end - start + (unitQuantity ? 3 : 1);
    if (t.len + n > t.buf.length) this.grow(t, n);
    if (src !== this.source) this.useSource(src);
    const from = this.sourceView;
    const to = t.view;
    const buf = t.buf;
    let o = t.len;
    let i = start;
    // Lines are ~45 bytes: DataView words are twice as fast as a byte loop,
    // and Buffer.copy's call costs more than the copy at this size.
    for (; i + 8 <= end; i += 8, o += 8) {
      to.setUint32(o, from.getUint32(i));
      to.setUint32(o + 4, from.getUint32(i + 4));
    }
    for (; i < end; i++) buf[o++] = src[i];
    if (unitQuantity) {
      buf[o++] = 44; // ,
      buf[o++] = 49; // 1
    }
    buf[o++] = 10;
    t.len = o;
    this.buffered += n;
  }

  get overBudget(): boolean {
    return this.buffered > this.options.maxBufferedBytes;
  }

  private useSource(src: Uint8Array): void {
    this.source = src;
    this.sourceView = viewOf(src);
  }

  private grow(t: AppendTarget, n: number): void {
    const size = Math.max(FIRST_BUFFER, t.buf.length * 2, t.len + n);
    const grown = Buffer.allocUnsafe(size);
    t.buf.copy(grown, 0, 0, t.len);
    this.capacity += size - t.buf.length;
    t.buf = grown;
    t.view = viewOf(grown);
  }

  /**
   * Over budget: write the fullest buffers until half the budget is free.
   * Few big writes free most bytes, and the many small buffers of a long
   * tail of categories wait (often until close): writing every file each
   * round would cost 30k open/write/close per round.
   */
  relieve(): void {
    const waiting = this.targets.filter((t) => t.len > 0).sort((a, b) => b.len - a.len);
    for (const t of waiting) {
      if (this.buffered <= this.options.maxBufferedBytes / 2) break;
      this.writeOne(t);
    }
  }

  /** Hands every buffer to the OS: one write per file with bytes waiting. */
  writeAll(): void {
    for (const t of this.targets) if (t.len > 0) this.writeOne(t);
    // Buffers keep their size between rounds; when they add up to more than
    // twice the budget (many files seen once), give them all back.
    if (this.capacity > 2 * this.options.maxBufferedBytes) {
      for (const t of this.targets) {
        t.buf = EMPTY;
        t.view = EMPTY_VIEW;
      }
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
      this.buffered -= off;
      t.dirty = true;
      throw asIoError(err, t.path);
    }
    this.bytesWritten += t.len;
    this.buffered -= t.len;
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
    t.fd = this.openAppend(t);
    // The first open creates the file: its name lives in the directory.
    if (!t.opened) this.dirsToSync.add(t.dir);
    t.opened = true;
    this.open.set(t, true);
  }

  /** Opens for appending; the directories are made only when missing (the common case after the first run is that they exist). */
  private openAppend(t: AppendTarget): number {
    try {
      if (!this.knownDirs.has(t.dir)) {
        try {
          return openSync(t.path, 'a', 0o644);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
          this.ensureDir(t.dir);
        }
      }
      return openSync(t.path, 'a', 0o644);
    } catch (err) {
      throw asIoError(err, t.path);
    }
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
