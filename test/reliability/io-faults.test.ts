// Scenario 11: disk full or an I/O error at the Nth durable write of a run
// (RANK_FAULT=io:ENOSPC:N, io:EIO:N), for every N the run reaches. The
// contract (§1): exit 74 naming the path, and "on any non-zero exit nothing
// is half-published: latest.json still names the previous complete release";
// after the fault a run without it publishes the clean run's lists.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR, type Fixture, T0, fixture, history, nowFlag, removeFixtures } from './helpers/fixture.js';
import { latestOf, listsOf, wholeRelease } from './helpers/published.js';
import { cli, runHourly } from './helpers/run.js';

const T1 = T0;
const T2 = T0 + HOUR;
const more = history(2, 20, T0 - 3 * HOUR, T0 + 2 * HOUR);
let base: Fixture;
let cleanSecond: Record<string, string>;

const faulted = (data: string, now: string, fault: string, workers = '1') =>
  cli(['run', '--hourly', '--data', data, '--now', now, '--workers', workers, '--json'], { env: { RANK_FAULT: fault } });

interface Row {
  n: number;
  code: number;
  stderr: string;
  /** The path the error names, relative to DATA. */
  path: string;
  previous: string;
  latestAfter: string | undefined;
  leftovers: string[];
  rerunCode: number;
  rerunLists: Record<string, string> | undefined;
}

/** Temp files a failed write may leave: release temp dirs, `.NAME.PID.N.tmp` files. */
function leftovers(data: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.tmp-') || e.name.endsWith('.tmp')) found.push(join(dir, e.name).slice(data.length + 1));
      else if (e.isDirectory()) walk(join(dir, e.name));
    }
  };
  walk(data);
  return found;
}

const pathIn = (stderr: string, data: string) => /rank-pipeline: (\S+): /.exec(stderr)?.[1]?.replace(`${data}/`, '') ?? '';

/** Runs at T1 cleanly, appends `more`, runs at T2 with the fault (on `workers` threads), then again without. */
async function trial(fault: string, workers?: string): Promise<Row> {
  const f = base.copy();
  expect((await runHourly(f.data, nowFlag(T1))).code).toBe(0);
  const previous = latestOf(f.data)!.release;
  f.write(more);
  const r = await faulted(f.data, nowFlag(T2), fault, workers);
  const row: Row = {
    n: Number(fault.split(':')[2]),
    code: r.code,
    stderr: r.stderr,
    path: pathIn(r.stderr, f.data),
    previous,
    latestAfter: latestOf(f.data)?.release,
    leftovers: leftovers(f.data),
    rerunCode: -1,
    rerunLists: undefined,
  };
  if (r.code !== 0) {
    const again = await runHourly(f.data, nowFlag(T2));
    row.rerunCode = again.code;
    if (again.code === 0) row.rerunLists = listsOf(f.data);
  }
  f.remove();
  return row;
}

const rows: Row[] = [];

beforeAll(async () => {
  base = fixture();
  base.write(history(1, 200, T0 - 30 * HOUR, T0 + 2 * HOUR));
  const clean = base.copy();
  expect((await runHourly(clean.data, nowFlag(T1))).code).toBe(0);
  clean.write(more);
  expect((await runHourly(clean.data, nowFlag(T2))).code).toBe(0);
  cleanSecond = listsOf(clean.data);
  // Fail the 1st, 2nd, … durable write until the run has fewer writes than N and succeeds.
  for (let n = 1; n <= 80; n++) {
    const row = await trial(`io:ENOSPC:${n}`);
    rows.push(row);
    if (row.code === 0) break;
  }
}, 150_000);
afterAll(removeFixtures);

