// Reading raw log files as the map jobs do: listing a directory with the
// checks that logs only grow (same inode, no shrinking, no file vanishing,
// the bytes already read still there), reading a byte range in chunks of
// complete lines, and keeping bad lines with their file, line and reason.
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dataError } from '../errors.js';
import { isLogFileName } from '../layout.js';
import { Fault, type FaultCode, faultKey } from './line-codec.js';
import type { BadLine, FileState } from './log-state.js';
import { Rec, lineKernel } from './line-kernel.js';
import { type LineVisitor, scanLines } from './line-scanner.js';

/** Bad lines kept per directory and run; the rest are only counted (the raw log keeps them). */
export const MAX_BAD_KEPT = 10_000;
const QUARANTINE_TEXT_BYTES = 512;
/**
 * Bytes read at a time, into each thread's line kernel. Half a peak hour
 * read alone took 26-30 ms of system time in 1 MB chunks, 35-80 ms in 8 MB
 * ones; read and counted, 2-8 MB chunks made no difference through the
 * noise, and 256-512 KB ones were slower.
 */
const CHUNK = 1 << 20;

export interface Seen {
  name: string;
  ino: number;
  size: number;
  prev: FileState | undefined;
}

/** Where bad lines are tallied: a directory's scan, or one range of a file. */
export interface BadSink {
  badLines: number;
  badByReason: Record<string, number>;
  bad: BadLine[];
}

export type OffsetVisitor = LineVisitor & { base: number };

/** What listFiles found: the log files, and the directory's mtime when it may be trusted next time. */
export interface Listing {
  seen: Seen[];
  mtimeMs?: number;
}

/**
 * How much older than the listing a directory's mtime must be for a later
 * run to trust it: a file system stamps times from a coarse clock, so a file
 * added in the same tick as the last one could leave the mtime as it was.
 */
const DIR_MTIME_MARGIN_MS = 2000;

/**
 * The log files of a directory, checked against what was read before. A
 * directory whose mtime is the one recorded (prevMtimeMs) has gained and lost
 * no file: its files are the ones known, and it is not listed again (an
 * hourly run looks at 60k category days, most of which only grew or did not
 * change). Every file is still stat'ed, since appends leave the directory alone.
 */
export function listFiles(abs: string, rel: string, prev: Record<string, FileState>, prevMtimeMs?: number): Listing {
  const dir = statSync(abs, { throwIfNoEntry: false });
  let names: string[];
  let mtimeMs: number | undefined;
  if (!dir) names = [];
  else if (prevMtimeMs !== undefined && dir.mtimeMs === prevMtimeMs) {
    names = Object.keys(prev).sort();
    mtimeMs = prevMtimeMs;
  } else {
    names = readdirSync(abs).filter(isLogFileName).sort();
    if (Date.now() - dir.mtimeMs > DIR_MTIME_MARGIN_MS) mtimeMs = dir.mtimeMs;
  }
  const seen: Seen[] = names.map((name) => {
    const st = statSync(`${abs}/${name}`); // not path.join: see scanDir
    const p = prev[name];
    if (p && st.ino !== p.ino) {
      throw dataError(`log was replaced (inode ${p.ino} → ${st.ino}); logs are append-only`, {
        path: join(rel, name),
        hint: 'if it was restored from a backup on purpose, rebuild its hours with `rank-pipeline rerun --from … --to …`',
      });
    }
    if (p && st.size < p.size) {
      throw dataError(`log shrank from ${p.size} to ${st.size} bytes; logs are append-only`, {
        path: join(rel, name),
        hint: 'find out what truncated it; after restoring it, rebuild its hours with `rank-pipeline rerun --from … --to …`',
      });
    }
    return { name, ino: st.ino, size: st.size, prev: p };
  });
  const listed = new Set(names);
  for (const name of Object.keys(prev)) {
    if (!listed.has(name)) {
      throw dataError('log disappeared; logs are append-only', {
        path: join(rel, name),
        hint: 'restore it, or rebuild its hours with `rank-pipeline rerun --from … --to …`',
      });
    }
  }
  return { seen, mtimeMs };
}

export function recordBad(out: BadSink, file: string, line: number, offset: number, fault: FaultCode, text: string): void {
  out.badLines++;
  const reason = faultKey(fault);
  out.badByReason[reason] = (out.badByReason[reason] ?? 0) + 1;
  if (out.bad.length < MAX_BAD_KEPT) out.bad.push({ file, line, offset, reason, text } satisfies BadLine);
}

/**
 * Quarantines a batch of valid lines (LineVisitor.valid) stamped outside
 * their directory's span, skipping those that start before `from` (a file
 * offset; lines an earlier run read and quarantined already).
 */
