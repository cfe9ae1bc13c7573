// Reads a catalog CSV as rows of string fields, each with the 1-based line it
// starts on, for the loader's validating sinks.
//
// fast-csv parses what the sinks do not read themselves: the lines that hold
// a double quote, plus the lines that continue a quoted field. A line without
// quotes is split on commas here instead: that is all RFC 4180 does to such a
// line. Measured at 10M products: fast-csv alone takes 87 s just to tokenize
// the file (~9 µs a row). Deciding per line rather than per file keeps a
// catalog with one name like `"Ruler, 12"""` on the fast path for all its
// other rows.
//
// products.csv goes further (ByteRowSink): its sink reads each line straight
// from the file's bytes, quoted fields included (plain ones many at a time,
// addRows), and leaves only what it does not take (a field spanning lines, a
// lone CR, a broken rule) to fast-csv and row(), which hold every message.
import { isUtf8 } from 'node:buffer';
import { parseString } from 'fast-csv';
import type { CatalogFs } from './catalog-fs.js';
import { PipelineError, asIoError, usageError } from '../errors.js';

export interface RowSink {
  row(fields: readonly string[], line: number): void;
}

/**
 * A sink that reads lines from bytes itself, in two steps so that the lines
 * waiting for fast-csv can be handed to row() first, keeping file order.
 */
export interface ByteRowSink extends RowSink {
  /**
   * Reads the line that starts at bytes[start]; `bytes` holds whole lines of
   * valid UTF-8, each ending in '\n' except perhaps the file's last. Returns
   * where the next line starts, holding what it read for addScanned(), or -1
   * to leave the line to fast-csv and row() (addScanned() is then not called).
   */
  scanLine(bytes: Buffer, start: number): number;
  /** Adds what the last scanLine() read. */
  addScanned(): void;
  /**
   * Optional: reads and adds the lines from bytes[start] on (the bytes
   * scanLine gets) that it can take many at a time, up to the first it
   * cannot; returns how many, with where they end in `next`. The line it
   * stopped at goes to scanLine().
   */
  addRows?(bytes: Buffer, start: number): number;
  readonly next?: number;
}

/** A line holding nothing but blanks: fast-csv makes it `[]`, the plain path `['  ']`. */
export const isBlankRow = (fields: readonly string[]) =>
  fields.length === 0 || (fields.length === 1 && fields[0]!.trim() === '');

/** Quoted runs are handed to fast-csv in pieces of about this many characters. */
const SEGMENT_CHARS = 1 << 18;
/**
 * An odd quote count may also be a bare quote inside an unquoted field
 * (`ab"c`), which fast-csv takes literally; the segment is cut anyway at this
 * size, so such a line cannot pull the rest of a 400 MB file into one string.
 * A genuine quoted field this long is itself an error, and fast-csv says so.
 */
const MAX_QUOTED_CHARS = 1 << 24;

const MALFORMED_HINT =
  'a field holding a comma, a double quote or a line break must be in double quotes, with each quote inside doubled: "Ruler, 12"""';

/**
 * Reads are this big: a chunk costs a little (an await, a UTF-8 check), and
 * products.csv is ~400 MB at 10M products. One buffer serves the whole file,
 * so reading allocates nothing for the garbage collector to chase.
 */
const READ_CHUNK = 4 << 20;

/** Reads the CSV at `path` into `sink`, row by row; an error names the file. */
export async function readCsvRows(fs: Pick<CatalogFs, 'openRead'>, path: string, sink: RowSink | ByteRowSink): Promise<void> {
  const reader = new LineReader(path, sink);
  try {
    const file = await fs.openRead(path);
    try {
      let buffer = Buffer.allocUnsafe(READ_CHUNK);
      // buffer[0, filled) holds the start of a line not yet read whole.
      let filled = 0;
      for (let n; (n = await file.read(buffer, filled, buffer.length - filled)) > 0; ) {
        const end = filled + n;
        // Cutting after a '\n' byte never splits a UTF-8 character.
        const cut = buffer.lastIndexOf(10, end - 1) + 1;
        if (cut > 0) await reader.read(buffer.subarray(0, cut));
        buffer.copyWithin(0, cut, end);
        filled = end - cut;
        if (filled === buffer.length) {
          // A line longer than the buffer.
          const grown = Buffer.allocUnsafe(2 * buffer.length);
          buffer.copy(grown);
          buffer = grown;
        }
      }
      if (filled > 0) await reader.read(buffer.subarray(0, filled));
      await reader.end();
    } finally {
      await file.close();
    }
  } catch (err) {
    throw err instanceof PipelineError ? err : asIoError(err, path);
  }
}

class LineReader {
  /** The line number of the next line read. */
  private line = 1;
  /** Lines waiting for fast-csv, and the line the first of them is on. */
  private segment: string[] = [];
  private segmentLine = 1;
  private segmentChars = 0;
  /** An odd number of quotes so far in the segment: inside a quoted field. */
  private inQuotes = false;
  private first = true;

  constructor(
    private readonly path: string,
    private readonly sink: RowSink | ByteRowSink,
  ) {}

