// The pure core of every map job: complete lines in a byte range → a visitor.
// It never throws on input and never allocates per line; the caller owns the
// bytes and hands over a range that may end mid-line (the unconsumed
// remainder is returned, as fast-csv's parser does with `hasMoreData`).
import { Fault, type FaultCode, type LineFields, MAX_LINE_SPAN, newLineFields, parseLine, parseLogLine, refineFault } from './line-codec.js';

export interface LineVisitor {
  /** A valid line. `start` is its index in `buf`; `lineNo` 1-based within the file. */
  valid(fields: LineFields, buf: Uint8Array, start: number, lineNo: number): void;
  /** An invalid line, with its refined fault. */
  invalid(fault: FaultCode, buf: Uint8Array, start: number, end: number, lineNo: number): void;
}

export interface ScanProgress {
  /** Index in buf just past the last '\n' consumed (== from when no whole line). */
  consumed: number;
  /** Whole lines consumed. */
  lines: number;
}

const NL = 10;

/**
 * Visits every complete line of buf[from..to). Lines are numbered from
 * firstLineNo. Bytes after the last newline are left unconsumed.
 */
export function scanLines(buf: Uint8Array, from: number, to: number, firstLineNo: number, visitor: LineVisitor): ScanProgress {
  const fields = newLineFields();
  let start = from;
  let lineNo = firstLineNo;
  // Lines starting here have all their bytes in the range, however long: the fast path may run.
  const fastUntil = to - MAX_LINE_SPAN;
  for (;;) {
    let nl = start <= fastUntil ? parseLogLine(buf, start, fields) : -1;
    if (nl >= 0) {
      visitor.valid(fields, buf, start, lineNo);
    } else {
      nl = buf.indexOf(NL, start);
      if (nl < 0 || nl >= to) break;
      const fault = parseLine(buf, start, nl, fields);
      if (fault === Fault.ok) visitor.valid(fields, buf, start, lineNo);
      else visitor.invalid(refineFault(buf, start, nl, fault), buf, start, nl, lineNo);
    }
    start = nl + 1;
    lineNo++;
  }
  return { consumed: start, lines: lineNo - firstLineNo };
}
