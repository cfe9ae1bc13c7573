// Running the pipeline for the reliability suite: in-process through the CLI
// (fast, the same code path as bin/), or as a child process for faults that
// end the process (RANK_FAULT=crash:POINT sends it SIGKILL).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, type CliResult } from '../../pipeline/helpers/world.js';

export { cli, type CliResult };

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'rank-pipeline.js');

export interface ChildResult extends CliResult {
  signal: NodeJS.Signals | null;
  pid: number;
  ms: number;
}

/** `bin/rank-pipeline.js ...args` (an executable, as cron runs it) with RANK_FAULT set; resolves when it ends, however it ends. */
export function child(args: string[], fault?: string, timeoutMs = 60_000): Promise<ChildResult> {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'index.js'))) throw new Error('dist/ is missing: run `npx tsc -p .` before the reliability suite');
  const env = { ...process.env };
  delete env.RANK_FAULT;
  delete env.RANK_DATA;
  delete env.RANK_OUT;
  if (fault) env.RANK_FAULT = fault;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const p = spawn(BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, signal, pid: p.pid ?? 0, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** `run --hourly` in-process, --workers 1 (inline) unless given. */
export const runHourly = (data: string, now: string, ...more: string[]) =>
  cli(['run', '--hourly', '--data', data, '--now', now, '--json', ...(more.includes('--workers') ? [] : ['--workers', '1']), ...more]);

/** Same, in a child process with RANK_FAULT. */
export const runHourlyChild = (data: string, now: string, fault: string | undefined, ...more: string[]) =>
  child(['run', '--hourly', '--data', data, '--now', now, '--json', ...(more.includes('--workers') ? [] : ['--workers', '1']), ...more], fault);
