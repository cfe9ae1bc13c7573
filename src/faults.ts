// Fault injection for the reliability suite, off unless RANK_FAULT is set
// (read once by the CLI, the only place that reads the environment):
//   RANK_FAULT=crash:POINT        SIGKILL this process on reaching POINT
//   RANK_FAULT=io:ENOSPC:N        the Nth durable write fails (ENOSPC or EIO)
//   RANK_FAULT=worker:once|always a map task throws on its first / every attempt
// Crash points are named after the commit protocol's steps (CRASH_POINTS).
// This is process-wide state on purpose: it must reach code paths that no
// caller would otherwise thread a parameter through.

export const CRASH_POINTS = [
  'after-map',
  'after-hour-files',
  'after-daily-files',
  'before-release-rename',
  'after-release-rename',
  'before-state',
  'after-window-file',
  'before-latest',
  'after-latest',
] as const;
export type CrashPoint = (typeof CRASH_POINTS)[number];

export interface Faults {
  crashAt?: string;
  io?: { code: 'ENOSPC' | 'EIO'; nth: number };
  worker?: 'once' | 'always';
}

let active: Faults = {};
let writes = 0;

export function parseFaults(spec: string | undefined): Faults {
  if (!spec) return {};
  const [kind, a, b] = spec.split(':');
  if (kind === 'crash' && a) return { crashAt: a };
  if (kind === 'io' && (a === 'ENOSPC' || a === 'EIO') && Number(b) >= 1) return { io: { code: a, nth: Number(b) } };
  if (kind === 'worker' && (a === 'once' || a === 'always')) return { worker: a };
  throw new Error(`RANK_FAULT=${spec} is not crash:POINT, io:ENOSPC|EIO:N or worker:once|always`);
}

export function setFaults(faults: Faults): void {
  active = faults;
  writes = 0;
}

export const activeFaults = (): Faults => active;

/** Dies here, as a power cut or kill -9 would, when RANK_FAULT names this point. */
export function crashPoint(name: CrashPoint): void {
  if (active.crashAt === name) process.kill(process.pid, 'SIGKILL');
}

/** Called before each durable write; throws the injected error on the Nth. */
export function beforeWrite(path: string): void {
  if (active.io && ++writes === active.io.nth) {
    const { code } = active.io;
    throw Object.assign(new Error(`${code}: injected failure, write '${path}'`), { code, path });
  }
}
