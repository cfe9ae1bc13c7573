// A release's files, written on the runner's worker threads in batches. The
// main thread encodes the files; each one is copied into the batch being
// filled (the producer may reuse its buffer for the next file), and a full
// batch goes to a writeFileBatch job (jobs/write-file-batch.ts) while the
// main thread encodes on. Through fs/promises, the open, write and close of
// each file cost the main thread more than encoding it, and the workers sat
// idle. A batch lives in a SharedArrayBuffer: nothing is copied to the
// worker, and a job retried after its worker died still has its bytes (a
// transferred ArrayBuffer would have gone with the worker). One batch is
// written at a time, while this thread fills the next: the files all go into
// one directory, and two threads creating files in one directory contend for
// its lock, which cost as much CPU again for the same wall time (30k files of
// 6 KB on this machine's ext4: 2.0 s of CPU on one thread, 3.5 s on two).
// The buffers are reused, so the batches hold a few MB whatever the size of
// the release. Each batch is hashed as it is sent, for the release id: its
// paths and where each file ends, then its bytes in one call (a few calls
// per file cost the main thread more than hashing their bytes).
import type { Hash } from 'node:crypto';
import { PipelineError } from '../errors.js';
import type { Runner } from '../pipeline/runner.js';

const BATCH_BYTES = 2 << 20;
const BATCH_FILES = 256;
/** Batches being written at once (see above). */
const IN_FLIGHT = 1;

/** Files are added in order, then finish(); settled() belongs in a finally, before the directory may be removed. */
export class FileBatches {
  private paths: string[] = [];
  private ends: number[] = [];
  private bytes: Uint8Array<SharedArrayBuffer> | undefined;
  private used = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** The buffers of batches written, for the next ones. */
  private readonly spare: SharedArrayBuffer[] = [];
  private failure: { err: unknown } | undefined;

  constructor(
    private readonly dir: string,
    private readonly runner: Runner,
    /** Takes every batch, in order. */
    private readonly hash: Hash,
    /** Over the files there (a recycled release): see jobs/write-file-batch.ts. */
    private readonly inPlace = false,
  ) {}

  /** Adds a file (path relative to dir) to the batch, sending the batch first if it is full; rejects once a batch has failed. */
  async add(rel: string, bytes: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure.err;
    if (this.bytes && (this.paths.length === BATCH_FILES || this.used + bytes.length > this.bytes.length)) await this.send();
    this.bytes ??= this.buffer(bytes.length);
    this.bytes.set(bytes, this.used);
    this.used += bytes.length;
    this.paths.push(rel);
    this.ends.push(this.used);
  }

  /** Sends the last batch and waits for every one; throws the first failure. */
  async finish(): Promise<void> {
    if (this.bytes) await this.send();
    await this.settled();
    if (this.failure) throw this.failure.err;
  }

  /** Waits for every batch sent, however it ends. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.inFlight);
  }

  private async send(): Promise<void> {
    while (this.inFlight.size >= IN_FLIGHT) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure.err;
    const bytes = this.bytes!;
    this.hash.update(`${this.paths.join('\0')}\0${this.ends.join(',')}\0`).update(bytes.subarray(0, this.used));
    const task = { dir: this.dir, paths: this.paths, ends: this.ends, bytes: bytes.subarray(0, this.used), inPlace: this.inPlace };
    this.paths = [];
    this.ends = [];
    this.bytes = undefined;
    this.used = 0;
    const job: Promise<void> = this.runner
      .run('writeFileBatch', task)
      .then(
        (r) => {
          if (!r.ok) this.failure ??= { err: PipelineError.fromData(r.error) };
        },
        (err: unknown) => {
          this.failure ??= { err };
        },
      )
      .finally(() => {
        this.inFlight.delete(job);
        this.spare.push(bytes.buffer);
      });
    this.inFlight.add(job);
  }

  /** A spare buffer that holds at least `min` bytes, or a new one. */
  private buffer(min: number): Uint8Array<SharedArrayBuffer> {
    const i = this.spare.findIndex((b) => b.byteLength >= min);
    return new Uint8Array(i >= 0 ? this.spare.splice(i, 1)[0] : new SharedArrayBuffer(Math.max(BATCH_BYTES, min)));
  }
}
