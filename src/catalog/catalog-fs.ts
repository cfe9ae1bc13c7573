// The few file operations the catalog loader needs, behind one small
// interface so tests run it on memfs (as LevelDB injects its Env). The Node
// implementation is the only one the pipeline itself uses.
import { closeSync, fstatSync, fsyncSync, openSync, readSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mkdirDurable, writeFileAtomicInBackground } from '../fs/atomic.js';

/** What identifies a version of a file for the cache: any edit changes one of them. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

export interface CatalogFs {
  /** Rejects with a Node-style error (`code: 'ENOENT'`, ...) when the file cannot be stat'ed. */
  stat(path: string): Promise<FileStamp>;
  /** Opens a file to read it from the start. */
  openRead(path: string): Promise<CatalogFile>;
  /** Opens a file to read at any position. */
  openAt(path: string): Promise<PositionalFile>;
  readFile(path: string): Promise<Buffer>;
  /** Creates the parent directory if needed and replaces `path` whole or not at all. */
  writeFileAtomic(path: string, parts: readonly Uint8Array[]): Promise<void>;
}

/** A file open for reading, front to back. */
export interface CatalogFile {
  /** Reads up to `length` bytes into buffer[offset..]; resolves to how many, 0 at the end of the file. */
  read(buffer: Buffer, offset: number, length: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * A file open for reads at any position. They are synchronous: a run reads
 * its catalog's products while it lays its lists out, a loop that cannot
 * wait, and from the page cache, where a read is a copy.
 */
export interface PositionalFile {
  /** Its descriptor, on the real file system: any thread of this process may read through it. */
  readonly fd?: number;
  /** Its size (its length), mtime and inode when opened. */
  readonly stamp: FileStamp;
  /** Reads up to `length` bytes at `position` into buffer[offset..]; how many, 0 at the end of the file. */
  readAt(buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Makes its bytes durable (fsync). */
  sync(): void;
  close(): void;
}

/** Reads into all of `buffer` from `position`, short only at the end of the file; how many bytes. */
export function readFully(file: Pick<PositionalFile, 'readAt'>, buffer: Uint8Array, position: number): number {
  let got = 0;
  while (got < buffer.length) {
    const n = file.readAt(buffer, got, buffer.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

export const nodeCatalogFs: CatalogFs = {
  async stat(path) {
    const s = await stat(path);
    return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  },
  async openRead(path) {
    const handle = await open(path, 'r');
    return {
      read: async (buffer, offset, length) => (await handle.read(buffer, offset, length, null)).bytesRead,
      close: () => handle.close(),
    };
  },
  async openAt(path) {
    const fd = openSync(path, 'r');
    let stamp: FileStamp;
    try {
      const s = fstatSync(fd);
      stamp = { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return {
      fd,
      stamp,
      readAt: (buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
      sync: () => fsyncSync(fd),
      close: () => closeSync(fd),
    };
  },
  readFile: (path) => readFile(path),
  async writeFileAtomic(path, parts) {
    mkdirDurable(dirname(path));
    // Not fsynced: the cache is derived, and a torn or empty cache fails its
    // checksum on the next load and is rebuilt from the CSVs. Written from
    // the thread pool: this thread has a run to go on with.
    await writeFileAtomicInBackground(path, parts);
  },
};
