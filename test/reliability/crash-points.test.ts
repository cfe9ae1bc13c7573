// Scenario 1: kill -9 at every commit point of `run --hourly`. After each
// crash, latest.json names a whole release (or is absent when there was none
// before), and the next run, without the fault, publishes lists
// byte-identical to a clean run's on a copy of the same logs: nothing lost,
// nothing counted twice. The crashed run's lock (a dead pid) is taken over.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_POINTS, type CrashPoint } from '../../src/faults.js';
import { HOUR, type Fixture, SLUGS, T0, fixture, history, iso, nowFlag, removeFixtures } from './helpers/fixture.js';
import { expectOracle, latestOf, listsOf, outOf, quarantineRows, wholeRelease } from './helpers/published.js';
import { runHourly, runHourlyChild } from './helpers/run.js';

/** The points `run --hourly` passes (after-daily-files belongs to run --daily), in protocol order. */
const HOURLY_POINTS = CRASH_POINTS.filter((p) => p !== 'after-daily-files');
/** Points at which latest.json has already moved to the new release: those after 'before-latest'. */
const AFTER_POINTER = new Set<CrashPoint>(HOURLY_POINTS.slice(HOURLY_POINTS.indexOf('before-latest') + 1));
const ALL_SLUGS = [...SLUGS, 'uncategorized'];

const T1 = T0;
const T2 = T0 + HOUR;
let base: Fixture;
/** Lines appended between the first and the second run: late lines, the new hour, lines not yet due. */
const more = history(2, 150, T0 - 20 * HOUR, T0 + 2 * HOUR);
let cleanFirst: Record<string, string>;
let cleanSecond: Record<string, string>;

beforeAll(async () => {
  base = fixture();
  base.write(history(1, 400, T0 - 30 * HOUR, T0 + 2 * HOUR));
  const clean = base.copy();
  expect((await runHourly(clean.data, nowFlag(T1))).code).toBe(0);
  cleanFirst = listsOf(clean.data);
  expectOracle(clean.data, clean.ledger, T1, ALL_SLUGS);
  clean.write(more);
  expect((await runHourly(clean.data, nowFlag(T2))).code).toBe(0);
  cleanSecond = listsOf(clean.data);
  expectOracle(clean.data, clean.ledger, T2, ALL_SLUGS);
}, 60_000);
afterAll(removeFixtures);

function lockHolder(data: string): number | undefined {
  const path = join(data, 'state', 'run.lock');
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')).pid : undefined;
}

const tmpLeftovers = (data: string) => (existsSync(join(outOf(data), 'releases')) ? readdirSync(join(outOf(data), 'releases')).filter((n) => n.startsWith('.')) : []);

describe('kill -9 at a commit point of the first run ever', () => {
  it.each(HOURLY_POINTS)('%s: latest.json is absent or whole; the next run publishes the clean lists', async (point) => {
    const f = base.copy();
    const crashed = await runHourlyChild(f.data, nowFlag(T1), `crash:${point}`);
    expect(crashed.signal, `${point} is reached: ${crashed.stderr}`).toBe('SIGKILL');
    if (AFTER_POINTER.has(point)) expect(wholeRelease(f.data).lists.size).toBe(ALL_SLUGS.length + 1);
    else expect(latestOf(f.data)).toBeUndefined();
    expect(lockHolder(f.data)).toBe(crashed.pid);

    const next = await runHourly(f.data, nowFlag(T1));
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    const summary = JSON.parse(next.stdout);
    // (A run with nothing to do does not report the takeover: see lock.test.ts.)
    if (summary.status === 'published') expect(summary.staleLockTakenOver).toContain(`pid ${crashed.pid} `);
    expect(listsOf(f.data)).toEqual(cleanFirst);
    expect(tmpLeftovers(f.data)).toEqual([]);
  }, 30_000);
});

describe('kill -9 at a commit point of a later run', () => {
  it.each(HOURLY_POINTS)('%s: latest.json still names a whole release; the next run publishes the clean lists', async (point) => {
    const f = base.copy();
    expect((await runHourly(f.data, nowFlag(T1))).code).toBe(0);
    const before = latestOf(f.data)!.release;
    f.write(more);
    const crashed = await runHourlyChild(f.data, nowFlag(T2), `crash:${point}`);
    expect(crashed.signal, `${point} is reached: ${crashed.stderr}`).toBe('SIGKILL');
    const { latest } = wholeRelease(f.data);
    if (!AFTER_POINTER.has(point)) expect(latest.release).toBe(before);
    else expect(latest.release).not.toBe(before);

    const next = await runHourly(f.data, nowFlag(T2));
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(listsOf(f.data)).toEqual(cleanSecond);
    expectOracle(f.data, f.ledger, T2, ALL_SLUGS);
    expect(tmpLeftovers(f.data)).toEqual([]);
  }, 30_000);
});

describe('bad lines found by a run that was killed', () => {
  // Regression: the quarantine file was named by the run's clock and pid, so
  // the run that redid the work after a crash wrote the same bad lines again
  // under another name. It is now named after the state snapshot it commits.
  it('are kept in quarantine once after the next run redoes the work', async () => {
    const f = base.copy();
    const h = T0 - 3 * HOUR;
    f.raw(`logs/global/${iso(h).slice(0, 10)}/${iso(h).slice(11, 13)}/bad.log`, `1,${iso(h)},0\n`);
    const crashed = await runHourlyChild(f.data, nowFlag(T1), 'crash:after-map', '--max-bad-ratio', '0.5');
    expect(crashed.signal).toBe('SIGKILL');
    expect(quarantineRows(f.data)).toHaveLength(1);
    expect((await runHourly(f.data, nowFlag(T1), '--max-bad-ratio', '0.5')).code).toBe(0);
    expect(quarantineRows(f.data)).toHaveLength(1);
  }, 30_000);
});
