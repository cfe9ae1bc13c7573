// Bench helper: run a command as its own process and measure what an operator
// would see: wall time from spawn to exit, and the process's CPU, peak RSS and
// minor page faults (worker threads included, they share the process). These
// come from GNU time (`/usr/bin/time -f '%U %S %M %R'`) when it is installed;
// else peak RSS comes from sampling VmHWM in /proc/PID/status every 20 ms (a
// floor: the last ~20 ms before exit are missed), and CPU and faults are NaN.
// With `tty`, the command runs under script(1), so the CLI's per-stage
// progress lines (printed only on a terminal) come back in the output too.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Measured {
  status: number | null;
  seconds: number;
  /** Peak resident set size in bytes. */
  maxRss: number;
  /** User + system CPU seconds of the process (all its threads), NaN without GNU time. */
  cpuSeconds: number;
  /**
   * Minor page faults of the process, NaN without GNU time. On this machine a
   * fault costs ~20 µs, so the count explains much of a run's CPU, and it
   * varies less from run to run than the seconds do.
   */
  minorFaults: number;
  /** 1-minute load average when the command started: other work on the machine skews wall times. */
  load: number;
  /** stdout (and, under a TTY, stderr too: script(1) merges them). */
  stdout: string;
  stderr: string;
}

export interface MeasureOptions {
  /** Run under script(1) to give the command a terminal. */
  tty?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

const GNU_TIME = '/usr/bin/time';
export const hasGnuTime = () => existsSync(GNU_TIME);
export const hasScript = () => existsSync('/usr/bin/script');

const shellQuote = (s: string) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export async function measure(cmd: string, args: string[], opts: MeasureOptions = {}): Promise<Measured> {
  const scratch = mkdtempSync(join(tmpdir(), 'rank-bench-time-'));
  const timeFile = join(scratch, 'time');
  try {
    let argv = [cmd, ...args];
    const gnu = hasGnuTime();
    if (gnu) argv = [GNU_TIME, '-f', '%U %S %M %R', '-o', timeFile, ...argv];
    if (opts.tty && hasScript()) argv = ['/usr/bin/script', '-qefc', argv.map(shellQuote).join(' '), '/dev/null'];
    const load = loadavg()[0];
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    let sampled = 0;
    const sampler = gnu ? undefined : setInterval(() => (sampled = Math.max(sampled, vmHwm(child.pid))), 20);
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => resolve(code));
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (sampler) clearInterval(sampler);
    const usage = gnu && existsSync(timeFile) ? parseGnuTime(readFileSync(timeFile, 'utf8')) : { cpuSeconds: Number.NaN, maxRss: sampled, minorFaults: Number.NaN };
    return { status, seconds, ...usage, load, stdout, stderr };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** GNU time's -o file: a "Command exited with non-zero status" line may come first; `%U %S %M %R` is the last. */
function parseGnuTime(text: string): { cpuSeconds: number; maxRss: number; minorFaults: number } {
  const [user, sys, kb, faults] = (text.trim().split('\n').at(-1) ?? '').trim().split(/\s+/).map(Number);
  return { cpuSeconds: user + sys, maxRss: Number.isFinite(kb) ? kb * 1024 : 0, minorFaults: faults };
}

/** The process's peak RSS so far (and its descendants' is not included), 0 when it is gone. */
function vmHwm(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Consecutive progress lines of `run --hourly` that say the same thing (digits aside), and when they came. */
export interface Mark {
  name: string;
  /** Seconds on the CLI's clock (it starts after its modules load) of the first and last such line. */
  first: number;
  last: number;
  count: number;
}

/**
 * The CLI's progress lines (`[   3.1s] map: …`, printed on a terminal) as a
 * timeline, runs of similar lines folded into one (every map and counts line
 * into one phase). The CLI owns the wording,
 * and some lines open a stage (`reduce: ranking every list`) while others
 * close one (`counts: 2026-11-27: 1 hour files written`), so this only says
 * when each was printed; the gap to the next mark is printed with it.
 */
export function timelineOf(output: string): Mark[] {
  const marks: Mark[] = [];
  for (const raw of output.split('\n')) {
    const m = /^\[\s*([\d.]+)s\] (.*)$/.exec(raw.replace(/\r/g, '').trim());
    if (!m) continue;
    const at = Number(m[1]);
    // A run maps day by day (map lines, then that day's counts line): one phase.
    const name = /^(map|counts):/.test(m[2]) ? 'map + counts (log directories → hour count files)' : m[2].replace(/\d+/g, 'N');
    const prev = marks.at(-1);
    if (prev && prev.name === name) {
      prev.last = at;
      prev.count++;
    } else marks.push({ name, first: at, last: at, count: 1 });
  }
  return marks;
}

export function printTimeline(marks: Mark[], totalSeconds: number): void {
  if (marks.length === 0) return;
  console.log(`  ${'0.0'.padStart(9)} s  (start: lock, state, catalog load until the first line)`);
  marks.forEach((m, i) => {
    const next = i + 1 < marks.length ? marks[i + 1].first : totalSeconds;
    const span = m.count > 1 ? `${m.first.toFixed(1)}–${m.last.toFixed(1)}` : m.first.toFixed(1);
    console.log(`  ${span.padStart(9)} s  ${m.name}${m.count > 1 ? ` (${m.count} lines)` : ''}   [+${(next - m.last).toFixed(1)} s to the next]`);
  });
  console.log(`  ${totalSeconds.toFixed(1).padStart(9)} s  exit (process wall, node start-up included)`);
}

export const mib = (bytes: number) => bytes / 2 ** 20;
/** ", 178k minor faults", or nothing without GNU time. */
export const faultsText = (m: Pick<Measured, 'minorFaults'>) => (Number.isNaN(m.minorFaults) ? '' : `, ${Math.round(m.minorFaults / 1000)}k minor faults`);
export const fmtS = (s: number) => `${s.toFixed(2)} s`;
