// Scenario 4: torn and bad lines through `run --hourly`. Every bad line is
// kept in DATA/quarantine/ once, with its file, line number and reason, and
// nothing else is lost: the published lists equal the oracle over the good
// lines. A torn last line waits while it may still be being written, is
// counted once when completed, and is quarantined once when its hour is
// complete and its file has stopped growing. Over --max-bad-ratio: exit 65
// and nothing published.
import { afterAll, describe, expect, it } from 'vitest';
import { HOUR, type Fixture, SLUGS, T0, fixture, history, iso, nowFlag, purchase, removeFixtures } from './helpers/fixture.js';
import { expectOracle, latestOf, overallSales, quarantineRows } from './helpers/published.js';
import { runHourly } from './helpers/run.js';

afterAll(removeFixtures);
const ALL_SLUGS = [...SLUGS, 'uncategorized'];
/** A complete hour, two before the window's end. */
const H = T0 - 2 * HOUR;
const HDIR = `logs/global/${iso(H).slice(0, 10)}/${iso(H).slice(11, 13)}`;
const FILE = `${HDIR}/x.log`;
const lenient = ['--max-bad-ratio', '0.5'];

/** A fixture with good lines around, and 3 good lines in FILE before the bad bytes. */
function withGoodLines(): Fixture {
  const f = fixture();
  f.write(history(1, 150, T0 - 6 * HOUR, T0 + HOUR));
  f.write([purchase(11, H + 60_000, 2, undefined, 'x'), purchase(12, H + 120_000, 1, undefined, 'x'), purchase(13, H + 180_000, 1, 'ev-13', 'x')]);
  return f;
}

const parse = (row: string) => {
  const [file, line, offset, reason] = row.split(',');
  return { file, line: Number(line), offset: Number(offset), reason, text: row.slice(row.indexOf('"')) };
};

const BAD: Array<[string, string | Uint8Array]> = [
  ['crlf', `14,${iso(H + 240_000)},1\r\n`],
  ['byte_order_mark', `\uFEFF14,${iso(H + 240_000)},1\n`],
  ['nul_byte', `14,${iso(H + 240_000)},1\u0000\n`],
  ['non_ascii', Buffer.concat([Buffer.from(`14,${iso(H + 240_000)},1,ev-`), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('\n')])],
  ['line_too_long', `${'9'.repeat(10 * 1024 * 1024)}\n`],
  ['misfiled', `14,${iso(H + HOUR + 60_000)},1\n`],
];

describe('a bad line in the middle of a log', () => {
  it.each(BAD)('%s: quarantined once with its file, line and reason; every other line counted', async (reason, bytes) => {
    const f = withGoodLines();
    f.raw(FILE, bytes);
    f.write([purchase(15, H + 300_000, 3, undefined, 'x'), purchase(16, H + 360_000, 1, 'ev-16', 'x')]);
    const r = await runHourly(f.data, nowFlag(T0), ...lenient);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.badLines).toBe(1);
    expect(s.badByReason).toEqual({ [reason]: 1 });
    const rows = quarantineRows(f.data);
    expect(rows).toHaveLength(1);
    const q = parse(rows[0].row);
    expect(q).toMatchObject({ file: FILE, line: 4, reason });
    expect(q.text.length).toBeLessThan(600); // a 10 MB line is kept as its first 512 bytes
    expectOracle(f.data, f.ledger, T0, ALL_SLUGS);
    expect(overallSales(f.data, 15)).toBeGreaterThanOrEqual(3);

    // A later run neither quarantines it again nor counts anything twice.
    const again = await runHourly(f.data, nowFlag(T0 + HOUR), ...lenient);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).badLines).toBe(0);
    expect(quarantineRows(f.data)).toHaveLength(1);
    expectOracle(f.data, f.ledger, T0 + HOUR, ALL_SLUGS);
  }, 30_000);
});

describe('a torn line in the middle of a log', () => {
  it('is quarantined with the line it swallowed, once; the lines after it are counted', async () => {
    // A write cut short, then the same file appended to again: the torn bytes and
    // the next line become one bad line (its purchase is in the quarantine text).
    const f = withGoodLines();
    f.raw(FILE, `14,${iso(H + 240_000).slice(0, 15)}`);
    f.raw(FILE, `15,${iso(H + 250_000)},3\n`);
    f.write([purchase(16, H + 360_000, 2, 'ev-16', 'x'), purchase(17, H + 420_000, 1, undefined, 'x')]);
    const r = await runHourly(f.data, nowFlag(T0), ...lenient);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).badByReason).toEqual({ bad_timestamp: 1 });
    const rows = quarantineRows(f.data).map((q) => parse(q.row));
    expect(rows).toMatchObject([{ file: FILE, line: 4, reason: 'bad_timestamp' }]);
    expect(rows[0].text).toContain(`15,${iso(H + 250_000)},3`);
    expectOracle(f.data, f.ledger, T0, ALL_SLUGS);
    expect((await runHourly(f.data, nowFlag(T0 + HOUR), ...lenient)).code).toBe(0);
    expect(quarantineRows(f.data)).toHaveLength(1);
  }, 30_000);
});

