// Scenario 9: overlapping and stale runs. A run finding the lock held by a
// live process exits 75 at once, naming the holder's pid, and touches
// nothing; a lock left by a dead process on this host is taken over and the
// summary says so; a lock from another host is never taken over.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOUR, SLUGS, T0, fixture, history, nowFlag, removeFixtures } from './helpers/fixture.js';
import { expectOracle, latestOf } from './helpers/published.js';
import { ROOT, child, cli, runHourly } from './helpers/run.js';

afterAll(removeFixtures);
const lockPath = (data: string) => join(data, 'state', 'run.lock');

function holdLock(data: string, pid: number, host = hostname()): void {
  mkdirSync(join(data, 'state'), { recursive: true });
  writeFileSync(lockPath(data), JSON.stringify({ pid, host, startedAt: '2026-11-29T09:05:00.000Z', command: 'run --hourly' }));
}

/** A process that is alive until killed. */
function liveProcess() {
  const p = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  return { pid: p.pid!, stop: () => new Promise<void>((r) => (p.kill('SIGKILL'), p.on('exit', () => r()))) };
}

/** The pid of a process that has exited. */
const deadPid = () =>
  new Promise<number>((resolve) => {
    const p = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    p.on('exit', () => resolve(p.pid!));
  });

describe('the run lock', () => {
  it('held by a live process on this host: exit 75 within a second naming its pid; nothing is touched', async () => {
    const f = fixture();
    f.write(history(1, 100, T0 - 6 * HOUR, T0));
    expect((await runHourly(f.data, nowFlag(T0))).code).toBe(0);
    const before = latestOf(f.data)!.release;
    f.write(history(2, 20, T0, T0 + HOUR));
    const holder = liveProcess();
    try {
      holdLock(f.data, holder.pid);
      const lock = readFileSync(lockPath(f.data), 'utf8');
      const t = Date.now();
      const r = await runHourly(f.data, nowFlag(T0 + HOUR));
      expect(Date.now() - t).toBeLessThan(1000);
      expect(r.code).toBe(75);
      expect(r.stderr).toContain(`pid ${holder.pid} `);
      expect(r.stdout).toBe('');
      expect(readFileSync(lockPath(f.data), 'utf8')).toBe(lock);
      expect(latestOf(f.data)!.release).toBe(before);
    } finally {
      await holder.stop();
    }
    // Once the holder is gone the next run takes the lock over and catches up.
    const r = await runHourly(f.data, nowFlag(T0 + HOUR));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).staleLockTakenOver).toContain(`pid ${holder.pid} on ${hostname()}`);
    expectOracle(f.data, f.ledger, T0 + HOUR, [...SLUGS, 'uncategorized']);
  }, 30_000);

  it('held by a real run in progress (stopped with SIGSTOP): the second run exits 75 naming it; the first then finishes', async () => {
    const f = fixture();
    f.write(history(1, 300, T0 - 30 * HOUR, T0));
    const first = spawn(join(ROOT, 'bin', 'rank-pipeline.js'), ['run', '--hourly', '--data', f.data, '--now', nowFlag(T0), '--workers', '1', '--quiet'], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => first.on('exit', (code) => r(code)));
    try {
      // Stop it as soon as it holds the lock.
      const deadline = Date.now() + 20_000;
      while (!existsSync(lockPath(f.data)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      process.kill(first.pid!, 'SIGSTOP');
      let holderPid: number | undefined;
      try {
        holderPid = JSON.parse(readFileSync(lockPath(f.data), 'utf8')).pid;
      } catch {
        holderPid = undefined;
      }
      expect(holderPid, 'the first run was stopped while holding the lock').toBe(first.pid);
      {
        const second = await child(['run', '--hourly', '--data', f.data, '--now', nowFlag(T0), '--workers', '1']);
        expect(second.code).toBe(75);
        expect(second.stderr).toContain(`pid ${first.pid} `);
      }
    } finally {
      process.kill(first.pid!, 'SIGCONT');
    }
    expect(await exited).toBe(0);
    expect(existsSync(lockPath(f.data))).toBe(false);
    expectOracle(f.data, f.ledger, T0, [...SLUGS, 'uncategorized']);
  }, 60_000);

  it('left by a dead process on this host: taken over, and the summary says so', async () => {
    const f = fixture();
    f.write(history(1, 100, T0 - 6 * HOUR, T0));
    const pid = await deadPid();
    holdLock(f.data, pid);
    const r = await runHourly(f.data, nowFlag(T0));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).staleLockTakenOver).toBe(`pid ${pid} on ${hostname()} since 2026-11-29T09:05:00.000Z`);
    expect(existsSync(lockPath(f.data))).toBe(false);
    // The human summary says it too.
    holdLock(f.data, pid);
    const human = await cli(['run', '--hourly', '--data', f.data, '--now', nowFlag(T0 + HOUR), '--workers', '1']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`took over a stale lock: pid ${pid} on ${hostname()}`);
  }, 30_000);

  // Regression: the "nothing to do" summary once left the takeover out.
  it('taken over by a run that has nothing to do: the summary still says so', async () => {
    const f = fixture();
    f.write(history(1, 100, T0 - 6 * HOUR, T0));
    expect((await runHourly(f.data, nowFlag(T0))).code).toBe(0);
    const pid = await deadPid();
    holdLock(f.data, pid);
    const r = await runHourly(f.data, new Date(T0 + 20 * 60_000).toISOString());
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.status).toBe('nothing to do');
    expect(existsSync(lockPath(f.data))).toBe(false);
    expect(s.staleLockTakenOver).toBe(`pid ${pid} on ${hostname()} since 2026-11-29T09:05:00.000Z`);
  }, 30_000);

  it('torn (empty) after a crash between create and write: taken over', async () => {
    const f = fixture();
    f.write(history(1, 50, T0 - 3 * HOUR, T0));
    mkdirSync(join(f.data, 'state'), { recursive: true });
    writeFileSync(lockPath(f.data), '');
    const r = await runHourly(f.data, nowFlag(T0));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).staleLockTakenOver).toBeDefined();
  }, 30_000);

  it('held by another host: exit 75 naming the host and how to clear it; never taken over', async () => {
    const f = fixture();
    f.write(history(1, 50, T0 - 3 * HOUR, T0));
    holdLock(f.data, await deadPid(), 'other-host');
    const r = await runHourly(f.data, nowFlag(T0));
    expect(r.code).toBe(75);
    expect(r.stderr).toContain('on other-host');
    expect(r.stderr).toContain(lockPath(f.data));
    expect(latestOf(f.data)).toBeUndefined();
  }, 30_000);
});
