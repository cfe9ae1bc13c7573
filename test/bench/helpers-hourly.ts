// Bench helper for hourly.ts: running the two contestants as processes
// (`rank-pipeline run --hourly` and the DuckDB baseline in child mode), the
// optional --cpu-prof run, and the printing: one line per measurement as it
// is taken, with its ratio against DuckDB, and a markdown table at the end.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeStages } from '../../src/cli/run.js';
import { packageRoot } from '../../src/package-root.js';
import type { ListsResult, ListsSpec } from './duckdb-baseline.js';
import { type Measured, faultsText, measure, printTimeline, timelineOf } from './helpers-process.js';
import { printProfiles, summarizeProfiles } from './helpers-profile.js';

export interface Row {
  measurement: string;
  ours: number;
  duck: number;
  unit: string;
  /** ours / DuckDB. */
  ratio: number;
  target: string;
  /** undefined: no target, printed for information. */
  met: boolean | undefined;
}

const fmt = (x: number, unit: string) => `${x.toFixed(unit === 'MB/s' ? 0 : 2)} ${unit}`;
const metText = (m: boolean | undefined) => (m === undefined ? '-' : m ? 'met' : 'NOT met');

export function printRow(rows: Row[], row: Row): void {
  rows.push(row);
  console.log(`hourly ${row.measurement}: ours ${fmt(row.ours, row.unit)}, DuckDB ${fmt(row.duck, row.unit)}, ratio ${row.ratio.toFixed(2)}×; target ${row.target}: ${metText(row.met)}`);
}

export function printTable(rows: Row[]): void {
  if (rows.length === 0) return;
  console.log('\n| measurement | ours | DuckDB | ratio ours/DuckDB | target | met? |\n|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.measurement} | ${fmt(r.ours, r.unit)} | ${fmt(r.duck, r.unit)} | ${r.ratio.toFixed(2)}× | ${r.target} | ${metText(r.met)} |`);
  console.log('');
}

const bin = () => join(packageRoot(), 'bin', 'rank-pipeline.js');

/** The environment of the CLI runs: no RANK_DATA / RANK_OUT / RANK_FAULT leaking in from the caller. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('RANK_')) delete env[k];
  return env;
}

/**
 * The interpreter the command's first line names and its argument, as the
 * kernel runs them (`/usr/bin/env`, `-S GLIBC_TUNABLES=… node`), for a run
 * that puts node flags between them and the script.
 */
function interpreterLine(): string[] {
  const line = readFileSync(bin(), 'utf8').split('\n', 1)[0].slice(2);
  const space = line.indexOf(' ');
  return space < 0 ? [line] : [line.slice(0, space), line.slice(space + 1)];
}

/**
 * `rank-pipeline run --hourly` (or `--daily`) as cron runs it: the executable
 * itself (plus a terminal, for the stage lines). With node flags (profiles),
 * its first line's command runs it with the flags in front.
 */
export async function runCli(dataDir: string, now: string, opts: { workers: number; tty: boolean; kind?: 'hourly' | 'daily' }, nodeFlags: string[] = []): Promise<Measured> {
  const kind = opts.kind ?? 'hourly';
  const args = ['run', `--${kind}`, '--data', dataDir, '--now', now, '--workers', String(opts.workers), '--json'];
  const argv = nodeFlags.length === 0 ? [bin(), ...args] : [...interpreterLine(), ...nodeFlags, bin(), ...args];
  const m = await measure(argv[0], argv.slice(1), { tty: opts.tty, env: cleanEnv() });
  if (m.status !== 0) throw new Error(`rank-pipeline run --${kind} --data ${dataDir} exited ${m.status}:\n${m.stdout}\n${m.stderr}`);
  return m;
}

export function printStages(label: string, m: Measured): void {
  const marks = timelineOf(m.stdout + m.stderr);
  console.log(
    `hourly ${label}: ours ${m.seconds.toFixed(2)} s, CPU ${m.cpuSeconds.toFixed(2)} s${faultsText(m)}, peak RSS ${(m.maxRss / 2 ** 20).toFixed(0)} MiB, load ${m.load.toFixed(1)}` +
      `${marks.length ? '; progress timeline:' : ''}`,
  );
  const stages = stagesOf(m.stdout);
  if (stages) console.log(`  stages (the run's own clock, from its summary): ${describeStages(stages)}`);
  printTimeline(marks, m.seconds);
}

/** The stages of the run's --json summary (its last line on stdout, after any progress on a terminal). */
function stagesOf(stdout: string): Record<string, number> | undefined {
  const line = stdout.replace(/\r/g, '').trim().split('\n').at(-1) ?? '';
  try {
    return (JSON.parse(line) as { stages?: Record<string, number> }).stages;
  } catch {
    return undefined;
  }
}

/** The DuckDB baseline as a process of its own, like ours. */
export const runDuckLists = (workDir: string, spec: Omit<ListsSpec, 'resultFile'>) =>
  runDuckChild<ListsResult>(workDir, fileURLToPath(new URL('./duckdb-baseline.js', import.meta.url)), '--child', spec);

/**
 * A DuckDB baseline as a process of its own, like ours: `script flag SPEC`,
 * which writes its result to the spec's resultFile.
 */
export async function runDuckChild<R>(workDir: string, script: string, flag: string, spec: object): Promise<Measured & { result: R }> {
  const dir = join(workDir, 'duckdb');
  mkdirSync(dir, { recursive: true });
  const specFile = join(dir, 'spec.json');
  const resultFile = join(dir, 'result.json');
  writeFileSync(specFile, JSON.stringify({ ...spec, resultFile }));
  const m = await measure(process.execPath, [script, flag, specFile]);
  if (m.status !== 0) throw new Error(`DuckDB baseline ${script} exited ${m.status}:\n${m.stdout}\n${m.stderr}`);
  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as R;
  rmSync(dir, { recursive: true, force: true });
  return { ...m, result };
}

/** An extra, untimed run of a scenario under --cpu-prof (main thread and workers), summarized. */
export async function profileRun(label: string, dataDir: string, now: string, opts: { workers: number; tty: boolean }, dir: string): Promise<void> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sync');
  const m = await runCli(dataDir, now, opts, ['--cpu-prof', '--cpu-prof-dir', dir]);
  printStages(`${label} (under --cpu-prof)`, m);
  printProfiles(label, summarizeProfiles(dir, packageRoot()));
}
