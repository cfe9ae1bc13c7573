// Merging the ranges of a directory counted in parallel (range-scanner.ts)
// into one directory scan, as if one worker had read it all: line numbers
// shifted by the lines of earlier ranges, first offsets joined, counts
// summed, and every eventId seen in more than one range counted once (its
// later copies subtracted). The directory is recounted from byte 0, so
// every due hour it holds comes out complete.
import { type Block, CountTable, sumBlocks } from '../counts/count-table.js';
import { EventSet } from './event-set.js';
import type { CountedEvents } from './hour-accumulator.js';
import { Fault } from './line-codec.js';
import { MAX_BAD_KEPT, type Seen, readTail, recordBad, tailText } from './log-files.js';
import type { DirScan, FileState, LogDir } from './log-state.js';
import type { RangeScan } from './range-scanner.js';
import { join } from 'node:path';

interface HourParts {
  blocks: Block[];
  lines: number;
  events: CountedEvents[];
}

export function mergeRanges(d: LogDir, seen: readonly Seen[], scans: ReadonlyMap<string, RangeScan[]>, opts: { dataDir: string; end: number }): DirScan {
  const out: DirScan = { dir: d.dir, group: d.group, changed: true, state: { doneEnd: opts.end, files: {} }, hours: [], newLines: 0, badLines: 0, badByReason: {}, bad: [] };
  const hours = new Map<number, HourParts>();
  const dirComplete = d.spanEnd <= opts.end;
  for (const f of seen) {
    const ranges = [...(scans.get(f.name) ?? [])].sort((a, b) => a.from - b.from);
    const rel = join(d.dir, f.name);
    let lines = 0;
    let consumed = 0;
    const first: Record<string, number> = {};
    for (const r of ranges) {
      for (const b of r.bad) if (out.bad.length < MAX_BAD_KEPT) out.bad.push({ ...b, line: b.line + lines });
      out.badLines += r.badLines;
      for (const [k, v] of Object.entries(r.badByReason)) out.badByReason[k] = (out.badByReason[k] ?? 0) + v;
      out.newLines += r.newLines;
      lines += r.lines;
      consumed = r.parsedEnd;
      for (const [h, at] of Object.entries(r.first)) first[h] ??= at;
      for (const h of r.hours) {
        let p = hours.get(h.hour);
        if (!p) hours.set(h.hour, (p = { blocks: [], lines: 0, events: [] }));
        p.blocks.push({ ids: h.ids, sales: h.sales });
        p.lines += h.lines;
        if (h.events) p.events.push(h.events);
      }
    }
    const st: FileState = { ino: f.ino, size: f.size, consumed, lines, first };
    if (consumed < f.size && dirComplete && f.prev?.size === f.size) {
      // The writer left a torn last line and has stopped: quarantine it once.
      recordBad(out, rel, lines + 1, consumed, Fault.torn, tailText(join(opts.dataDir, rel), consumed, f.size));
      st.consumed = f.size;
      st.lines++;
    }
    st.tail = st.consumed > 0 ? readTail(join(opts.dataDir, rel), st.consumed) : undefined;
    out.state.files[f.name] = st;
  }
  for (const hour of [...hours.keys()].sort((a, b) => a - b)) {
    if (hour >= opts.end) continue;
    const p = hours.get(hour)!;
    const { correction, duplicates } = dedupeAcross(p.events);
    const block = sumBlocks([...p.blocks, correction]);
    out.hours.push({ hour, ids: block.ids, sales: block.sales, lines: p.lines - duplicates });
  }
  return out;
}

/** Later copies of eventIds already counted by an earlier range, as a negative correction. */
function dedupeAcross(lists: readonly CountedEvents[]): { correction: Block; duplicates: number } {
  const table = new CountTable();
  if (lists.length < 2) return { correction: table.toBlock(), duplicates: 0 };
  const seen = new EventSet();
  let duplicates = 0;
  for (const e of lists) {
    for (let k = 0; k < e.hashes.length; k++) {
      if (!seen.add(e.arena, e.starts[k], e.starts[k] + e.lens[k], e.hashes[k])) {
        table.add(e.productIds[k], -e.quantities[k]);
        duplicates++;
      }
    }
  }
  return { correction: table.toBlock(), duplicates };
}
