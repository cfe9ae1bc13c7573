// One run at a time per data directory: a lock file created exclusively,
// holding pid, host and start time. A lock whose process is gone (same host,
// no such pid) is stale: it is taken over and the takeover is reported. The
// lock appears whole: it is written to a file of this process's own and
// hard-linked into place (link(2) fails if the lock exists), so another run
// never reads it empty, between its creation and its write, and takes it
// for a crashed run's.
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ExitCode, PipelineError } from '../errors.js';
import { mkdirDurable } from '../fs/atomic.js';
import { statePaths } from '../layout.js';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface Lock {
  /** Set when a stale lock was taken over. */
  readonly tookOver?: LockInfo;
  release(): void;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export function acquireLock(dataDir: string, command: string, startedAt: string): Lock {
  const path = statePaths(dataDir).lock;
  mkdirDurable(statePaths(dataDir).dir);
  const me: LockInfo = { pid: process.pid, host: hostname(), startedAt, command };
  let tookOver: LockInfo | undefined;
  const mine = `${path}.${process.pid}`;
  writeFileSync(mine, JSON.stringify(me));
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(mine, path);
        return { tookOver, release: () => rmSync(path, { force: true }) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const stale = staleHolder(path, me);
      if (stale) {
        tookOver = stale;
        rmSync(path, { force: true });
      }
    }
  } finally {
    rmSync(mine, { force: true });
  }
  throw new PipelineError({ exitCode: ExitCode.tempFail, message: 'another run took the lock while a stale one was removed', path });
}

/** The holder of the lock in place, which is stale; exit 75 when it is alive; undefined when the lock is gone since. */
function staleHolder(path: string, me: LockInfo): LockInfo | undefined {
  let holder: LockInfo | undefined;
  try {
    holder = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    holder = undefined; // not a lock this code writes: stale
  }
  if (holder && (holder.host !== me.host || alive(holder.pid))) {
    throw new PipelineError({
      exitCode: ExitCode.tempFail,
      message: `another run holds the lock: pid ${holder.pid} on ${holder.host} (${holder.command}), since ${holder.startedAt}`,
      path,
      hint: holder.host === me.host ? 'cron retries later; wait for it to finish' : `if that host is gone, delete ${path}`,
    });
  }
  return holder ?? { pid: 0, host: '?', startedAt: '?', command: '?' };
}
