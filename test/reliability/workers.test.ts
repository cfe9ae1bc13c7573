// Scenarios 2 and 3: the map stage's runner. Lists are byte-identical
// whether the map tasks run inline (--workers 1) or on a piscina pool
// (--workers 2); a task that throws (inline) or whose worker thread dies
// (pool) on its first attempt is retried and changes nothing; a task that
// always fails ends the run with exit 70 and publishes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, type Fixture, SLUGS, T0, fixture, history, nowFlag, removeFixtures } from './helpers/fixture.js';
import { expectOracle, latestOf, listsOf } from './helpers/published.js';
import { runHourly, runHourlyChild } from './helpers/run.js';

const T1 = T0;
const T2 = T0 + HOUR;
const more = history(2, 120, T0 - 20 * HOUR, T0 + 2 * HOUR);
let base: Fixture;
/** Lists of a clean --workers 1 run at T1, and after `more` at T2. */
let first: Record<string, string>;
let second: Record<string, string>;
let firstRelease: string;

beforeAll(async () => {
  base = fixture();
  base.write(history(1, 300, T0 - 30 * HOUR, T0 + 2 * HOUR));
  const f = base.copy();
  expect((await runHourly(f.data, nowFlag(T1))).code).toBe(0);
  first = listsOf(f.data);
  firstRelease = latestOf(f.data)!.release;
  f.write(more);
  expect((await runHourly(f.data, nowFlag(T2))).code).toBe(0);
  second = listsOf(f.data);
  expectOracle(f.data, f.ledger, T2, [...SLUGS, 'uncategorized']);
}, 60_000);
afterAll(removeFixtures);

describe('determinism across runners', () => {
  it('publishes byte-identical lists and the same release id with --workers 2 as with --workers 1, first run and incremental run', async () => {
    const f = base.copy();
    const a = await runHourly(f.data, nowFlag(T1), '--workers', '2');
    expect(a.stderr).toBe('');
    expect(listsOf(f.data)).toEqual(first);
    expect(latestOf(f.data)!.release).toBe(firstRelease);
    f.write(more);
    expect((await runHourly(f.data, nowFlag(T2), '--workers', '2')).code).toBe(0);
    expect(listsOf(f.data)).toEqual(second);
  }, 30_000);
});

describe('a map task that fails once is retried', () => {
  it('--workers 1: a task that throws on its first attempt changes nothing, first run and incremental run', async () => {
    const f = base.copy();
    const a = await runHourlyChild(f.data, nowFlag(T1), 'worker:once', '--workers', '1');
    expect(a.stderr).toBe('');
    expect(a.code).toBe(0);
    expect(listsOf(f.data)).toEqual(first);
    f.write(more);
    expect((await runHourlyChild(f.data, nowFlag(T2), 'worker:once', '--workers', '1')).code).toBe(0);
    expect(listsOf(f.data)).toEqual(second);
  }, 30_000);

  // Slow on purpose: the run has one task per global hour of the 8-day scan
  // range (~180, present or not), and every first attempt takes its worker
  // thread down, so the pool starts ~180 threads.
  it('--workers 2: a worker thread that dies on every first attempt changes nothing', async () => {
    const f = base.copy();
    expect((await runHourly(f.data, nowFlag(T1), '--workers', '2')).code).toBe(0);
    f.write(more);
    const b = await runHourlyChild(f.data, nowFlag(T2), 'worker:once', '--workers', '2');
    expect(b.stderr).toBe('');
    expect(b.code).toBe(0);
    expect(listsOf(f.data)).toEqual(second);
  }, 120_000);
});

describe('a map task that always fails', () => {
  it('--workers 1: exits 70 naming the job, publishes nothing, commits nothing', async () => {
    const f = base.copy();
    const none = await runHourlyChild(f.data, nowFlag(T1), 'worker:always', '--workers', '1');
    expect(none.code).toBe(70);
    expect(none.stderr).toMatch(/job mapLogs failed 2 times/);
    expect(latestOf(f.data)).toBeUndefined();

    expect((await runHourly(f.data, nowFlag(T1))).code).toBe(0);
    f.write(more);
    const r = await runHourlyChild(f.data, nowFlag(T2), 'worker:always', '--workers', '1');
    expect(r.code).toBe(70);
    expect(latestOf(f.data)!.release).toBe(firstRelease);
    expect(listsOf(f.data)).toEqual(first);
    // Nothing was committed: the next run without the fault gives the clean lists.
    expect((await runHourly(f.data, nowFlag(T2))).code).toBe(0);
    expect(listsOf(f.data)).toEqual(second);
  }, 30_000);

  it('--workers 2: publishes nothing and commits nothing, however the process ends', async () => {
    const f = base.copy();
    expect((await runHourly(f.data, nowFlag(T1))).code).toBe(0);
    f.write(more);
    const r = await runHourlyChild(f.data, nowFlag(T2), 'worker:always', '--workers', '2');
    expect(r.code).not.toBe(0);
    expect(latestOf(f.data)!.release).toBe(firstRelease);
    expect(listsOf(f.data)).toEqual(first);
    expect((await runHourly(f.data, nowFlag(T2))).code).toBe(0);
    expect(listsOf(f.data)).toEqual(second);
  }, 30_000);

  // Regression: mapStage threw at the first failed task while others ran; the
  // pool was destroyed under them and piscina's 'error' event killed the
  // process (exit 1, or a V8 abort). Racy, so four runs: all four must exit 70.
  it('--workers 2: exits 70 naming the job, every time', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const f = base.copy();
      const r = await runHourlyChild(f.data, nowFlag(T1), 'worker:always', '--workers', '2');
      codes.push(r.code);
      expect(r.stderr).toMatch(/job map\w+ failed 2 times/);
      f.remove();
    }
    expect(codes).toEqual([70, 70, 70, 70]);
  }, 60_000);
});