  /** Whole lines, each ending in '\n' except perhaps the file's last. */
  async read(bytes: Buffer): Promise<void> {
    const bom = this.first && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    this.first = false;
    // Bytes that are not UTF-8 are read as text, which makes them U+FFFD, so
    // that a sink reading bytes only ever copies valid UTF-8.
    if ('scanLine' in this.sink && isUtf8(bytes)) return this.scan(this.sink, bytes, bom);
    const stop = bytes[bytes.length - 1] === 10 ? bytes.length - 1 : bytes.length;
    return this.lines(bytes.toString('utf8', bom, stop));
  }

  private async scan(sink: ByteRowSink, bytes: Buffer, start: number): Promise<void> {
    const end = bytes.length;
    for (let at = start; at < end; ) {
      // Lines waiting for fast-csv go to the sink first: only a line that
      // scanLine() takes flushes them, which keeps a run of them together.
      if (sink.addRows && this.segment.length === 0) {
        this.line += sink.addRows(bytes, at);
        at = sink.next!;
        if (at >= end) break;
      }
      const next = this.inQuotes ? -1 : sink.scanLine(bytes, at);
      if (next >= 0) {
        if (this.segment.length > 0) await this.flush();
        sink.addScanned();
        this.line++;
        at = next;
      } else {
        const newline = bytes.indexOf(10, at);
        const stop = newline < 0 ? end : newline;
        await this.toFastCsv(bytes.toString('utf8', at, stop));
        at = stop + 1;
      }
    }
  }

  /** Whole lines, joined by '\n'. */
  private async lines(text: string): Promise<void> {
    // The next quote and CR at or after a line's start, found once per chunk
    // rather than once per line.
    let quote = text.indexOf('"');
    let cr = text.indexOf('\r');
    for (let start = 0; start <= text.length; ) {
      const newline = text.indexOf('\n', start);
      const end = newline < 0 ? text.length : newline;
      if (quote >= 0 && quote < start) quote = text.indexOf('"', start);
      if (cr >= 0 && cr < start) cr = text.indexOf('\r', start);
      // Only a CR ending the line (CRLF) keeps it plain: fast-csv ends a row at a lone CR.
      const plain = !this.inQuotes && (quote < 0 || quote >= end) && (cr < 0 || cr >= end - 1);
      if (plain) {
        if (this.segment.length > 0) await this.flush();
        const stop = cr >= 0 && cr === end - 1 ? end - 1 : end;
        this.sink.row(text.slice(start, stop).split(','), this.line++);
      } else {
        await this.toFastCsv(text.slice(start, end));
      }
      start = end + 1;
    }
  }

  /** Adds a line to the segment, and hands the segment to fast-csv once it is big. */
  private async toFastCsv(text: string): Promise<void> {
    this.addToSegment(text);
    if (this.segmentChars >= (this.inQuotes ? MAX_QUOTED_CHARS : SEGMENT_CHARS)) await this.flush();
  }

  private addToSegment(text: string): void {
    if (this.segment.length === 0) this.segmentLine = this.line;
    this.segment.push(text);
    this.segmentChars += text.length + 1;
    this.line += 1 + loneCarriageReturns(text);
    if (countQuotes(text) % 2 === 1) this.inQuotes = !this.inQuotes;
  }

  async end(): Promise<void> {
    if (this.segment.length > 0) await this.flush();
  }

  private async flush(): Promise<void> {
    const lines = this.segment;
    const start = this.segmentLine;
    this.segment = [];
    this.segmentChars = 0;
    this.inQuotes = false;
    let rows: string[][];
    try {
      rows = await parseWithFastCsv(lines.join('\n') + '\n');
    } catch (err) {
      throw await this.malformed(lines, start, err);
    }
    let line = start;
    for (const fields of rows) {
      this.sink.row(fields, line);
      line += 1 + fields.reduce((n, f) => n + lineBreaks(f), 0);
    }
  }

  /**
   * Re-parses a failed segment one record at a time to name the first line of
   * the record at fault: the first that fails alone, else the one an
   * unclosed quote leaves open at the end.
   */
  private async malformed(lines: readonly string[], start: number, err: unknown): Promise<PipelineError> {
    let line = start;
    let record: string[] = [];
    let recordLine = start;
    let open = false;
    for (const text of lines) {
      if (record.length === 0) recordLine = line;
      record.push(text);
      line += 1 + loneCarriageReturns(text);
      if (countQuotes(text) % 2 === 1) open = !open;
      if (open) continue;
      if (await parseWithFastCsv(record.join('\n') + '\n').then(() => false, () => true)) break;
      record = [];
    }
    const message = (err instanceof Error ? err.message : String(err)).slice(0, 160);
    return usageError(`malformed CSV record: ${message}`, { path: this.path, line: recordLine, hint: MALFORMED_HINT });
  }
}

/** Every record of a CSV text as fast-csv reads it (also the tests' reference for the fast path). */
export function parseWithFastCsv(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const rows: string[][] = [];
    parseString<string[], string[]>(text, { headers: false })
      .on('data', (row: string[]) => rows.push(row))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i >= 0; i = text.indexOf('"', i + 1)) n++;
  return n;
}

/** CRs not followed by LF (old Mac line ends), which fast-csv and most editors count as lines. */
function loneCarriageReturns(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\r'); i >= 0 && i < text.length - 1; i = text.indexOf('\r', i + 1)) n++;
  return n;
}

/** Line breaks inside a field: CRLF, LF and a lone CR count one each. */
function lineBreaks(field: string): number {
  let n = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    if (c === 10 || (c === 13 && field.charCodeAt(i + 1) !== 10)) n++;
  }
  return n;
}
