// What every command shares: the common flags of CONTRACT.md §1, resolved
// once (flags, then environment, then defaults), validated with messages that
// name the flag, and frozen. Below the CLI nothing reads process.env, the
// clock or the cwd: they arrive here, in a Config.
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { usageError } from '../errors.js';
import { parseTimeFlag } from '../time.js';

export interface Config {
  readonly dataDir: string;
  readonly outDir: string;
  readonly workers: number;
  readonly quiet: boolean;
  readonly json: boolean;
  /** Progress lines go to stderr only when it is a terminal and not --quiet. */
  readonly progress: boolean;
}

/** The world a command runs in; tests pass their own. */
export interface Env {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly now: () => number;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stdin: NodeJS.ReadableStream;
}

export const processEnv = (): Env => ({
  env: process.env,
  cwd: process.cwd(),
  now: () => Date.now(),
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
});

export interface CommonFlags {
  data?: string;
  out?: string;
  workers?: string;
  quiet?: boolean;
  json?: boolean;
}

/** Adds the common flags to a command, so each command's --help lists them. */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--data <dir>', 'data directory (env RANK_DATA)').default(undefined, './data'))
    .addOption(new Option('--out <dir>', 'output directory the CDN serves (env RANK_OUT)').default(undefined, 'DATA/public'))
    .addOption(new Option('--workers <n>', 'worker threads').default(undefined, 'CPU count'))
    .option('--quiet', 'print nothing but errors')
    .option('--json', 'print a machine-readable summary on stdout');
}

export function positiveInt(value: string | undefined, flag: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) {
    throw usageError(`${flag} ${JSON.stringify(value)} is not a whole number from 1 to ${max}`, { hint: `for example ${flag} ${Math.min(fallback, max)}` });
  }
  return Number(value);
}

export function resolveConfig(flags: CommonFlags, world: Env): Config {
  const dataDir = resolve(world.cwd, flags.data ?? world.env.RANK_DATA ?? './data');
  const outDir = resolve(world.cwd, flags.out ?? world.env.RANK_OUT ?? `${dataDir}/public`);
  const workers = positiveInt(flags.workers, '--workers', availableParallelism(), 256);
  const quiet = flags.quiet === true;
  const json = flags.json === true;
  return Object.freeze({ dataDir, outDir, workers, quiet, json, progress: !quiet && world.stderr.isTTY === true });
}

/** `--now T`, or the clock. */
export const resolveNow = (value: string | undefined, world: Env): number =>
  value === undefined ? world.now() : parseTimeFlag(value, '--now');

/** Human output: to stdout unless --quiet or --json (then the JSON is the only stdout). */
export function say(config: Config, world: Env, text: string): void {
  if (!config.quiet && !config.json) world.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(world: Env, value: unknown): void {
  world.stdout.write(`${JSON.stringify(value)}\n`);
}
