// The worker side of WriterThread (writer-thread.ts): takes the slots in
// turn, puts each run of lines into its file's buffer, and does the writes,
// opens, mkdirs and syncs of an AppendFiles, exactly as the single-thread
// writer would with the same lines in the same order. After a failure it
// reports the first error and drops further lines, but still answers SYNC and
// CLOSE (a CLOSE still makes what was written durable).
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { PipelineError } from '../errors.js';
import { AppendFiles } from './append-files.js';
import { CLOSE, CMD, type CommandDone, FAILED, FREE, FULL, NONE, READY, RUNS, SLOTS, STATE, SYNC, type WorkerFailure, type WriterThreadData, slotWord } from './writer-thread.js';

const data = workerData as WriterThreadData;
const control = new Int32Array(data.control);
const port: MessagePort = data.port;
const slots = data.slots.map((s) => ({ bytes: new Uint8Array(s.bytes), runs: new Int32Array(s.runs) }));
let failed = false;
/** A buffer worth writing while idle: big enough that it costs no more writes than the arena's drains do. */
const IDLE_WRITE_MIN = 256 << 10;

function fail(err: unknown): void {
  if (failed) return;
  failed = true;
  const sent: WorkerFailure = err instanceof PipelineError ? { pipeline: err.toData() } : { message: (err as Error)?.message ?? String(err), stack: (err as Error)?.stack };
  // Posted before the flag: the other side reads the port once it sees the flag.
  port.postMessage(sent);
  Atomics.store(control, FAILED, 1);
}

/**
 * Waiting for lines: does one piece of what close would otherwise do all at
 * once (write a big buffer out, create a file); says whether it did any.
 */
function idle(): boolean {
  if (failed || !files) return false;
  try {
    return files.writeLargest(IDLE_WRITE_MIN) || files.createNext();
  } catch (err) {
    fail(err);
    return false;
  }
}

let files: AppendFiles | undefined;
try {
  files = new AppendFiles(data.files);
} catch (err) {
  fail(err);
}
Atomics.store(control, READY, 1);

for (let s = 0; ; s = (s + 1) % SLOTS) {
  const state = slotWord(s, STATE);
  while (Atomics.load(control, state) !== FULL) if (!idle()) Atomics.wait(control, state, FREE);
  const cmd = control[slotWord(s, CMD)];
  try {
    // Files first used by this slot were announced just before it.
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
      const paths = m.message as string[];
      for (let i = 0; i < paths.length; i += 2) files?.target(paths[i], paths[i + 1]);
    }
    if (!failed && files) {
      const { bytes, runs } = slots[s];
      for (let r = 0, start = 0, n = control[slotWord(s, RUNS)]; r < n; r++) {
        const end = runs[2 * r + 1];
        files.putRun(runs[2 * r], bytes, start, end);
        start = end;
      }
      if (cmd === SYNC) files.sync();
    }
  } catch (err) {
    fail(err);
  }
  if (cmd === CLOSE) {
    try {
      files?.close();
    } catch (err) {
      fail(err);
    }
  }
  Atomics.store(control, state, FREE);
  Atomics.notify(control, state);
  if (cmd !== NONE) parentPort!.postMessage({ bytesWritten: files?.bytesWritten ?? 0 } satisfies CommandDone);
  if (cmd === CLOSE) break;
}
port.close();
