// Scenario 12: logs are append-only (CONTRACT.md §2). A log that shrank, was
// replaced (new inode, or other bytes where counted ones were), or vanished
// between runs makes the next run exit 65 naming it, and nothing is
// published or committed: every later run refuses too, until an operator
// acts. Through the pool as well as inline: the data error travels as a value.
import { readFileSync, readdirSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOUR, T0, catsOf, fixture, history, iso, nowFlag, purchase, removeFixtures } from './helpers/fixture.js';
import { latestOf, outOf } from './helpers/published.js';
import { runHourly } from './helpers/run.js';

afterAll(removeFixtures);
const H = T0 - 3 * HOUR;
const GLOBAL = `logs/global/${iso(H).slice(0, 10)}/${iso(H).slice(11, 13)}/w.log`;
const CATEGORY = `logs/categories/${catsOf(1)[0]}/${iso(H).slice(0, 10)}/w.log`;

const CASES: Array<[string, string, RegExp, (path: string) => void]> = [
  ['a global log that shrank', GLOBAL, /log shrank from \d+ to \d+ bytes/, (p) => truncateSync(p, statSync(p).size - 5)],
  ['a category log that shrank', CATEGORY, /log shrank/, (p) => truncateSync(p, statSync(p).size - 5)],
  ['a global log replaced by a copy (new inode)', GLOBAL, /log was replaced \(inode/, (p) => {
    writeFileSync(`${p}.new`, readFileSync(p));
    renameSync(`${p}.new`, p);
  }],
  // `cp other.log w.log` keeps the inode: caught by the fingerprint of the last bytes counted.
  ['a global log rewritten in place with other, longer content (same inode)', GLOBAL, /bytes already counted are no longer there/, (p) => {
    const size = statSync(p).size;
    const other = Array.from({ length: 40 }, (_, i) => `${50 + (i % 9)},${iso(H + 1000 * i)},1\n`).join('');
    writeFileSync(p, other.padEnd(size + 1, '\n'));
  }],
  ['a global log that disappeared', GLOBAL, /log disappeared/, (p) => rmSync(p)],
];

describe('a log that is not append-only any more', () => {
  it.each(CASES)('%s: exit 65 naming it; nothing published, nothing committed', async (_, rel, message, damage) => {
    const f = fixture();
    f.write(history(1, 100, T0 - 6 * HOUR, T0 + HOUR));
    f.write([purchase(1, H + 60_000, 2), purchase(3, H + 120_000, 1)]);
    expect((await runHourly(f.data, nowFlag(T0))).code).toBe(0);
    const before = latestOf(f.data)!.release;
    const releases = readdirSync(join(outOf(f.data), 'releases'));
    const state = readFileSync(join(f.data, 'state', 'CURRENT'), 'utf8');
    f.write(history(2, 30, T0 - 2 * HOUR, T0 + HOUR)); // new lines that would be published
    damage(join(f.data, rel));
    for (const workers of ['1', '2']) {
      const r = await runHourly(f.data, nowFlag(T0 + HOUR), '--workers', workers);
      expect(r.code, `--workers ${workers}: ${r.stderr}`).toBe(65);
      expect(r.stderr).toContain(rel);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain('rerun');
      expect(latestOf(f.data)!.release).toBe(before);
      expect(readdirSync(join(outOf(f.data), 'releases'))).toEqual(releases);
      expect(readFileSync(join(f.data, 'state', 'CURRENT'), 'utf8')).toBe(state);
    }
  }, 30_000);
});
