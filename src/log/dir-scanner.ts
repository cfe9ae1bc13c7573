// The map step for one log directory (a global hour, or a category's day):
// read what is new in each file by byte offset, quarantine bad lines once,
// and recount in full every hour that is due and has new lines (or has just
// become due), so eventId dedupe is exact without keeping ids between runs.
// Phase 1 reads only new bytes; phase 2 re-reads older bytes only for hours
// that already had lines before (a late line, an hour that was in progress).
import { dataError } from '../errors.js';
import { HourAccumulator } from './hour-accumulator.js';
import { Fault, type FaultCode } from './line-codec.js';
import type { DirScan, DirState, FileState, HourCounts, LogDir } from './log-state.js';
import { Rec } from './line-kernel.js';
import { type OffsetVisitor, listFiles, readRange, readRangeAt, recordBad, recordMisfiled, tailAt, tailText, text, withFd } from './log-files.js';

export interface ScanOptions {
  dataDir: string;
  /** The run's end: hours >= end are not due. */
  end: number;
}

export function scanDir(d: LogDir, prevState: DirState | undefined, opts: ScanOptions): DirScan {
  // Paths are joined by hand: path.join's normalizing was a tenth of the
  // map's JavaScript time, at 30k directories and 60k files a run.
  const abs = `${opts.dataDir}/${d.dir}`;
  const prevFiles = prevState?.files ?? {};
  const { seen, mtimeMs } = listFiles(abs, d.dir, prevFiles, prevState?.mtimeMs);
  const doneEnd = prevState?.doneEnd ?? -Infinity;
  const becameDue = new Set<number>();
  for (const f of seen) for (const h of Object.keys(f.prev?.first ?? {})) if (+h >= doneEnd && +h < opts.end) becameDue.add(+h);
  const grew = seen.some((f) => !f.prev || f.size !== f.prev.size);
  const dirComplete = d.spanEnd <= opts.end;
  const tornToQuarantine = dirComplete && seen.some((f) => f.prev && f.size === f.prev.size && f.prev.consumed < f.size);
  const result: DirScan = { dir: d.dir, group: d.group, changed: false, state: prevState ?? { doneEnd: opts.end, files: {} }, hours: [], newLines: 0, badLines: 0, badByReason: {}, bad: [] };
  if (!grew && becameDue.size === 0 && !tornToQuarantine) {
    // Nothing to count; a directory whose mtime became trustworthy is recorded as such.
    if (prevState && mtimeMs !== undefined && mtimeMs !== prevState.mtimeMs) return { ...result, changed: true, state: { ...prevState, mtimeMs } };
    return result;
  }

  // Phase 1: new bytes of every file.
  const acc = new HourAccumulator();
  const files: Record<string, FileState> = {};
  const before = new Map<string, FileState>();
  for (const f of seen) {
    const old = f.prev ?? { ino: f.ino, size: 0, consumed: 0, lines: 0, first: {} };
    before.set(f.name, old);
    if (f.size === old.consumed) {
      files[f.name] = old; // nothing new (same inode and size, listFiles)
      continue;
    }
    const st: FileState = { ino: f.ino, size: f.size, consumed: old.consumed, lines: old.lines, first: { ...old.first } };
    files[f.name] = st;
    const path = `${abs}/${f.name}`;
    const rel = `${d.dir}/${f.name}`;
    // One open per file: the fingerprint of what was read, the new bytes, the new fingerprint (read with them, mostly).
    withFd(path, (fd) => {
      if (old.tail !== undefined && tailAt(fd, old.consumed) !== old.tail) {
        throw dataError('log was replaced: the bytes already counted are no longer there; logs are append-only', {
          path: rel,
          hint: 'if it was restored from a backup on purpose, rebuild its hours with `rank-pipeline rerun --from … --to …`',
        });
      }
      const visitor = phaseOneVisitor(d, rel, st, acc, result);
      const read = readRangeAt(fd, old.consumed, f.size, old.lines + 1, visitor);
      st.consumed = read.consumed;
      st.lines = read.lines;
      if (st.consumed < f.size && dirComplete && old.size === f.size) {
        // The writer left a torn last line and has stopped: quarantine it once.
        // It is a line read for the first time, like any other bad line: count
        // it, or the bad-line budget sees 1 bad of 0 new lines.
        result.newLines++;
        recordBad(result, rel, st.lines + 1, st.consumed, Fault.torn, tailText(path, st.consumed, f.size));
        st.consumed = f.size;
        st.lines++;
      }
      st.tail = st.consumed === read.consumed && read.tail !== undefined ? read.tail : st.consumed > 0 ? tailAt(fd, st.consumed) : undefined;
    });
  }

  // Phase 2: which due hours to recount, and whether new bytes hold all their lines.
  const stale = new Set<number>(becameDue);
  for (const h of acc.hours()) if (h < opts.end) stale.add(h);
  // A settled directory forgot where its hours begin: any hour with old lines is read from byte 0.
  const settled = prevState?.settled === true;
  const reread = new Set<number>();
  for (const h of stale) {
    for (const f of seen) {
      const old = before.get(f.name)!;
      const first = settled && old.consumed > 0 ? 0 : old.first[h];
      if (first !== undefined && first < old.consumed) reread.add(h);
    }
  }
  const recount = reread.size > 0 ? new HourAccumulator({ only: reread }) : undefined;
  if (recount) {
    for (const f of seen) {
      const st = files[f.name];
      let from = settled ? 0 : Infinity;
      for (const h of reread) if (st.first[h] !== undefined) from = Math.min(from, st.first[h]);
      if (from < st.consumed) readRange(`${abs}/${f.name}`, from, st.consumed, 0, countOnly(recount));
    }
  }
  for (const h of [...stale].sort((a, b) => a - b)) {
    const r = (reread.has(h) ? recount! : acc).result(h);
    const counts: HourCounts = r
      ? { hour: h, ids: r.block.ids, sales: r.block.sales, lines: r.lines }
      : { hour: h, ids: new Uint32Array(0), sales: new Int32Array(0), lines: 0 };
    result.hours.push(counts);
  }
  result.changed = true;
  result.state = { doneEnd: Math.max(opts.end, prevState?.doneEnd ?? opts.end), ...(mtimeMs !== undefined ? { mtimeMs } : {}), files };
  return result;
}

function phaseOneVisitor(d: LogDir, rel: string, st: FileState, acc: HourAccumulator, out: DirScan): OffsetVisitor {
  let knownHour = -1; // the last hour seen to have its first offset recorded
  const v = {
    base: 0, // file offset of buf[0], set by readRange
    valid(lines: Int32Array, n: number, hour: number, buf: Uint8Array, firstLineNo: number) {
      out.newLines += n;
      if (hour < d.spanStart || hour >= d.spanEnd) {
        recordMisfiled(out, rel, lines, n, buf, v.base, firstLineNo);
        return;
      }
      if (hour !== knownHour) {
        const key = String(hour);
        if (st.first[key] === undefined) st.first[key] = v.base + lines[Rec.start];
        knownHour = hour;
      }
      acc.addLines(hour, lines, n, buf);
    },
    invalid(fault: FaultCode, buf: Uint8Array, start: number, end: number, lineNo: number) {
      out.newLines++;
      recordBad(out, rel, lineNo, v.base + start, fault, text(buf, start, end));
    },
  };
  return v;
}

function countOnly(acc: HourAccumulator): OffsetVisitor {
  return { base: 0, valid: (lines, n, hour, buf) => acc.addLines(hour, lines, n, buf), invalid: () => undefined };
}

