// The node flags the pool's worker threads start with. A worker given no
// list inherits this process's flags unchecked; given one (the pool adds
// --no-experimental-require-module, runner.ts), Node checks it and refuses
// V8 and per-process options (--max-old-space-size, --stack-trace-limit,
// --title, …: ERR_WORKER_INVALID_EXEC_ARGV), so `node
// --max-old-space-size=8192 bin/rank-pipeline.js run --hourly` died with
// exit 70 as its pool started. Those options are set for the process and
// V8, not for one thread; the rest (--cpu-prof for the bench's profiles,
// --enable-source-maps, --inspect, …) are passed on. Node lists no option
// as one or the other, so a flag not known to be accepted is tried on a
// worker, which is stopped at once (a worker refused is never started).
import { Worker } from 'node:worker_threads';

/** Accepted by workers, and passed on without a try: a try would write an empty --cpu-prof profile. */
const KNOWN_ACCEPTED = /^--(?:cpu-prof|heap-prof|enable-source-maps|inspect|no-warnings|(?:no-)?experimental-)/;

let forThisProcess: string[] | undefined;

/** This process's node flags that a worker accepts, and the extra ones given. */
export function workerExecArgv(extra: readonly string[] = []): string[] {
  forThisProcess ??= acceptedByWorkers(process.execArgv);
  return [...forThisProcess, ...extra];
}

/** The flags of `argv` (each with the values after it, as in `--cpu-prof-dir DIR`) that a worker accepts. */
export function acceptedByWorkers(argv: readonly string[]): string[] {
  const flags: string[][] = [];
  for (const arg of argv) {
    if (arg.startsWith('-') || flags.length === 0) flags.push([arg]);
    else flags[flags.length - 1].push(arg);
  }
  return flags.filter((f) => KNOWN_ACCEPTED.test(f[0]) || workerAccepts(f)).flat();
}

function workerAccepts(execArgv: string[]): boolean {
  try {
    void new Worker('', { eval: true, execArgv }).terminate();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_WORKER_INVALID_EXEC_ARGV') return false;
    throw err;
  }
}
