// The purchase log writer: the one way anything in this repository appends to
// logs/ (ingest, generate, tests, benchmarks). It validates each purchase by
// the rules of CONTRACT.md §2 (the line codec's, so the writer and the map
// jobs can never disagree), routes it by event time, and appends whole lines
// to files of this process only.
//
//   const log = openPurchaseLog({ dataDir, catalog });
//   const r = log.append({ productId: 42, timestamp: '2026-11-27T18:04:05Z', quantity: 2 });
//   if (!r.ok) console.warn(r.reason);   // bad data is a value, not an exception
//   await log.close();                   // written and fsynced; rejects with exit 74 on I/O failure
import { randomBytes } from 'node:crypto';
import type { Catalog } from '../catalog/catalog.js';
import { usageError } from '../errors.js';
import { WRITER_ID_RE, namedWriterFileName, writerFileName } from '../layout.js';
import { AppendFiles, defaultMaxOpenFiles } from './append-files.js';
import { Fault, type FaultCode, type LineFields, MAX_LINE_BYTES, faultKey, faultText, newLineFields, parseLine, refineFault } from './line-codec.js';
import { PurchaseRouter } from './purchase-router.js';
import { WriterThread } from './writer-thread.js';

export interface Purchase {
  /** 1..4294967295. */
  readonly productId: number;
  /** ISO-8601 UTC ending in Z, milliseconds optional: `2026-11-27T18:04:05.123Z`. Written as given. */
  readonly timestamp: string;
  /** −1000..1000, not 0; a negative quantity refunds units of the purchase at `timestamp`. Default 1. */
  readonly quantity?: number;
  /** `[A-Za-z0-9_.:-]{1,64}`: the same event appended twice counts once. */
  readonly eventId?: string;
}

export type AppendResult =
  | { readonly ok: true }
  /** `reason` is the stable key (`bad_timestamp`), `message` says what was expected. */
  | { readonly ok: false; readonly fault: FaultCode; readonly reason: string; readonly message: string };

export interface PurchaseLogOptions {
  readonly dataDir: string;
  readonly catalog: Catalog;
  /**
   * Fixed file name stem (`generate-s1` → `generate-s1.log`) for output that
   * must be identical run to run. The caller promises no other process uses
   * it. Default: host, pid and a random token (layout.writerFileName).
   */
  readonly writerId?: string;
  /**
   * Descriptors kept open at most; the least recently written is closed
   * first. Default: half the process's limit (Node raises its soft limit to
   * the hard one), at most 65536; on EMFILE the writer keeps half as many
   * open and goes on. A peak hour touches ~30k files: reopening them is the
   * largest system cost of ingest when the limit is low.
   */
  readonly maxOpenFiles?: number;
  /**
   * Memory for lines waiting to be written, across all files. Default 256 MiB
   * (reserved, touched only as used): at 30k files, a quarter of it means
   * four times as many write/open/close calls.
   */
  readonly maxBufferedBytes?: number;
  /**
   * Write on a worker thread (writer-thread.ts): this thread validates and
   * routes, the worker buffers, writes and syncs, so the two overlap on two
   * cores. Same files, same bytes; append() may then block while the worker
   * catches up, and an I/O failure surfaces at a later append(), flush() or
   * close(). Default false; `ingest` uses it. Needs the compiled dist/.
   */
  readonly writerThread?: boolean;
}

export interface PurchaseLogStats {
  /** Purchases appended (one each, however many files they went to). */
  readonly purchases: number;
  /** Files this writer has appended to. */
  readonly files: number;
  /** Bytes handed to the OS so far. */
  readonly bytesWritten: number;
}

