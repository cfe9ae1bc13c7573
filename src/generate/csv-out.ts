// A large CSV written in one go and published whole: rows are buffered into
// 1 MiB writes to a temp file in the target's directory, which is fsynced and
// renamed over the target on commit (atomic.ts's discipline, streamed: the
// 10M-row products.csv is ~450 MB and should not sit in memory first).
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { asIoError } from '../errors.js';
import { fsyncDir } from '../fs/atomic.js';

const FLUSH_AT = 1 << 20;

/** One CSV cell: quoted only when it holds a comma, a quote or a line break (RFC 4180). */
export const csvCell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

export class CsvOut {
  private readonly tmp: string;
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(FLUSH_AT + 64 * 1024);
  private len = 0;
  /** Bytes written so far. */
  bytes = 0;

  constructor(
    readonly path: string,
    header: string,
  ) {
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.fd = openSync(this.tmp, 'w', 0o644);
    } catch (err) {
      throw asIoError(err, path);
    }
    this.row(header);
  }

  /** Appends one row; `line` is already CSV (cells through csvCell) without its newline. */
  row(line: string): void {
    // A row longer than the slack is flushed around, not truncated.
    if (this.len + line.length * 3 + 1 > this.buf.length) this.writeOut();
    if (line.length * 3 + 1 > this.buf.length) {
      this.writeBytes(Buffer.from(`${line}\n`, 'utf8'));
      return;
    }
    this.len += this.buf.write(line, this.len, 'utf8');
    this.buf[this.len++] = 10;
    if (this.len >= FLUSH_AT) this.writeOut();
  }

  private writeOut(): void {
    this.writeBytes(this.buf.subarray(0, this.len));
    this.len = 0;
  }

  private writeBytes(data: Uint8Array): void {
    try {
      for (let off = 0; off < data.length; ) off += writeSync(this.fd, data, off, data.length - off);
    } catch (err) {
      this.abort();
      throw asIoError(err, this.path);
    }
    this.bytes += data.length;
  }

  /** Makes the file durable and puts it in place. */
  commit(): void {
    this.writeOut();
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      renameSync(this.tmp, this.path);
      fsyncDir(dirname(this.path));
    } catch (err) {
      rmSync(this.tmp, { force: true });
      throw asIoError(err, this.path);
    }
  }

  /** Drops the temp file; the target is untouched. */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed by a failed commit
    }
    rmSync(this.tmp, { force: true });
  }
}
