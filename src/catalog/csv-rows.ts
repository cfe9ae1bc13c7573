// Reads a catalog CSV as rows of string fields, each with the 1-based line it
// starts on, for the loader's validating sinks.
//
// fast-csv parses every line that holds a double quote, plus the lines that
// continue a quoted field. A line without quotes (nearly all of a catalog) is
// split on commas here instead: that is all RFC 4180 does to such a line.
// Measured at 10M products: fast-csv alone takes 87 s just to tokenize the
// file (~9 µs a row); this path parses, validates and builds in ~1 µs a row.
// Deciding per line rather than per file keeps a catalog with one name like
// `"Ruler, 12"""` on the fast path for all its other rows.
import { parseString } from 'fast-csv';
import { PipelineError, asIoError, usageError } from '../errors.js';

export interface RowSink {
  row(fields: readonly string[], line: number): void;
  /**
   * Optional: a line without quotes, as `text.slice(start, end)` (no line
   * end), for a sink that reads it in place: not cutting it into field
   * strings saves about a quarter of the products parse (2.8 → 2.2 s CPU
   * per 2M rows).
   */
  plainRow?(text: string, start: number, end: number, line: number): void;
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

export async function readCsvRows(stream: AsyncIterable<Buffer>, path: string, sink: RowSink): Promise<void> {
  const reader = new LineReader(path, sink);
  let carry: Buffer = Buffer.alloc(0);
  let first = true;
  const decode = (bytes: Buffer) => {
    const text = bytes.toString('utf8');
    const bom = first && text.charCodeAt(0) === 0xfeff;
    first = false;
    return bom ? text.slice(1) : text;
  };
  try {
    for await (const chunk of stream) {
      const bytes = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
      // Cutting at a '\n' byte never splits a UTF-8 character.
      const cut = bytes.lastIndexOf(10);
      if (cut < 0) {
        carry = bytes;
        continue;
      }
      carry = bytes.subarray(cut + 1);
      await reader.lines(decode(bytes.subarray(0, cut)));
    }
    if (carry.length > 0) await reader.lines(decode(carry));
    await reader.end();
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

  constructor(
    private readonly path: string,
    private readonly sink: RowSink,
  ) {}

  /** Whole lines, joined by '\n'. */
  async lines(text: string): Promise<void> {
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
        if (this.sink.plainRow) this.sink.plainRow(text, start, stop, this.line++);
        else this.sink.row(text.slice(start, stop).split(','), this.line++);
      } else {
        this.addToSegment(text.slice(start, end));
        if (this.segmentChars >= (this.inQuotes ? MAX_QUOTED_CHARS : SEGMENT_CHARS)) await this.flush();
      }
      start = end + 1;
    }
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

function parseWithFastCsv(text: string): Promise<string[][]> {
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