export function recordMisfiled(out: BadSink, file: string, lines: Int32Array, n: number, buf: Uint8Array, base: number, firstLineNo: number, from = 0): void {
  for (let k = 0; k < n; k++) {
    const s = lines[k * Rec.size + Rec.start];
    if (base + s >= from) recordBad(out, file, firstLineNo + k, base + s, Fault.misfiled, text(buf, s, buf.indexOf(10, s)));
  }
}

export const text = (buf: Uint8Array, start: number, end: number) =>
  Buffer.from(buf.buffer, buf.byteOffset + start, Math.min(end, start + QUARANTINE_TEXT_BYTES) - start).toString('utf8');

const FINGERPRINT_BYTES = 32;

/** Hex of the bytes just before `end`: the fingerprint a later run checks. */
export function readTail(path: string, end: number): string {
  return withFd(path, (fd) => tailAt(fd, end));
}

/** readTail on an open file. */
export function tailAt(fd: number, end: number): string {
  const n = Math.min(end, FINGERPRINT_BYTES);
  const buf = Buffer.alloc(n);
  readSync(fd, buf, 0, n, end - n);
  return buf.toString('hex');
}

/** Runs fn on the file opened for reading, and closes it. */
export function withFd<T>(path: string, fn: (fd: number) => T): T {
  const fd = openSync(path, 'r');
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

export function tailText(path: string, from: number, to: number): string {
  const buf = Buffer.alloc(Math.min(to - from, QUARANTINE_TEXT_BYTES));
  withFd(path, (fd) => readSync(fd, buf, 0, buf.length, from));
  return buf.toString('utf8');
}

/**
 * Feeds the complete lines of file bytes [from, to) to the visitor in chunks,
 * growing the buffer for a line longer than a chunk. Returns the offset just
 * past the last newline and the line count reached.
 */
export function readRange(path: string, from: number, to: number, firstLineNo: number, visitor: OffsetVisitor) {
  return withFd(path, (fd) => readRangeAt(fd, from, to, firstLineNo, visitor));
}

/**
 * readRange on an open file. Reads into the line kernel's memory
 * (line-kernel.ts), a chunk at a time. Also returns the fingerprint of the
 * bytes consumed (tailAt's), when they were still in the buffer: a pread
 * fewer per file, and a map reads 30k category files a run.
 */
export function readRangeAt(fd: number, from: number, to: number, firstLineNo: number, visitor: OffsetVisitor) {
  const kernel = lineKernel();
  let size = Math.min(CHUNK, Math.max(to - from, 1));
  let buf = kernel.input(size);
  let pos = from; // file offset of buf[0]
  let filled = 0;
  let lineNo = firstLineNo;
  let tail: string | undefined;
  while (pos + filled < to) {
    // A line longer than the chunk (no valid line is): room for more of it, bytes kept.
    if (filled === size) buf = kernel.input((size *= 2));
    const n = readSync(fd, buf, filled, Math.min(size - filled, to - pos - filled), pos + filled);
    if (n === 0) break;
    filled += n;
    visitor.base = pos;
    const r = scanLines(buf, 0, filled, lineNo, visitor);
    if (r.consumed > 0) {
      const keep = Math.min(pos + r.consumed, FINGERPRINT_BYTES);
      tail = r.consumed >= keep ? Buffer.from(buf.buffer, buf.byteOffset + r.consumed - keep, keep).toString('hex') : undefined;
    }
    lineNo += r.lines;
    buf.copyWithin(0, r.consumed, filled);
    pos += r.consumed;
    filled -= r.consumed;
  }
  return { consumed: pos, lines: lineNo - 1, tail: pos > from ? tail : undefined };
}

/**
 * Cuts [from, size) of a file into about `parts` ranges that start at line
 * starts, for counting in parallel: each cut moves forward to just past the
 * next newline. Returns the boundaries, from first to size.
 */
export function alignRanges(path: string, from: number, size: number, parts: number): number[] {
  const cuts = [from];
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64 << 10);
    for (let i = 1; i < parts; i++) {
      let at = Math.max(cuts[cuts.length - 1], from + Math.floor(((size - from) * i) / parts));
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, at);
        if (n === 0) return [...cuts, size];
        const nl = buf.subarray(0, n).indexOf(10);
        if (nl >= 0) {
          at += nl + 1;
          break;
        }
        at += n;
      }
      if (at >= size) break;
      if (at > cuts[cuts.length - 1]) cuts.push(at);
    }
  } finally {
    closeSync(fd);
  }
  return [...cuts, size];
}
