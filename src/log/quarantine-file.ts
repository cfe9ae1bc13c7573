// The bad lines of one ingest run, kept under DATA/quarantine/ as CSV:
//   input,line,reason,message,raw
// so a person can see what was refused and why, fix it and ingest it again.
// The raw line is kept byte for byte (it may not be UTF-8), quoted, and cut
// at MAX_RAW_BYTES. The file is created on the first bad line only, under a
// name no other run uses, and is fsynced on close like the logs.
import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { asIoError } from '../errors.js';
import { fsyncDir } from '../fs/atomic.js';
import { ingestQuarantinePath, quarantineDir } from '../layout.js';
import { faultKey, faultText } from './line-codec.js';

export const QUARANTINE_HEADER = 'input,line,reason,message,raw\n';
export const MAX_RAW_BYTES = 4096;
const FLUSH_AT = 1 << 20;
const QUOTE = 34;

/** One CSV field: quoted, quotes doubled (RFC 4180). */
export const csvField = (text: string) => `"${text.replace(/"/g, '""')}"`;

export class QuarantineFile {
  private fd = -1;
  private path: string | undefined;
  private parts: Buffer[] = [];
  private size = 0;
  private readonly prefix: string;

  constructor(
    private readonly dataDir: string,
    private readonly nowMs: number,
    private readonly pid: number,
    inputName: string,
  ) {
    this.prefix = `${csvField(inputName)},`;
  }

  /** The file written, once there is one. */
  get file(): string | undefined {
    return this.path;
  }

  add(lineNo: number, fault: number, raw: Uint8Array, start: number, end: number): void {
    const cut = Math.min(end, start + MAX_RAW_BYTES);
    const head = Buffer.from(`${this.prefix}${lineNo},${faultKey(fault)},${csvField(faultText(fault))},"`, 'utf8');
    let quotes = 0;
    for (let i = start; i < cut; i++) if (raw[i] === QUOTE) quotes++;
    const body = Buffer.allocUnsafe(cut - start + quotes + 2);
    let o = 0;
    for (let i = start; i < cut; i++) {
      body[o++] = raw[i];
      if (raw[i] === QUOTE) body[o++] = QUOTE;
    }
    body[o++] = QUOTE;
    body[o++] = 10;
    this.parts.push(head, body);
    this.size += head.length + body.length;
    if (this.size >= FLUSH_AT) this.writeOut();
  }

  private writeOut(): void {
    if (this.fd < 0) this.create();
    const data = Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    try {
      let off = 0;
      while (off < data.length) off += writeSync(this.fd, data, off, data.length - off);
    } catch (err) {
      throw asIoError(err, this.path);
    }
  }

  private create(): void {
    const dir = quarantineDir(this.dataDir);
    for (let attempt = 0; ; attempt++) {
      const path = ingestQuarantinePath(this.dataDir, this.nowMs, this.pid, attempt);
      try {
        mkdirSync(dir, { recursive: true });
        this.fd = openSync(path, 'wx', 0o644);
        this.path = path;
        writeSync(this.fd, QUARANTINE_HEADER);
        return;
      } catch (err) {
        // Same second, same pid (a replayed --now): take the next name.
        if ((err as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 1000) continue;
        throw asIoError(err, path);
      }
    }
  }

  /** Writes what is buffered, fsyncs the file and its directory, closes it. */
  close(): void {
    if (this.size > 0) this.writeOut();
    if (this.fd < 0) return;
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
      fsyncDir(quarantineDir(this.dataDir));
    } catch (err) {
      throw asIoError(err, this.path);
    }
  }
}
