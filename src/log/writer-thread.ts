// The log writer's files on a worker thread: this thread parses, stages and
// routes lines (PurchaseRouter), and hands each batch over already sorted by
// file; the worker (writer-worker.ts) puts the lines into the files'
// buffers (an AppendFiles of its own) and does every open, write, mkdir and
// sync. On one thread a peak hour of ingest spent about half its time in
// those system calls and the buffer arena; this way they run on the second
// core while the next batch is parsed. `rank-pipeline ingest` of the peak
// hour (10.3M lines, 30k category files, directories existing), A/B in the
// same minutes at load 2.7–3.5: 6.5–7.9 s (1.30–1.59M lines/s) against
// 9.5–11.8 s on one thread. The split was chosen from profiles: parsing
// alone is ~2 s of ~10; parsing, routing and the sort by file ~7 s, the
// arena and the system calls ~6 s plus the close.
//
// Batches go through a ring of shared slots (multiple buffering), never per-line
// messages: each slot is the batch's lines in file order and a table of
// runs (file, end offset). A slot's state word says whose it is; the one
// waiting blocks in Atomics.wait on it. New files are announced over a
// MessagePort just before the slot that first uses them, so the worker's
// target ids are the same as this side's. A failure on the worker (exit 74
// naming the file, like the single-thread writer) is flagged in the control
// words and its details posted on that port, read here synchronously by
// receiveMessageOnPort the next time a slot is handed over, or by flush/close.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import { type ErrorData, ExitCode, PipelineError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import type { AppendFilesOptions } from './append-files.js';
import { SourceView, copyLine } from './line-arena.js';
import type { RouteSink } from './purchase-router.js';

// Control words (an Int32Array over a SharedArrayBuffer).
/** 1 once the worker has failed; the error is on the port. */
export const FAILED = 0;
/** 1 once the worker's code has loaded. */
export const READY = 1;
/** Slot s's words: STATE (FREE: this side fills it; FULL: the worker's), its RUNS, and CMD, what the worker does after its lines. */
export const STATE = 0;
export const RUNS = 1;
export const CMD = 2;
export const slotWord = (s: number, field: number) => 2 + 3 * s + field;

/**
 * Slots in the ring. Two would do if both sides kept an even pace, but a
 * worker draining the arena writes ~128 MB in one go: more slots let the
 * parser run on meanwhile.
 */
export const SLOTS = 8;
export const FREE = 0;
export const FULL = 1;
export const NONE = 0;
export const SYNC = 1;
export const CLOSE = 2;

/** A slot's bytes: a 64k-line batch of a peak hour fans out to ~7 MB of (file, line) copies. */
const SLOT_BYTES = 8 << 20;
/** Runs a slot holds at most: more than the files one batch reaches at 30k categories. */
export const SLOT_RUNS = 1 << 16;
/**
 * Bytes handed over between two early writebacks (`sync -f` in the
 * background, not waited for): the disk is otherwise idle until close, whose
 * syncfs then finds a peak hour's 1.15 GB all dirty. Measured at the target
 * scale (load 5): close's syncfs took 0.36 s in two runs against 0.46 and
 * 0.81 s without; the kernel's writeback costs little CPU.
 */
const WRITEBACK_EVERY = 256 << 20;
/** How long a hand-over waits for a worker that has not started before giving up. */
const START_TIMEOUT_MS = 30_000;

export interface WriterThreadData {
  readonly control: SharedArrayBuffer;
  readonly slots: readonly { readonly bytes: SharedArrayBuffer; readonly runs: SharedArrayBuffer }[];
  readonly port: MessagePort;
  readonly files: AppendFilesOptions;
}

/** What the worker posts when it fails: a PipelineError's data, or any other error's message. */
export type WorkerFailure = { readonly pipeline: ErrorData } | { readonly message: string; readonly stack?: string };

/** What the worker posts after a SYNC or CLOSE. */
export interface CommandDone {
  readonly bytesWritten: number;
}

interface Slot {
  readonly bytes: Buffer;
  readonly view: DataView;
  readonly runs: Int32Array;
}

/** The compiled worker: dist/src/log/writer-worker.js, also when this module runs from src/ under vitest. */
function workerPath(): string {
  const compiled = join(packageRoot(), 'dist', 'src', 'log', 'writer-worker.js');
  if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run \`npm run build\` first`);
  return compiled;
}

export class WriterThread implements RouteSink {
  targetCount = 0;
  /** Bytes the worker had handed to the OS at the last flush or close. */
  bytesWritten = 0;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly control: Int32Array;
  private readonly slots: Slot[];
  private readonly sources = new SourceView();
  /** The slot being filled, its bytes used and its runs. */
  private slot = 0;
  private used = 0;
  private runs = 0;
  /** dir, name of each target created since the last hand-over. */
  private newTargets: string[] = [];
  private failure: PipelineError | Error | undefined;
  private readonly pending: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private closed = false;
  private readonly root: string;
  /** Bytes handed over so far, and when the last early writeback started. */
  private handed = 0;
  private writtenBack = 0;

