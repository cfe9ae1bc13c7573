import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanDir } from '../../src/log/dir-scanner.js';
import type { DirScan, DirState, LogDir } from '../../src/log/log-state.js';
import { PipelineError } from '../../src/errors.js';

const H = Date.UTC(2026, 10, 27, 0) / 3_600_000; // 2026-11-27T00Z as an hour number
const ts = (hour: number, min = 0) => new Date((H + hour) * 3_600_000 + min * 60_000).toISOString();
const dayDir: LogDir = { dir: 'logs/categories/toys/2026-11-27', group: 'toys', spanStart: H, spanEnd: H + 24 };

let data: string;
beforeEach(() => {
  data = mkdtempSync(join(tmpdir(), 'scan-'));
  mkdirSync(join(data, dayDir.dir), { recursive: true });
});
afterEach(() => rmSync(data, { recursive: true, force: true }));

const file = (name: string) => join(data, dayDir.dir, name);
const counts = (scan: DirScan) => Object.fromEntries(scan.hours.map((h) => [h.hour - H, Object.fromEntries([...h.ids].map((id, i) => [id, h.sales[i]]))]));

function run(state: DirState | undefined, endHour: number) {
  return scanDir(dayDir, state, { dataDir: data, end: H + endHour });
}

/**
 * Sets the day directory's mtime `secondsAgo` back, as a directory last
 * changed that long ago. Whole seconds: a fraction would not survive the
 * round trip through utimes and stat exactly, and the tests set it again.
 */
function ageDir(secondsAgo: number): number {
  const at = Math.floor(Date.now() / 1000) - secondsAgo;
  utimesSync(join(data, dayDir.dir), at, at);
  return statSync(join(data, dayDir.dir)).mtimeMs;
}

describe('scanDir and the directory mtime', () => {
  it('records an mtime only once it is older than the margin, and trusts it while it stays', () => {
    writeFileSync(file('a.log'), `7,${ts(1)},1\n`);
    const fresh = run(undefined, 10);
    expect(fresh.state.mtimeMs).toBeUndefined(); // just changed: a file added in the same tick would not show

    const mtime = ageDir(60);
    const recorded = run(fresh.state, 10);
    expect(recorded.changed).toBe(true); // only the mtime: nothing to count
    expect(recorded.hours).toEqual([]);
    expect(recorded.state.mtimeMs).toBe(mtime);

    // Appends leave the directory's mtime alone: every known file is still stat'ed.
    appendFileSync(file('a.log'), `8,${ts(2)},1\n`);
    expect(statSync(join(data, dayDir.dir)).mtimeMs).toBe(mtime);
    const grown = run(recorded.state, 10);
    expect(counts(grown)).toEqual({ 2: { 8: 1 } });
    expect(grown.state.mtimeMs).toBe(mtime);

    // The listing is skipped while the mtime is the one recorded: a file whose
    // creation left it as it was is not seen (what a coarse clock could do
    // within a tick, and why a fresh mtime is never recorded).
    const before = grown.state.mtimeMs!;
    writeFileSync(file('b.log'), `9,${ts(3)},1\n`);
    utimesSync(join(data, dayDir.dir), before / 1000, before / 1000);
    expect(run(grown.state, 10).changed).toBe(false);
    // Any other mtime means a new listing.
    ageDir(30);
    expect(counts(run(grown.state, 10))).toEqual({ 3: { 9: 1 } });
  });
});

