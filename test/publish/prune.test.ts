// Pruning (CONTRACT.md §4): keep the 3 most recent releases, every release
// latest.json pointed to in the last 2 hours, and every release a kept
// manifest names in ranksBase; delete the rest, and nothing that is not a
// release. An hourly run recycles the release pruning would delete next.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outPaths, releaseId } from '../../src/layout.js';
import { pruneReleases, recordPointer, recyclableRelease } from '../../src/publish/prune.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 27, 0, 5);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'prune-'));
  dirs.push(d);
  return d;
}

/** A release made at `at`, its manifest naming `ranksBase` when given. */
function release(out: string, at: number, kind: 'hourly' | 'daily', ranksBase?: string): string {
  const id = releaseId(at, kind, Math.round(at / 1000).toString(16).padStart(8, '0'));
  const dir = outPaths(out).release(id);
  mkdirSync(join(dir, 'categories'), { recursive: true });
  writeFileSync(join(dir, 'categories', 'toys.json'), '{}');
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ release: id, ...(ranksBase ? { ranksBase: `releases/${ranksBase}/` } : {}) }));
  return id;
}

const releasesIn = (out: string) => readdirSync(outPaths(out).releasesDir).sort();

describe('pruneReleases', () => {
  it('keeps the 3 most recent, those pointed to in the last 2 hours and the daily one they name; deletes the others', () => {
    const out = outDir();
    const daily = release(out, T0 + 10 * 60_000, 'daily');
    recordPointer(out, daily, T0 + 10 * 60_000);
    const hourly: string[] = [];
    for (let h = 1; h <= 9; h++) {
      hourly.push(release(out, T0 + h * HOUR, 'hourly', daily));
      recordPointer(out, hourly[h - 1], T0 + h * HOUR);
    }
    // A rerun at 09:35 republished 02:05's window: an old id, pointed to 30 minutes ago.
    const rerun = release(out, T0 + 2 * HOUR + 1000, 'hourly', daily);
    recordPointer(out, rerun, T0 + 9.5 * HOUR);
    const yesterday = release(out, T0 - 20 * HOUR, 'daily'); // named by no kept manifest
    mkdirSync(join(outPaths(out).releasesDir, 'not-a-release'));
    const now = T0 + 9.5 * HOUR;

    const removed = pruneReleases(out, now, rerun);

    // 3 most recent: 07, 08, 09; pointed to since 07:35: 08, 09 and the rerun; named: the daily one.
    expect(removed.sort()).toEqual([yesterday, ...hourly.slice(0, 6)].sort());
    expect(releasesIn(out)).toEqual([daily, ...hourly.slice(6), rerun, 'not-a-release'].sort());
  });

  it('keeps a release pointed to exactly 2 hours ago, and not one pointed to a second before that', () => {
    const out = outDir();
    const at = (h: number) => T0 + h * HOUR;
    const early = release(out, at(3) - 1000, 'hourly'); // 03:04:59
    recordPointer(out, early, at(3) - 1000);
    const edge = release(out, at(3), 'hourly'); // 03:05:00
    recordPointer(out, edge, at(3));
    // Three newer ones, pointed to later: the 3 most recent.
    const newer = [10, 20, 30].map((min, i) => {
      const id = release(out, at(3) + min * 60_000, 'hourly');
      recordPointer(out, id, at(4 + i / 2));
      return id;
    });
    expect(pruneReleases(out, at(5), newer[2])).toEqual([early]);
    expect(releasesIn(out)).toEqual([edge, ...newer]);
  });

  it('keeps a release latest.json moved off less than 2 hours ago, however long before it was first pointed to', () => {
    const out = outDir();
    const at = (h: number) => T0 + h * HOUR;
    // Served from 10:05 to 11:59, then three newer ones: at 13:05, 11:59 is within 2 hours.
    const long = release(out, at(10), 'hourly');
    recordPointer(out, long, at(10));
    const newer = [at(11) + 54 * 60_000, at(12) - 1000, at(13)].map((t) => {
      const id = release(out, t, 'hourly');
      recordPointer(out, id, t);
      return id;
    });
    const old = release(out, at(9), 'hourly'); // never pointed to
    expect(pruneReleases(out, at(13), newer[2])).toEqual([old]);
    expect(releasesIn(out)).toEqual([long, ...newer]);
    // Two hours after the move, it goes.
    expect(pruneReleases(out, at(11) + 54 * 60_000 + 2 * HOUR, newer[2])).toEqual([long]);
  });
});

describe('recyclableRelease', () => {
  const at = (h: number) => T0 + h * HOUR;
  /** A daily release at 00:15 and hourly ones at 01:05 … 05:05 naming it, each pointed to when made. */
  function cron(out: string) {
    const daily = release(out, at(0) + 10 * 60_000, 'daily');
    recordPointer(out, daily, at(0) + 10 * 60_000);
    const hourly = [1, 2, 3, 4, 5].map((h) => {
      const id = release(out, at(h), 'hourly', daily);
      recordPointer(out, id, at(h));
      return id;
    });
    return { daily, hourly };
  }

  it('is the oldest release that pruning deletes once the next hourly release is served', () => {
    const out = outDir();
    const { daily, hourly } = cron(out);
    const recycled = recyclableRelease(out, at(6), [hourly[4], daily]);
    expect(recycled).toBe(hourly[0]);
    const next = release(out, at(6), 'hourly', daily);
    recordPointer(out, next, at(6));
    expect(pruneReleases(out, at(6), next)).toContain(recycled);
  });

  it('is never the release latest.json names or the daily one the next release will name', () => {
    const out = outDir();
    const { daily, hourly } = cron(out);
    // latest.json still on 01:05 (cron stopped), the next release naming yesterday's daily one.
    const yesterday = release(out, at(-23), 'daily');
    expect(recyclableRelease(out, at(6), [hourly[0], yesterday])).toBe(hourly[1]);
    expect(recyclableRelease(out, at(6), [hourly[0], hourly[1], hourly[2], yesterday])).toBeUndefined();
    expect(releasesIn(out)).toEqual([yesterday, daily, ...hourly].sort());
  });

  it('is none when the next release would not be the newest, or nothing is left to prune', () => {
    const out = outDir();
    const { daily, hourly } = cron(out);
    expect(recyclableRelease(out, at(5), [hourly[4], daily])).toBeUndefined(); // a rerun of 05:05
    expect(recyclableRelease(out, at(3), [hourly[4], daily])).toBeUndefined();
    expect(recyclableRelease(outDir(), at(6), [])).toBeUndefined();
    const few = outDir();
    const first = release(few, at(1), 'hourly');
    release(few, at(2), 'hourly');
    expect(recyclableRelease(few, at(3), [first])).toBeUndefined();
  });
});
