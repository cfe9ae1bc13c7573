// The few file operations the catalog loader needs, behind one small
// interface so tests run it on memfs (as LevelDB injects its Env). The Node
// implementation is the only one the pipeline itself uses.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { mkdirDurable, writeFileAtomic } from '../fs/atomic.js';

/** What identifies a version of a file for the cache: any edit changes one of them. */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

export interface CatalogFs {
  /** Rejects with a Node-style error (`code: 'ENOENT'`, ...) when the file cannot be stat'ed. */
  stat(path: string): Promise<FileStamp>;
  /** A byte stream of the whole file. */
  openRead(path: string): Readable;
  readFile(path: string): Promise<Buffer>;
  /** Creates the parent directory if needed and replaces `path` whole or not at all. */
  writeFileAtomic(path: string, parts: readonly Uint8Array[]): Promise<void>;
}

/** Big chunks: the plain-CSV fast path costs a little per chunk, and 10M lines make ~400 MB. */
const READ_CHUNK = 1 << 20;

export const nodeCatalogFs: CatalogFs = {
  async stat(path) {
    const s = await stat(path);
    return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  },
  openRead: (path) => createReadStream(path, { highWaterMark: READ_CHUNK }),
  readFile: (path) => readFile(path),
  async writeFileAtomic(path, parts) {
    mkdirDurable(dirname(path));
    // Not fsynced: the cache is derived, and a torn or empty cache fails its
    // checksum on the next load and is rebuilt from the CSVs.
    writeFileAtomic(path, parts, { durable: false });
  },
};
