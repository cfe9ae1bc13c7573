// One byte range of one big log file, counted on its own so that several
// workers share a peak hour (a single 350 MB file) instead of one worker
// reading it alone. A range counts the lines that start inside it; the
// eventIds it counted travel back with what each counted, so that merging
// the ranges (merge-ranges.ts) keeps "an eventId counts once per hour" exact.
import { join } from 'node:path';
import { type CountedEvents, HourAccumulator } from './hour-accumulator.js';
import { type FaultCode, MIN_LINE_SPAN } from './line-codec.js';
import { Rec } from './line-kernel.js';
import { type BadSink, readRange, recordBad, recordMisfiled, text } from './log-files.js';
import type { BadLine, LogDir } from './log-state.js';

export interface RangeTask {
  dataDir: string;
  dir: LogDir;
  file: string;
  /** Byte range, cut at line starts (alignRanges); the last range may end in a torn line. */
  from: number;
  to: number;
  /** Lines before this offset were read by an earlier run: counted again, not quarantined again. */
  quarantineFrom: number;
}

export interface RangeScan extends BadSink {
  file: string;
  from: number;
  /** Offset just past the last complete line of the range. */
  parsedEnd: number;
  /** Complete lines in the range, for line numbers. */
  lines: number;
  /** Lines at or after quarantineFrom (the run's new lines). */
  newLines: number;
  /** Bad lines carry line numbers relative to the range's first line (1-based). */
  bad: BadLine[];
  hours: Array<{ hour: number; ids: Uint32Array; sales: Int32Array; lines: number; events?: CountedEvents }>;
  /** Hour → offset of its first line in the range. */
  first: Record<string, number>;
}

export function scanRange(task: RangeTask): RangeScan {
  const { dir: d } = task;
  const path = join(task.dataDir, d.dir, task.file);
  const rel = join(d.dir, task.file);
  const acc = new HourAccumulator({ keepEvents: true, linesAtMost: Math.ceil((task.to - task.from) / MIN_LINE_SPAN) });
  const out: RangeScan = { file: task.file, from: task.from, parsedEnd: task.from, lines: 0, newLines: 0, badLines: 0, badByReason: {}, bad: [], hours: [], first: {} };
  let knownHour = -1;
  const visitor = {
    base: 0,
    valid(lines: Int32Array, n: number, hour: number, buf: Uint8Array, firstLineNo: number) {
      const base = visitor.base;
      const firstAt = base + lines[Rec.start];
      out.lines = firstLineNo + n - 1;
      // Lines before quarantineFrom were read by an earlier run: not new, not quarantined again.
      if (firstAt >= task.quarantineFrom) out.newLines += n;
      else for (let k = 0; k < n; k++) if (base + lines[k * Rec.size + Rec.start] >= task.quarantineFrom) out.newLines++;
      if (hour < d.spanStart || hour >= d.spanEnd) {
        recordMisfiled(out, rel, lines, n, buf, base, firstLineNo, task.quarantineFrom);
        return;
      }
      if (hour !== knownHour) {
        out.first[hour] ??= firstAt;
        knownHour = hour;
      }
      acc.addLines(hour, lines, n, buf);
    },
    invalid(fault: FaultCode, buf: Uint8Array, s: number, e: number, lineNo: number) {
      const at = visitor.base + s;
      out.lines = lineNo;
      if (at >= task.quarantineFrom) {
        out.newLines++;
        recordBad(out, rel, lineNo, at, fault, text(buf, s, e));
      }
    },
  };
  const read = readRange(path, task.from, task.to, 1, visitor);
  out.parsedEnd = read.consumed;
  for (const hour of acc.hours()) {
    const r = acc.result(hour)!;
    out.hours.push({ hour, ids: r.block.ids, sales: r.block.sales, lines: r.lines, events: acc.events(hour) });
  }
  return out;
}
