// `ingest` as a library call: CSV purchases in, lines appended to the logs,
// bad lines quarantined, a summary out. The CLI only resolves flags and
// prints; benchmarks and tests call ingest() directly.
//
// --strict must append nothing when any line is bad, so it reads the input
// twice: a validating pass that writes nothing (stdin is spooled to a file
// under DATA/tmp meanwhile), then the normal pass over the same bytes. That
// costs a second read, never memory: staging 10M valid lines in buffers would
// hold gigabytes, and staging them in files would mean deleting log files.
import type { Catalog } from '../catalog/catalog.js';
import { dataError } from '../errors.js';
import { ingestSpoolPath } from '../layout.js';
import { type IngestSource, spoolTo } from './ingest-source.js';
import { type InputLineVisitor, InputScanner } from './ingest-input.js';
import { Fault, type LineFields, faultKey, faultText, newLineFields, parseLine, refineFault } from './line-codec.js';
import { openPurchaseLog } from './purchase-log.js';
import { QuarantineFile } from './quarantine-file.js';

export interface IngestOptions {
  readonly dataDir: string;
  readonly catalog: Catalog;
  readonly source: IngestSource;
  /** Any bad line: exit 65, nothing appended. */
  readonly strict?: boolean;
  /** Stands in for the clock: names the quarantine file. */
  readonly nowMs: number;
  readonly pid?: number;
  readonly writerId?: string;
  /** Called after each chunk with the bytes and lines read so far. */
  readonly progress?: (bytesRead: number, linesRead: number) => void;
}

export interface IngestSummary {
  readonly input: string;
  /** Purchase lines read: header and blank lines not included. */
  readonly read: number;
  readonly appended: number;
  readonly rejected: number;
  /** Reason key → lines, e.g. {"bad_timestamp": 3}. */
  readonly rejectedByReason: Record<string, number>;
  readonly header: boolean;
  readonly blankLines: number;
  readonly bytesRead: number;
  /** The quarantine file of this run, when a line was rejected. */
  readonly quarantine?: string;
  /** The name of this run's log files, and how many files were appended to. */
  readonly logFileName: string;
  readonly logFiles: number;
}

export async function ingest(options: IngestOptions): Promise<IngestSummary> {
  const { source, dataDir } = options;
  if (!options.strict) return appendAll(options, source);
  const pid = options.pid ?? process.pid;
  const spool = source.rewindable ? undefined : spoolTo(ingestSpoolPath(dataDir, options.nowMs, pid), source);
  try {
    const check = await readThrough(spool?.tee ?? source, undefined, options.progress, VALIDATE_ONLY);
    if (check.firstBad) {
      const { lineNo, fault } = check.firstBad;
      const others = check.rejected - 1;
      throw dataError(`${faultKey(fault)}: ${faultText(fault)}${others ? ` (and ${others} more bad line${others > 1 ? 's' : ''})` : ''}; --strict: nothing was appended`, {
        path: source.name,
        line: lineNo,
        hint: 'fix the line(s), or ingest without --strict to append the valid lines and quarantine the rest',
      });
    }
    // Only the bytes just validated: a file that grows meanwhile is not read further.
    return await appendAll(options, spool?.copy() ?? source, check.bytesRead);
  } finally {
    spool?.remove();
  }
}

interface PassResult {
  scanner: InputScanner;
  bytesRead: number;
  rejected: number;
  byFault: number[];
  firstBad?: { lineNo: number; fault: number };
}

interface PassSink {
  valid(buf: Uint8Array, start: number, end: number, fields: LineFields): void;
  bad(lineNo: number, fault: number, buf: Uint8Array, start: number, end: number): void;
}

const VALIDATE_ONLY: PassSink = { valid() {}, bad() {} };

/** One pass over the input: every line parsed, each valid or bad one handed to `sink`, bad ones counted. */
async function readThrough(source: IngestSource, limit: number | undefined, progress: IngestOptions['progress'], sink: PassSink): Promise<PassResult> {
  const fields = newLineFields();
  const result: PassResult = { scanner: undefined!, bytesRead: 0, rejected: 0, byFault: [] };
  const visitor: InputLineVisitor = {
    line(buf, start, end, lineNo) {
      const fault = parseLine(buf, start, end, fields, true);
      if (fault === Fault.ok) return sink.valid(buf, start, end, fields);
      const refined = refineFault(buf, start, end, fault);
      result.rejected++;
      result.byFault[refined] = (result.byFault[refined] ?? 0) + 1;
      result.firstBad ??= { lineNo, fault: refined };
      sink.bad(lineNo, refined, buf, start, end);
    },
  };
  const scanner = new InputScanner(visitor);
  result.scanner = scanner;
  for await (const chunk of source.chunks(limit)) {
    scanner.push(chunk);
    result.bytesRead += chunk.length;
    progress?.(result.bytesRead, scanner.lines);
  }
  scanner.end();
  return result;
}

async function appendAll(options: IngestOptions, source: IngestSource, limit?: number): Promise<IngestSummary> {
  const log = openPurchaseLog({ dataDir: options.dataDir, catalog: options.catalog, writerId: options.writerId, writerThread: true });
  const quarantine = new QuarantineFile(options.dataDir, options.nowMs, options.pid ?? process.pid, source.name);
  let pass: PassResult;
  try {
    pass = await readThrough(source, limit, options.progress, {
      valid: (buf, start, end, fields) => log.appendParsed(buf, start, end, fields),
      bad: (lineNo, fault, buf, start, end) => quarantine.add(lineNo, fault, buf, start, end),
    });
  } catch (err) {
    // What was appended before the failure stays in the logs: make it durable,
    // but report the first failure, not a second one from the same disk.
    await log.close().catch(() => {});
    try {
      quarantine.close();
    } catch {
      // the same disk, the same failure
    }
    throw err;
  }
  await log.close();
  quarantine.close();
  const stats = log.stats();
  const rejectedByReason: Record<string, number> = {};
  pass.byFault.forEach((n, fault) => {
    if (n) rejectedByReason[faultKey(fault)] = n;
  });
  return {
    input: source.name,
    read: stats.purchases + pass.rejected,
    appended: stats.purchases,
    rejected: pass.rejected,
    rejectedByReason,
    header: pass.scanner.header,
    blankLines: pass.scanner.blankLines,
    bytesRead: pass.bytesRead,
    quarantine: quarantine.file,
    logFileName: log.fileName,
    logFiles: stats.files,
  };
}