describe('a torn last line', () => {
  const head = `17,${iso(H + 600_000)},`;
  const catFile = `logs/categories/${purchase(17, 0).categories[0]}/${iso(H).slice(0, 10)}/x.log`;

  it('waits while pending, then counts once when its writer completes it', async () => {
    const f = withGoodLines();
    f.raw(FILE, head);
    f.raw(catFile, head);
    const first = await runHourly(f.data, nowFlag(T0));
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).badLines).toBe(0);
    expect(overallSales(f.data, 17)).toBe(f.ledger.filter((p) => p.productId === 17 && p.ms < T0).reduce((a, p) => a + p.quantity, 0) || 0);

    f.raw(FILE, '4\n');
    f.raw(catFile, '4\n');
    f.ledger.push(purchase(17, H + 600_000, 4, undefined, 'x'));
    const second = await runHourly(f.data, nowFlag(T0 + 60_000));
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout).badLines).toBe(0);
    expect(quarantineRows(f.data)).toEqual([]);
    expectOracle(f.data, f.ledger, T0, ALL_SLUGS);
    const third = await runHourly(f.data, nowFlag(T0 + HOUR));
    expect(third.code).toBe(0);
    expectOracle(f.data, f.ledger, T0 + HOUR, ALL_SLUGS);
  }, 30_000);

  /** 120 more good lines in the torn line's hour: one bad line is then within the default 1% of the hour. */
  const busyHour = (f: Fixture) => f.write(Array.from({ length: 120 }, (_, i) => purchase(1 + (i % 50), H + 1000 * (i + 1), 1, undefined, 'bulk')));

  // Regression: the budget was this run's bad lines over this run's new lines,
  // so the run that quarantined a torn tail saw 1 bad of 0 new lines, exited
  // 65, and so did every later run: one writer that died mid-line stopped the
  // hourly job for good.
  it('is quarantined once, on the run after its hour is complete and its file stopped growing, and that run publishes', async () => {
    const f = withGoodLines();
    busyHour(f);
    f.raw(FILE, head);
    expect(JSON.parse((await runHourly(f.data, nowFlag(T0))).stdout).badLines).toBe(0);
    const second = await runHourly(f.data, nowFlag(T0 + HOUR));
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const s = JSON.parse(second.stdout);
    expect(s.status).toBe('published');
    expect(s.badByReason).toEqual({ torn_line: 1 });
    const rows = quarantineRows(f.data);
    expect(rows.map((r) => parse(r.row))).toMatchObject([{ file: FILE, line: 4, reason: 'torn_line' }]);
    expect(parse(rows[0].row).text).toContain(head);
    for (const now of [T0 + 2 * HOUR, T0 + 3 * HOUR]) {
      const r = await runHourly(f.data, nowFlag(now));
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).badLines).toBe(0);
    }
    expect(quarantineRows(f.data)).toHaveLength(1);
    expectOracle(f.data, f.ledger, T0 + 3 * HOUR, ALL_SLUGS);
  }, 30_000);

  // Regression (src/log/dir-scanner.ts): the summary said 1 bad line of 0 lines read.
  it('counts a quarantined torn tail among the lines read', async () => {
    const f = withGoodLines();
    f.raw(FILE, head);
    expect((await runHourly(f.data, nowFlag(T0))).code).toBe(0);
    const r = await runHourly(f.data, nowFlag(T0 + HOUR), '--max-bad-ratio', '1');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.badLines).toBe(1);
    expect(s.linesRead).toBeGreaterThanOrEqual(s.badLines);
  }, 30_000);

  // Regression: with no hour to republish, a run in the same hour as the last
  // returned "nothing to do" before saving the directory state, so every
  // later run of that hour quarantined the torn line again.
  it('is quarantined once even when the next runs fall in the same hour', async () => {
    const f = withGoodLines();
    busyHour(f);
    f.raw(FILE, head);
    expect((await runHourly(f.data, nowFlag(T0))).code).toBe(0);
    const summaries = [];
    for (const minutes of [10, 20, 30]) {
      const r = await runHourly(f.data, iso(T0 + minutes * 60_000));
      expect(r.code).toBe(0);
      summaries.push(JSON.parse(r.stdout));
    }
    expect(summaries.map((s) => s.badLines)).toEqual([1, 0, 0]);
    expect(quarantineRows(f.data)).toHaveLength(1);
    expectOracle(f.data, f.ledger, T0, ALL_SLUGS);
  }, 30_000);
});

describe('over --max-bad-ratio', () => {
  it('exits 65 naming the hour and publishes nothing; raising the ratio publishes the good lines', async () => {
    const f = withGoodLines();
    expect((await runHourly(f.data, nowFlag(T0))).code).toBe(0);
    const before = latestOf(f.data)!.release;
    // The next hour: 4 good lines, 1 bad (20% > the default 1%).
    const h = T0;
    f.write([1, 2, 3, 4].map((i) => purchase(20 + i, h + i * 60_000, 1, undefined, 'y')));
    f.raw(`logs/global/${iso(h).slice(0, 10)}/${iso(h).slice(11, 13)}/y.log`, `25,${iso(h)},0\n`);
    const r = await runHourly(f.data, nowFlag(T0 + HOUR));
    expect(r.code).toBe(65);
    expect(r.stderr).toMatch(/max-bad-ratio/);
    expect(r.stderr).toContain(`the global log of ${iso(h)}`);
    expect(latestOf(f.data)!.release).toBe(before);
    expect(quarantineRows(f.data).map((q) => parse(q.row).reason)).toEqual(['bad_quantity']);

    const ok = await runHourly(f.data, nowFlag(T0 + HOUR), ...lenient);
    expect(ok.code).toBe(0);
    expectOracle(f.data, f.ledger, T0 + HOUR, ALL_SLUGS);
    // The refused run and the one that published found the same bad line: it is kept once.
    expect(quarantineRows(f.data)).toHaveLength(1);
  }, 30_000);
});
