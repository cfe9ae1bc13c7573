// Where ingest reads its CSV from: a file (which can be read twice, for
// --strict) or a stream such as stdin (which cannot, so --strict spools it to
// a file first). Each source yields Buffers; a read failure becomes exit 74
// naming the input.
import { closeSync, createReadStream, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { asIoError, usageError } from '../errors.js';

export interface IngestSource {
  /** For messages and the quarantine file: the path, or `<stdin>`. */
  readonly name: string;
  /** The chunks of the input, from the start; at most `limit` bytes when given. */
  chunks(limit?: number): AsyncIterable<Buffer>;
  /** Whether chunks() can be called again and yields the same bytes. */
  readonly rewindable: boolean;
}

const CHUNK = 1 << 20;

/** `--file F`: stdin for `-` or no flag, else the file (relative to cwd). */
export function ingestSource(file: string | undefined, stdin: NodeJS.ReadableStream, cwd: string): IngestSource {
  return file === undefined || file === '-' ? streamSource(stdin) : fileSource(resolve(cwd, file), file);
}

/** A file; exit 64 naming it when it is missing or not a file. `name` is how messages call it. */
export function fileSource(path: string, name = path): IngestSource {
  try {
    if (!statSync(path).isFile()) throw usageError(`--file ${name}: not a regular file`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw usageError(`--file ${name}: no such file`, { hint: 'give a CSV file, or - (or no --file) for stdin' });
    throw asIoError(err, path);
  }
  return {
    name,
    rewindable: true,
    chunks: (limit) =>
      limit === 0 ? emptyChunks() : wrapErrors(createReadStream(path, { highWaterMark: CHUNK, end: limit === undefined ? undefined : limit - 1 }), path),
  };
}

/** A stream read once: stdin, or a test's Readable. */
export function streamSource(stream: NodeJS.ReadableStream, name = '<stdin>'): IngestSource {
  let used = false;
  return {
    name,
    rewindable: false,
    chunks: () => {
      if (used) throw new Error(`${name} can only be read once`);
      used = true;
      return wrapErrors(stream, name);
    },
  };
}

async function* emptyChunks(): AsyncIterable<Buffer> {}

async function* wrapErrors(stream: AsyncIterable<unknown> | NodeJS.ReadableStream, name: string): AsyncIterable<Buffer> {
  try {
    for await (const chunk of stream as AsyncIterable<Buffer | string>) {
      yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    }
  } catch (err) {
    throw asIoError(err, name);
  }
}

/**
 * Copies a one-shot source to `path` while it is read, and returns a file
 * source over the copy: how `--strict` reads stdin twice. remove() deletes it.
 */
export function spoolTo(path: string, source: IngestSource): { tee: IngestSource; copy: () => IngestSource; remove: () => void } {
  let fd = -1;
  const tee: IngestSource = {
    name: source.name,
    rewindable: false,
    async *chunks() {
      try {
        mkdirSync(dirname(path), { recursive: true });
        fd = openSync(path, 'w', 0o600);
      } catch (err) {
        throw asIoError(err, path);
      }
      try {
        for await (const chunk of source.chunks()) {
          try {
            for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off, chunk.length - off);
          } catch (err) {
            throw asIoError(err, path);
          }
          yield chunk;
        }
      } finally {
        closeSync(fd);
      }
    },
  };
  return {
    tee,
    copy: () => fileSource(path, source.name),
    remove: () => rmSync(path, { force: true }),
  };
}