export interface PurchaseLog {
  /** The name every file of this writer has, in whichever directory. */
  readonly fileName: string;
  /**
   * Validates and buffers one purchase. May write buffers out when they are
   * full; an I/O failure then throws a PipelineError (exit 74) naming the file.
   */
  append(purchase: Purchase): AppendResult;
  /**
   * The hot path for byte input: a line src[start..end) (no newline) that
   * parseLine(src, start, end, fields, true) has just accepted. A line
   * without a quantity is written with `,1`. The bytes are copied: `src`
   * may be reused as soon as this returns.
   */
  appendParsed(src: Uint8Array, start: number, end: number, fields: LineFields): void;
  /** Writes everything buffered and fsyncs it with the directories created. */
  flush(): Promise<void>;
  /** flush(), then closes every file. The log cannot be used after. */
  close(): Promise<void>;
  stats(): PurchaseLogStats;
}

const rejected = (fault: FaultCode): AppendResult => ({ ok: false, fault, reason: faultKey(fault), message: faultText(fault) });

export function openPurchaseLog(options: PurchaseLogOptions): PurchaseLog {
  const { dataDir, catalog, writerId } = options;
  if (writerId !== undefined && !WRITER_ID_RE.test(writerId)) {
    throw usageError(`writer id ${JSON.stringify(writerId)} is not 1..100 characters of A-Z a-z 0-9 _ . - (not starting with .)`);
  }
  const fileName = writerId !== undefined ? namedWriterFileName(writerId) : writerFileName(randomBytes(6).toString('hex'));
  const filesOptions = {
    root: dataDir,
    maxOpenFiles: options.maxOpenFiles ?? defaultMaxOpenFiles(),
    maxBufferedBytes: options.maxBufferedBytes ?? 256 << 20,
  };
  const files = options.writerThread ? new WriterThread(filesOptions) : new AppendFiles(filesOptions);
  const router = new PurchaseRouter(dataDir, catalog, files, fileName);
  const fields = newLineFields();
  // Room for the longest string that can still be valid, 4 UTF-8 bytes a character.
  const scratch = Buffer.allocUnsafe(4 * (MAX_LINE_BYTES + 1));
  let purchases = 0;
  let closed = false;

  const assertOpen = () => {
    if (closed) throw new Error(`purchase log ${fileName} is closed`);
  };

  function appendParsed(src: Uint8Array, start: number, end: number, parsed: LineFields): void {
    assertOpen();
    router.route(src, start, end, parsed);
    purchases++;
  }

  function append(p: Purchase): AppendResult {
    assertOpen();
    // Checked first: the line-length check below would blame another field for a long eventId.
    if (p.eventId !== undefined && (p.eventId.length === 0 || p.eventId.length > 64)) return rejected(Fault.eventId);
    const line = p.eventId === undefined
      ? `${p.productId},${p.timestamp},${p.quantity ?? 1}`
      : `${p.productId},${p.timestamp},${p.quantity ?? 1},${p.eventId}`;
    if (line.length > MAX_LINE_BYTES) {
      // With the eventId in bounds, one of the other fields is too long: name it.
      if (String(p.productId).length > 10) return rejected(Fault.productId);
      return rejected(p.timestamp.length > 24 ? Fault.timestamp : Fault.quantity);
    }
    // One validator for objects and bytes: encode, then parse as the map jobs will.
    const n = scratch.write(line, 0, 'utf8');
    const fault = parseLine(scratch, 0, n, fields);
    if (fault !== Fault.ok) return rejected(refineFault(scratch, 0, n, fault));
    router.route(scratch, 0, n, fields);
    purchases++;
    return { ok: true };
  }

  return {
    fileName,
    append,
    appendParsed,
    async flush() {
      assertOpen();
      router.flush();
      await files.sync();
    },
    async close() {
      if (closed) return;
      closed = true;
      // Closed also after a failure (a writer thread ends only when closed); the first error wins.
      let failure: unknown;
      try {
        router.flush();
      } catch (err) {
        failure = err;
      }
      try {
        await files.close();
      } catch (err) {
        failure ??= err;
      }
      if (failure !== undefined) throw failure;
    },
    stats: () => ({ purchases, files: files.fileCount, bytesWritten: files.bytesWritten }),
  };
}