describe('scanDir', () => {
  it('counts due hours, leaves later hours waiting, then counts them in full once due', () => {
    writeFileSync(file('a.log'), `7,${ts(5, 10)},2\n7,${ts(6, 1)},1\n8,${ts(6, 59)},3\n`);
    const first = run(undefined, 6);
    expect(counts(first)).toEqual({ 5: { 7: 2 } });
    appendFileSync(file('a.log'), `8,${ts(6, 30)},1\n9,${ts(7, 0)},1\n`);
    const second = run(first.state, 7);
    expect(counts(second)).toEqual({ 6: { 7: 1, 8: 4 } });
  });

  it('counts an eventId once per hour across files, and a late retry does not count again', () => {
    writeFileSync(file('a.log'), `7,${ts(3)},1,ev-1\n7,${ts(3, 5)},1,ev-2\n`);
    writeFileSync(file('b.log'), `7,${ts(3, 9)},1,ev-1\n`);
    const first = run(undefined, 10);
    expect(counts(first)).toEqual({ 3: { 7: 2 } });
    appendFileSync(file('b.log'), `7,${ts(3, 7)},1,ev-2\n7,${ts(4)},1,ev-2\n`); // a retry in hour 3, and ev-2 again in another hour
    const second = run(first.state, 10);
    expect(counts(second)).toEqual({ 3: { 7: 2 }, 4: { 7: 1 } });
  });

  it('nets a refund out in its purchase hour', () => {
    writeFileSync(file('a.log'), `7,${ts(2)},3,p1\n7,${ts(2)},-3,r1\n8,${ts(2)},1\n`);
    expect(counts(run(undefined, 5))).toEqual({ 2: { 8: 1 } });
  });

  it('keeps a torn last line pending, counts it once completed, quarantines it once its writer stopped', () => {
    writeFileSync(file('a.log'), `7,${ts(1)},1\n8,${ts(1)},1`);
    const first = run(undefined, 30); // the day is complete
    expect(counts(first)).toEqual({ 1: { 7: 1 } });
    appendFileSync(file('a.log'), '\n');
    const second = run(first.state, 30);
    expect(counts(second)).toEqual({ 1: { 7: 1, 8: 1 } });

    writeFileSync(file('b.log'), `9,${ts(2)},1\n9,${ts(2)}`);
    const third = run(second.state, 30);
    expect(third.badLines).toBe(0);
    const fourth = run(third.state, 30); // same size: the writer has stopped
    expect(fourth.bad).toEqual([expect.objectContaining({ file: `${dayDir.dir}/b.log`, line: 2, reason: 'torn_line' })]);
    expect(run(fourth.state, 30).changed).toBe(false);
  });

  it('quarantines bad and misfiled lines with file and line number, counting the rest', () => {
    writeFileSync(file('a.log'), `7,${ts(1)},1\nnot a line\n7,${ts(1)},0\n7,2026-11-28T00:00:00Z,1\n7,${ts(1)},1\r\n7,${ts(1)},2\n`);
    const scan = run(undefined, 30);
    expect(counts(scan)).toEqual({ 1: { 7: 3 } });
    expect(scan.bad.map((b) => [b.line, b.reason])).toEqual([[2, 'bad_product_id'], [3, 'bad_quantity'], [4, 'misfiled'], [5, 'crlf']]);
    expect(scan.newLines).toBe(6);
  });

  it('fails naming the file when a log shrank or was replaced', () => {
    writeFileSync(file('a.log'), `7,${ts(1)},1\n7,${ts(1)},1\n`);
    const first = run(undefined, 30);
    writeFileSync(file('a.log'), `7,${ts(1)},1\n`);
    expect(() => run(first.state, 30)).toThrow(PipelineError);
    expect(() => run(first.state, 30)).toThrow(/shrank/);
    writeFileSync(file('b.log'), `7,${ts(1)},1\n7,${ts(1)},1\n`);
    renameSync(file('b.log'), file('a.log'));
    try {
      run(first.state, 30);
      expect.unreachable();
    } catch (err) {
      expect((err as PipelineError).exitCode).toBe(65);
      expect((err as PipelineError).path).toBe(`${dayDir.dir}/a.log`);
    }
  });
});

describe('a settled directory', () => {
  it('recounts a late line\'s hour from byte 0, having forgotten where its hours begin', () => {
    writeFileSync(file('a.log'), `7,${ts(3)},1,e1\n8,${ts(4)},2\n`);
    writeFileSync(file('b.log'), `7,${ts(3, 30)},1,e2\n`);
    const first = run(undefined, 50);
    const settled: DirState = { ...first.state, settled: true, files: Object.fromEntries(Object.entries(first.state.files).map(([n, f]) => [n, { ...f, first: {} }])) };
    appendFileSync(file('b.log'), `7,${ts(3, 40)},1,e1\n9,${ts(3, 50)},5\n`); // a retry of e1, and a late purchase
    expect(counts(run(settled, 50))).toEqual({ 3: { 7: 2, 9: 5 } });
  });
});

describe('scanDir and a line longer than a read', () => {
  it('quarantines a 2.5 MB line once, with its line number, and counts every line around it', () => {
    // The map reads 1 MB at a time into the line kernel's memory: this line makes it grow twice, keeping the bytes.
    const huge = `9,${ts(1)},1,${'x'.repeat(2_500_000)}\n`;
    const valid = (n: number, id: number) => Array.from({ length: n }, (_, i) => `${id},${ts(1, i % 60)},1\n`).join('');
    writeFileSync(file('a.log'), valid(50_000, 7) + huge + valid(3, 8));
    const scan = run(undefined, 24);
    expect(counts(scan)).toEqual({ 1: { 7: 50_000, 8: 3 } });
    expect(scan.bad.map((b) => [b.line, b.reason])).toEqual([[50_001, 'line_too_long']]);
    expect(scan.newLines).toBe(50_004);
    expect(scan.state.files['a.log'].consumed).toBe(statSync(file('a.log')).size);
  });
});
