// Where a job runs. `inline` calls the task in this thread (the real stack
// trace, for tests and debugging); `pool` runs it on piscina worker threads,
// created by start() or the first task and destroyed in close(). Both take the same task objects,
// so one conformance table covers both. A task that throws or whose worker
// dies is retried once; data errors come back as values and are not retried.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { ExitCode, PipelineError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { workerExecArgv } from '../worker-flags.js';
import type * as Jobs from '../../jobs/index.js';

type JobName = keyof typeof Jobs;
type JobInput<K extends JobName> = Parameters<(typeof Jobs)[K]>[0];
type JobOutput<K extends JobName> = ReturnType<(typeof Jobs)[K]>;

export interface Runner {
  readonly kind: 'inline' | 'pool';
  /** How many tasks run at once. */
  readonly parallelism: number;
  run<K extends JobName>(name: K, input: JobInput<K>): Promise<JobOutput<K>>;
  /** Starts the workers now (else the first run() does), so that their start-up overlaps the caller's own work. */
  start(): void;
  close(): Promise<void>;
}

const ATTEMPTS = 2;

async function withRetry<T>(name: string, attempt: (i: number) => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < ATTEMPTS; i++) {
    try {
      return await attempt(i);
    } catch (err) {
      last = err;
    }
  }
  throw new PipelineError(
    { exitCode: ExitCode.software, message: `job ${name} failed ${ATTEMPTS} times: ${(last as Error)?.message ?? String(last)}` },
    { cause: last },
  );
}

export function inlineRunner(): Runner {
  let jobs: typeof Jobs | undefined;
  return {
    kind: 'inline',
    parallelism: 1,
    async run(name, input) {
      jobs ??= await import('../../jobs/index.js');
      const fn = jobs[name] as (x: typeof input) => JobOutput<typeof name>;
      return withRetry(name, async (attempt) => fn({ ...input, attempt }));
    },
    start() {},
    async close() {},
  };
}

/** The compiled job registry: dist/jobs/index.js, also when this module runs from src/ under vitest. */
function jobsModulePath(): string {
  const compiled = join(packageRoot(), 'dist', 'jobs', 'index.js');
  if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run \`npm run build\` first`);
  return compiled;
}

/**
 * piscina loads the jobs with require() first, which Node 20.19+ lets load
 * an ES module (require(esm), experimental there). Now and then it crashed
 * a worker's whole process with a V8 fatal error (`v8::Module::IsGraphAsync
 * must be used on an instantiated module`: in two of about ten full test
 * runs, the one seen whole right after a worker thread died and was
 * replaced). With it
 * turned off in the workers, require() fails cleanly and piscina imports the
 * module instead.
 */
const WORKER_EXEC_ARGV = process.allowedNodeEnvironmentFlags.has('--no-experimental-require-module') ? ['--no-experimental-require-module'] : [];

export function poolRunner(workers: number): Runner {
  let pool: Piscina | undefined;
  const start = (): Piscina => {
    if (pool) return pool;
    pool = new Piscina({ filename: jobsModulePath(), minThreads: workers, maxThreads: workers, idleTimeout: 1000, execArgv: workerExecArgv(WORKER_EXEC_ARGV) });
    // A worker that dies mid-task rejects that task (retried above); the
    // pool's own 'error' event must not become an uncaught exception.
    pool.on('error', () => undefined);
    return pool;
  };
  return {
    kind: 'pool',
    parallelism: workers,
    start,
    run(name, input) {
      const p = start();
      return withRetry(name, (attempt) => p.run({ ...input, attempt }, { name }));
    },
    async close() {
      const p = pool;
      pool = undefined;
      await p?.destroy().catch(() => undefined);
    },
  };
}

/** One worker means inline: no thread start-up, same results (a test pins that). */
export const makeRunner = (workers: number): Runner => (workers <= 1 ? inlineRunner() : poolRunner(workers));
