// The pure core of `ingest`'s input: CSV bytes in chunks → numbered lines.
// Input is what people and other systems hand us, not a raw log, so it is
// normalised here and nowhere else: a UTF-8 BOM at the start is dropped, a CR
// before each newline is dropped, blank lines are skipped, a header on the
// first line is recognised, and a last line without its newline is complete
// (the input has ended). Lines stay in the caller's chunk whenever they can
// (no copy); only a line cut by a chunk boundary is carried over, into a
// buffer that is never reused once its line is out, so a line's bytes stay
// valid after the callback (the log writer routes lines in batches).
//
// The fields themselves are left to the line codec (parseLine with the
// quantity optional), so ingest accepts exactly what the map jobs will.

export interface InputLineVisitor {
  /** A data line buf[start..end), CR stripped; lineNo counts every input line from 1. */
  line(buf: Uint8Array, start: number, end: number, lineNo: number): void;
}

const NL = 10;
const CR = 13;
/** `product_id,timestamp[,quantity[,event_id]]`, any case. */
const HEADER_RE = /^product_id,timestamp(?:,quantity(?:,event_id)?)?$/i;
/** A carried-over line longer than this is cut here; it is far past any valid line anyway. */
export const MAX_CARRY_BYTES = 4096;

export class InputScanner {
  /** Physical lines seen, header and blanks included. */
  lines = 0;
  blankLines = 0;
  header = false;
  private carry = Buffer.allocUnsafe(MAX_CARRY_BYTES);
  private carryLen = 0;
  /** True while a line cut by a chunk boundary is pending (even if cut to 0 kept bytes). */
  private pending = false;

  constructor(private readonly visitor: InputLineVisitor) {}

  /** Visits every line completed by `chunk`; keeps the unfinished tail for the next call. */
  push(chunk: Buffer): void {
    let pos = 0;
    if (this.pending) {
      const nl = chunk.indexOf(NL);
      if (nl < 0) {
        this.keep(chunk, 0, chunk.length);
        return;
      }
      this.keep(chunk, 0, nl);
      this.pending = false;
      this.emitCarry();
      pos = nl + 1;
    }
    for (let nl = chunk.indexOf(NL, pos); nl >= 0; nl = chunk.indexOf(NL, pos)) {
      this.emit(chunk, pos, nl);
      pos = nl + 1;
    }
    if (pos < chunk.length) {
      this.pending = true;
      this.keep(chunk, pos, chunk.length);
    }
  }

  /** The input has ended: a last line without a newline is a line. */
  end(): void {
    if (!this.pending) return;
    this.pending = false;
    this.emitCarry();
  }

  private emitCarry(): void {
    const line = this.carry;
    this.carry = Buffer.allocUnsafe(MAX_CARRY_BYTES);
    const n = this.carryLen;
    this.carryLen = 0;
    this.emit(line, 0, n);
  }

  private keep(chunk: Buffer, from: number, to: number): void {
    const n = Math.min(to - from, MAX_CARRY_BYTES - this.carryLen);
    chunk.copy(this.carry, this.carryLen, from, from + n);
    this.carryLen += n;
  }

  private emit(buf: Uint8Array, start: number, end: number): void {
    const lineNo = ++this.lines;
    if (lineNo === 1 && end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) start += 3;
    if (end > start && buf[end - 1] === CR) end--;
    if (start === end) {
      this.blankLines++;
      return;
    }
    if (lineNo === 1 && end - start <= 64 && HEADER_RE.test(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1'))) {
      this.header = true;
      return;
    }
    this.visitor.line(buf, start, end, lineNo);
  }
}

/** Feeds a whole input through a scanner (tests, and anything holding the bytes already). */
export function scanInput(chunks: Iterable<Buffer>, visitor: InputLineVisitor): InputScanner {
  const scanner = new InputScanner(visitor);
  for (const chunk of chunks) scanner.push(chunk);
  scanner.end();
  return scanner;
}