  constructor(files: AppendFilesOptions) {
    this.root = files.root;
    const control = new SharedArrayBuffer(slotWord(SLOTS, 0) * 4);
    const slots = Array.from({ length: SLOTS }, () => ({ bytes: new SharedArrayBuffer(SLOT_BYTES), runs: new SharedArrayBuffer(2 * SLOT_RUNS * 4) }));
    const { port1, port2 } = new MessageChannel();
    const data: WriterThreadData = { control, slots, port: port2, files };
    this.worker = new Worker(workerPath(), { workerData: data, transferList: [port2] });
    // Only a flush or close waiting for the worker keeps the process alive (see command()).
    this.worker.unref();
    this.worker.on('message', (done: CommandDone) => {
      this.bytesWritten = done.bytesWritten;
      this.pending.shift()?.resolve();
    });
    const lost = (err: unknown) => {
      this.failure ??= new PipelineError({ exitCode: ExitCode.software, message: `the log writer's thread ended: ${(err as Error)?.message ?? err}` });
      for (const p of this.pending.splice(0)) p.reject(this.failure);
    };
    this.worker.on('error', lost);
    this.worker.on('exit', (code) => {
      if (!this.closed || this.pending.length > 0) lost(new Error(`exit code ${code}`));
    });
    this.port = port1;
    this.control = new Int32Array(control);
    this.slots = slots.map((s) => {
      const bytes = Buffer.from(s.bytes);
      return { bytes, view: new DataView(s.bytes), runs: new Int32Array(s.runs) };
    });
  }

  get fileCount(): number {
    return this.targetCount;
  }

  target(dir: string, name: string): number {
    this.newTargets.push(dir, name);
    return this.targetCount++;
  }

  /** Copies the batch's lines into the slot in file order, handing slots over as they fill, and the last one. */
  putSorted(targets: number, ends: Int32Array, sorted: Int32Array, lineStart: Int32Array, staging: Buffer): void {
    const from = this.sources.of(staging);
    let { bytes, view, runs } = this.slots[this.slot];
    let o = this.used;
    let r = this.runs;
    for (let t = 0, k = 0; t < targets; t++) {
      const end = ends[t];
      if (k === end) continue;
      if (r === SLOT_RUNS) {
        ({ bytes, view, runs } = this.nextSlot(o, r));
        o = r = 0;
      }
      let runStart = o;
      for (; k < end; k++) {
        const line = sorted[k];
        const start = lineStart[line];
        const stop = lineStart[line + 1];
        if (o + (stop - start) > bytes.length) {
          // Full: t's lines so far end this slot, the rest start the next.
          if (o > runStart) {
            runs[2 * r] = t;
            runs[2 * r + 1] = o;
            r++;
          }
          ({ bytes, view, runs } = this.nextSlot(o, r));
          o = r = runStart = 0;
        }
        // The staged line ends in its newline: copyLine puts it back.
        o = copyLine(from, staging, start, stop - 1, false, view, bytes, o);
      }
      runs[2 * r] = t;
      runs[2 * r + 1] = o;
      r++;
    }
    this.used = o;
    this.runs = r;
    if (r > 0) this.handOver(NONE);
  }

  /** Hands the filled slot (`used` bytes, `runs` runs) over; returns the next one, empty. */
  private nextSlot(used: number, runs: number): Slot {
    this.used = used;
    this.runs = runs;
    this.handOver(NONE);
    return this.slots[this.slot];
  }

  /** Writes everything handed over, and makes it durable (AppendFiles.sync on the worker). */
  sync(): Promise<void> {
    return this.command(SYNC);
  }

  /** sync(), then the worker closes its files and ends. Rejects with the worker's first failure, if any. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.command(CLOSE);
  }

  private async command(cmd: number): Promise<void> {
    const done = new Promise<void>((resolve, reject) => this.pending.push({ resolve, reject }));
    this.worker.ref();
    try {
      try {
        this.handOver(cmd);
      } catch (err) {
        // The worker had failed: it still answers the command (and a CLOSE
        // still makes what it wrote durable); then this failure is reported.
        await done.catch(() => {});
        throw err;
      }
      await done;
    } finally {
      this.worker.unref();
    }
    this.throwIfFailed();
  }

  /**
   * Gives the slot being filled to the worker, with `cmd` to do after its
   * lines, then waits until the next slot is free. Throws the worker's
   * failure once the worker has flagged one.
   */
  private handOver(cmd: number): void {
    // Lines are not handed to a worker that failed; commands are, so that it still closes.
    if (cmd === NONE) this.throwIfFailed();
    const { control } = this;
    const s = this.slot;
    if (this.newTargets.length > 0) {
      this.port.postMessage(this.newTargets);
      this.newTargets = [];
    }
    this.handed += this.used;
    if (this.handed - this.writtenBack >= WRITEBACK_EVERY) {
      this.writtenBack = this.handed;
      // Only a head start: close's syncfs still waits for everything. A failure here is not ours to report.
      spawn('sync', ['-f', this.root], { stdio: 'ignore' })
        .on('error', () => {})
        .unref();
    }
    control[slotWord(s, RUNS)] = this.runs;
    control[slotWord(s, CMD)] = cmd;
    Atomics.store(control, slotWord(s, STATE), FULL);
    Atomics.notify(control, slotWord(s, STATE));
    this.slot = (s + 1) % SLOTS;
    this.used = 0;
    this.runs = 0;
    const next = slotWord(this.slot, STATE);
    while (Atomics.load(control, next) !== FREE) {
      if (Atomics.wait(control, next, FULL, START_TIMEOUT_MS) === 'timed-out' && Atomics.load(control, READY) === 0) {
        this.failure ??= new PipelineError({ exitCode: ExitCode.software, message: `the log writer's thread did not start within ${START_TIMEOUT_MS / 1000} s` });
        void this.worker.terminate();
      }
      this.throwIfFailed();
    }
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure === undefined && Atomics.load(this.control, FAILED) === 1) {
      const sent = receiveMessageOnPort(this.port)?.message as WorkerFailure | undefined;
      this.failure =
        sent === undefined
          ? new PipelineError({ exitCode: ExitCode.software, message: "the log writer's thread failed" })
          : 'pipeline' in sent
            ? PipelineError.fromData(sent.pipeline)
            : Object.assign(new Error(sent.message), { stack: sent.stack });
    }
    if (this.failure !== undefined) throw this.failure;
  }
}
