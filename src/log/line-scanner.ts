// The pure core of every map job: complete lines in a byte range → a visitor.
// It never throws on input and never allocates per line; the caller owns the
// bytes and hands over a range that may end mid-line (the unconsumed
// remainder is returned, as fast-csv's parser does with `hasMoreData`).
// Lines go through the WebAssembly kernel (line-kernel.ts) in batches; a
// line it does not take is parsed here by parseLine, which names the fault.
import { Fault, type FaultCode, MAX_LINE_SPAN, newLineFields, parseLine, refineFault } from './line-codec.js';
import { Rec, lineKernel } from './line-kernel.js';

export interface LineVisitor {
  /**
   * Valid lines, all stamped in one hour, numbered from firstLineNo: n
   * records of Rec.size i32s in `lines` (line-kernel.ts: the line's start
   * in buf, productId, quantity, and the eventId's range in buf and hash).
   * `lines` is reused once the call returns.
   */
  valid(lines: Int32Array, n: number, hour: number, buf: Uint8Array, firstLineNo: number): void;
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
/** The record of a valid line that parseLine read. */
const ONE = new Int32Array(Rec.size);

/**
 * Visits every complete line of buf[from..to). Lines are numbered from
 * firstLineNo. Bytes after the last newline are left unconsumed. The
 * visitor sees the bytes in the kernel's memory: buf itself when it came
 * from lineKernel().input (as readRange's does), else a copy at the same
 * indices.
 */
export function scanLines(buf: Uint8Array, from: number, to: number, firstLineNo: number, visitor: LineVisitor): ScanProgress {
  const kernel = lineKernel();
  if (!kernel.holds(buf)) {
    const copy = kernel.input(to);
    copy.set(buf.subarray(from, to), from);
    buf = copy;
  }
  const fields = newLineFields();
  let start = from;
  let lineNo = firstLineNo;
  // Lines starting here have all their bytes in the range, however long: the kernel may take them.
  const fastUntil = to - MAX_LINE_SPAN;
  for (;;) {
    if (start <= fastUntil) {
      const n = kernel.scan(start, fastUntil);
      if (n > 0) {
        visitor.valid(kernel.records, n, kernel.hour, buf, lineNo);
        lineNo += n;
        start = kernel.next;
        if (n === kernel.batch) continue;
      }
    }
    const nl = buf.indexOf(NL, start);
    if (nl < 0 || nl >= to) break;
    const fault = parseLine(buf, start, nl, fields);
    if (fault === Fault.ok) {
      ONE[Rec.start] = start;
      ONE[Rec.productId] = fields.productId;
      ONE[Rec.quantity] = fields.quantity;
      ONE[Rec.eventStart] = fields.eventStart;
      ONE[Rec.eventEnd] = fields.eventEnd;
      ONE[Rec.eventHash] = fields.eventHash;
      visitor.valid(ONE, 1, fields.hour, buf, lineNo);
      // Most lines that follow share its date and hour.
      kernel.setPrefix(fields.tsStart, fields.hour);
    } else {
      visitor.invalid(refineFault(buf, start, nl, fault), buf, start, nl, lineNo);
    }
    start = nl + 1;
    lineNo++;
  }
  return { consumed: start, lines: lineNo - firstLineNo };
}
