// The map step for one log directory (a global hour, or a category's day):
// read what is new in each file by byte offset, quarantine bad lines once,
// and recount in full every hour that is due and has new lines (or has just
// become due), so eventId dedupe is exact without keeping ids between runs.
// Phase 1 reads only new bytes; phase 2 re-reads older bytes only for hours
// that already had lines before (a late line, an hour that was in progress).
import { closeSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { dataError } from '../errors.js';
import { isLogFileName } from '../layout.js';
import { HourAccumulator } from './hour-accumulator.js';
import { Fault, type FaultCode, faultKey } from './line-codec.js';
import type { BadLine, DirScan, DirState, FileState, HourCounts, LogDir } from './log-state.js';
import { type LineVisitor, scanLines } from './line-scanner.js';

/** Bad lines kept per directory and run; the rest are only counted (the raw log keeps them). */
export const MAX_BAD_KEPT = 10_000;
const QUARANTINE_TEXT_BYTES = 512;
const CHUNK = 8 << 20;

export interface ScanOptions {
  dataDir: string;
  /** The run's end: hours >= end are not due. */
  end: number;
}

interface Seen {
  name: string;
  ino: number;
  size: number;
  prev: FileState | undefined;
}

export function scanDir(d: LogDir, prevState: DirState | undefined, opts: ScanOptions): DirScan {
  const abs = join(opts.dataDir, d.dir);
  const prevFiles = prevState?.files ?? {};
  const seen = listFiles(abs, d.dir, prevFiles);
  const doneEnd = prevState?.doneEnd ?? -Infinity;
  const becameDue = new Set<number>();
  for (const f of seen) for (const h of Object.keys(f.prev?.first ?? {})) if (+h >= doneEnd && +h < opts.end) becameDue.add(+h);
  const grew = seen.some((f) => !f.prev || f.size !== f.prev.size);
  const dirComplete = d.spanEnd <= opts.end;
  const tornToQuarantine = dirComplete && seen.some((f) => f.prev && f.size === f.prev.size && f.prev.consumed < f.size);
  const result: DirScan = { dir: d.dir, group: d.group, changed: false, state: prevState ?? { doneEnd: opts.end, files: {} }, hours: [], newLines: 0, badLines: 0, badByReason: {}, bad: [] };
  if (!grew && becameDue.size === 0 && !tornToQuarantine) return result;

  // Phase 1: new bytes of every file.
  const acc = new HourAccumulator();
  const files: Record<string, FileState> = {};
  const before = new Map<string, FileState>();
  for (const f of seen) {
    const old = f.prev ?? { ino: f.ino, size: 0, consumed: 0, lines: 0, first: {} };
    before.set(f.name, old);
    const st: FileState = { ino: f.ino, size: f.size, consumed: old.consumed, lines: old.lines, first: { ...old.first } };
    files[f.name] = st;
    if (f.size === old.consumed) continue;
    const rel = join(d.dir, f.name);
    if (old.tail !== undefined && readTail(join(abs, f.name), old.consumed) !== old.tail) {
      throw dataError('log was replaced: the bytes already counted are no longer there; logs are append-only', {
        path: rel,
        hint: 'if it was restored from a backup on purpose, rebuild its hours with `rank-pipeline rerun --from … --to …`',
      });
    }
    const visitor = phaseOneVisitor(d, rel, st, acc, result);
    const read = readRange(join(abs, f.name), old.consumed, f.size, old.lines + 1, visitor);
    st.consumed = read.consumed;
    st.lines = read.lines;
    if (st.consumed < f.size && dirComplete && old.size === f.size) {
      // The writer left a torn last line and has stopped: quarantine it once.
      recordBad(result, rel, st.lines + 1, st.consumed, Fault.torn, tailText(join(abs, f.name), st.consumed, f.size));
      st.consumed = f.size;
      st.lines++;
    }
  }

  // Phase 2: which due hours to recount, and whether new bytes hold all their lines.
  const stale = new Set<number>(becameDue);
  for (const h of acc.hours()) if (h < opts.end) stale.add(h);
  const reread = new Set<number>();
  for (const h of stale) {
    for (const f of seen) {
      const old = before.get(f.name)!;
      const first = old.first[h];
      if (first !== undefined && first < old.consumed) reread.add(h);
    }
  }
  const recount = reread.size > 0 ? new HourAccumulator(reread) : undefined;
  if (recount) {
    for (const f of seen) {
      const st = files[f.name];
      let from = Infinity;
      for (const h of reread) if (st.first[h] !== undefined) from = Math.min(from, st.first[h]);
      if (from < st.consumed) readRange(join(abs, f.name), from, st.consumed, 0, countOnly(recount));
    }
  }
  for (const h of [...stale].sort((a, b) => a - b)) {
    const r = (reread.has(h) ? recount! : acc).result(h);
    const counts: HourCounts = r
      ? { hour: h, ids: r.block.ids, sales: r.block.sales, lines: r.lines }
      : { hour: h, ids: new Uint32Array(0), sales: new Int32Array(0), lines: 0 };
    result.hours.push(counts);
  }
  for (const f of seen) files[f.name].tail = files[f.name].consumed > 0 ? readTail(join(abs, f.name), files[f.name].consumed) : undefined;
  result.changed = true;
  result.state = { doneEnd: Math.max(opts.end, prevState?.doneEnd ?? opts.end), files };
  return result;
}

function listFiles(abs: string, rel: string, prev: Record<string, FileState>): Seen[] {
  let names: string[];
  try {
    names = readdirSync(abs).filter(isLogFileName).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    names = [];
  }
  const seen: Seen[] = names.map((name) => {
    const st = statSync(join(abs, name));
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
  return seen;
}

function phaseOneVisitor(d: LogDir, rel: string, st: FileState, acc: HourAccumulator, out: DirScan): LineVisitor & { base: number } {
  let knownHour = -1; // the last hour seen to have its first offset recorded
  const v = {
    base: 0, // file offset of buf[0], set by readRange
    valid(fields: Parameters<LineVisitor['valid']>[0], buf: Uint8Array, start: number, lineNo: number) {
      out.newLines++;
      if (fields.hour < d.spanStart || fields.hour >= d.spanEnd) {
        recordBad(out, rel, lineNo, v.base + start, Fault.misfiled, text(buf, start, buf.indexOf(10, start)));
        return;
      }
      if (fields.hour !== knownHour) {
        const key = String(fields.hour);
        if (st.first[key] === undefined) st.first[key] = v.base + start;
        knownHour = fields.hour;
      }
      acc.add(fields, buf);
    },
    invalid(fault: FaultCode, buf: Uint8Array, start: number, end: number, lineNo: number) {
      out.newLines++;
      recordBad(out, rel, lineNo, v.base + start, fault, text(buf, start, end));
    },
  };
  return v;
}

function countOnly(acc: HourAccumulator): LineVisitor & { base: number } {
  return { base: 0, valid: (fields, buf) => acc.add(fields, buf), invalid: () => undefined };
}

function recordBad(out: DirScan, file: string, line: number, offset: number, fault: FaultCode, text: string): void {
  out.badLines++;
  const reason = faultKey(fault);
  out.badByReason[reason] = (out.badByReason[reason] ?? 0) + 1;
  if (out.bad.length < MAX_BAD_KEPT) out.bad.push({ file, line, offset, reason, text } satisfies BadLine);
}

const text = (buf: Uint8Array, start: number, end: number) =>
  Buffer.from(buf.buffer, buf.byteOffset + start, Math.min(end, start + QUARANTINE_TEXT_BYTES) - start).toString('utf8');

const FINGERPRINT_BYTES = 32;

/** Hex of the bytes just before `end`: the fingerprint a later run checks. */
function readTail(path: string, end: number): string {
  const n = Math.min(end, FINGERPRINT_BYTES);
  const buf = Buffer.alloc(n);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, n, end - n);
  } finally {
    closeSync(fd);
  }
  return buf.toString('hex');
}

function tailText(path: string, from: number, to: number): string {
  const buf = Buffer.alloc(Math.min(to - from, QUARANTINE_TEXT_BYTES));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, buf.length, from);
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

/**
 * Feeds the complete lines of file bytes [from, to) to the visitor in chunks,
 * growing the buffer for a line longer than a chunk. Returns the offset just
 * past the last newline and the line count reached.
 */
function readRange(path: string, from: number, to: number, firstLineNo: number, visitor: LineVisitor & { base: number }) {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(to - from, 1)));
    let pos = from; // file offset of buf[0]
    let filled = 0;
    let lineNo = firstLineNo;
    while (pos + filled < to) {
      if (filled === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const n = readSync(fd, buf, filled, Math.min(buf.length - filled, to - pos - filled), pos + filled);
      if (n === 0) break;
      filled += n;
      visitor.base = pos;
      const r = scanLines(buf, 0, filled, lineNo, visitor);
      lineNo += r.lines;
      buf.copy(buf, 0, r.consumed, filled);
      pos += r.consumed;
      filled -= r.consumed;
    }
    return { consumed: pos, lines: lineNo - 1 };
  } finally {
    closeSync(fd);
  }
}