describe('ENOSPC at the Nth durable write of run --hourly', () => {
  it('fails every durable write of the run in turn (the sweep ends with a run that has fewer writes)', () => {
    expect(rows.at(-1)!.code).toBe(0);
    const paths = rows.slice(0, -1).map((r) => r.path);
    // Hour count files, the window file, every release file, latest.json and the state are all on the list.
    for (const re of [/^counts\/hours\//, /^counts\/window\//, /^public\/releases\/\.tmp-.*\/overall\.json$/, /^public\/releases\/\.tmp-.*\/manifest\.json$/, /^public\/latest\.json$/, /^state\/CURRENT$/]) {
      expect(paths.some((p) => re.test(p)), `a failed write matching ${re} in ${paths.join(', ')}`).toBe(true);
    }
  });

  it('exits 74 naming the path, leaves no temp file, and the next run publishes the clean lists', () => {
    for (const r of rows.slice(0, -1)) {
      const at = `write ${r.n} (${r.path})`;
      expect(r.code, at).toBe(74);
      expect(r.stderr, at).toMatch(/ENOSPC/);
      expect(r.path, `${at}: stderr names a path under DATA: ${r.stderr}`).toMatch(/^(counts|public|state|quarantine)\//);
      expect(r.leftovers, at).toEqual([]);
      expect(r.rerunCode, at).toBe(0);
      expect(r.rerunLists, at).toEqual(cleanSecond);
    }
  });

  it('keeps latest.json on the previous release whichever write fails (the state commits before latest.json moves)', () => {
    const failed = rows.slice(0, -1);
    expect(failed.map((r) => r.path)).toEqual(expect.arrayContaining(['public/.latest-history.json', 'state/CURRENT', 'public/latest.json']));
    for (const r of failed) expect(r.latestAfter, `write ${r.n} (${r.path}) exits ${r.code}`).toBe(r.previous);
  });
});

describe('EIO at a durable write', () => {
  const pick = (re: RegExp) => rows.find((r) => re.test(r.path))!.n;

  it('exits 74 naming the file when an hour count file, a release file or latest.json fails, and publishes nothing new', async () => {
    for (const n of [pick(/^counts\/hours\//), pick(/^public\/releases\//), pick(/^public\/latest\.json$/)]) {
      const r = await trial(`io:EIO:${n}`);
      expect(r.code, `EIO at write ${n}`).toBe(74);
      expect(r.stderr).toMatch(/EIO/);
      expect(r.path).toBe(rows[n - 1].path.replace(/\.tmp-[^/]+/, r.path.match(/\.tmp-[^/]+/)?.[0] ?? ''));
      expect(r.latestAfter).toBe(r.previous);
      expect(r.rerunLists).toEqual(cleanSecond);
    }
  }, 30_000);
});

describe('ENOSPC at a release file written on a pool of two workers', () => {
  it('exits 74 naming the file, leaves no temp file, keeps latest.json on the previous release, and the next run publishes', async () => {
    const releaseFiles = rows.filter((r) => /^public\/releases\/\.tmp-[^/]+\/categories\//.test(r.path));
    const middle = releaseFiles[releaseFiles.length >> 1];
    const r = await trial(`io:ENOSPC:${middle.n}`, '2');
    expect(r.code).toBe(74);
    expect(r.stderr).toMatch(/ENOSPC/);
    expect(r.path.replace(/\.tmp-[^/]+/, '')).toBe(middle.path.replace(/\.tmp-[^/]+/, ''));
    expect(r.leftovers).toEqual([]);
    expect(r.latestAfter).toBe(r.previous);
    expect(r.rerunLists).toEqual(cleanSecond);
  }, 30_000);
});

describe('ENOSPC in the first run ever', () => {
  // Three hours of logs: few hour files, so the sweep to the release's writes is short.
  let small: Fixture;
  beforeAll(() => {
    small = fixture();
    small.write(history(3, 60, T0 - 3 * HOUR, T0 + HOUR));
  });

  it('leaves no latest.json when the release or latest.json cannot be written, and the next run publishes', async () => {
    for (const re of [/^public\/releases\//, /^public\/latest\.json$/]) {
      // The first run writes more hour files than the second, and its first write is the
      // catalog cache (a failure there is tolerated): find the write by its path.
      let hit: { n: number; data: string } | undefined;
      for (let n = 1; n <= 40 && !hit; n++) {
        const f = small.copy();
        const r = await faulted(f.data, nowFlag(T1), `io:ENOSPC:${n}`);
        if (re.test(pathIn(r.stderr, f.data))) hit = { n, data: f.data };
        else f.remove();
      }
      expect(hit, `a write matching ${re}`).toBeDefined();
      expect(latestOf(hit!.data)).toBeUndefined();
      expect((await runHourly(hit!.data, nowFlag(T1))).code).toBe(0);
      wholeRelease(hit!.data);
    }
  }, 60_000);
});
