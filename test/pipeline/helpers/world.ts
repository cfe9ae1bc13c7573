// Runs the CLI in-process against a temp data directory, capturing output:
// the same code path as bin/rank-pipeline.js, minus the process.
import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/index.js';
import type { Env } from '../../../src/cli/common.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = new PassThrough();
  const err = new PassThrough();
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const stdin = new PassThrough();
  stdin.end(opts.stdin ?? '');
  const world: Env = {
    env: opts.env ?? {},
    cwd: opts.cwd ?? process.cwd(),
    now: () => Date.now(),
    stdout: out,
    stderr: Object.assign(err, { isTTY: false }),
    stdin,
  };
  const code = await main(['node', 'rank-pipeline', ...args], world);
  return { code, stdout, stderr };
}

/** A run summary's stages (RunSummary.stages): these names in this order, each a time in seconds to the millisecond. */
export function stageNames(stages: Record<string, number>): string[] {
  for (const [name, seconds] of Object.entries(stages)) {
    // n / 1000 times 1000 is not always n again in floating point (1.001 * 1000): a millisecond within rounding.
    if (!(Number.isFinite(seconds) && seconds >= 0 && Math.abs(seconds * 1000 - Math.round(seconds * 1000)) < 1e-6)) throw new Error(`stage ${name}: ${seconds} is not seconds to the millisecond`);
  }
  return Object.keys(stages);
}
