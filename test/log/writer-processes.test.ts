// Several writer processes at once, and one killed mid-write: the logs hold
// exactly the lines given, each file belongs to one process, and a SIGKILL
// leaves at most a torn last line per file. Runs the built library (dist/,
// which `npm test` builds first) in child processes.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Fault, newLineFields, parseLine } from '../../src/log/line-codec.js';
import { readLogs, removeTempDirs, tempDataDir } from './writer-fixture.js';

const CHILD = fileURLToPath(new URL('./fixtures/writer-child.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../../dist/src/log/purchase-log.js', import.meta.url));

beforeAll(() => {
  if (!existsSync(DIST)) throw new Error('dist/ is missing: run `npx tsc -p .` (npm test does) before these tests');
});
afterEach(removeTempDirs);

/** Runs a writer; with `killAfter`, sends SIGKILL once it has flushed that many lines and written a little more. */
function writer(dataDir: string, name: string, count: number | 'forever', killAfter?: number): Promise<{ code: number | null; signal: string | null; flushed: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CHILD, dataDir, name, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let flushed = 0;
    p.stdout.on('data', (d: Buffer) => {
      for (const m of d.toString().matchAll(/flushed (\d+)/g)) flushed = Number(m[1]);
      if (killAfter !== undefined && flushed >= killAfter) setTimeout(() => p.kill('SIGKILL'), 15);
    });
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, flushed }));
  });
}

/** Every line of every log file, split into whole valid lines and anything else, by file. */
function inspect(dataDir: string) {
  const fields = newLineFields();
  const files = [...readLogs(dataDir)].map(([path, text]) => {
    const buf = Buffer.from(text, 'latin1');
    const lines: string[] = [];
    const bad: string[] = [];
    let start = 0;
    for (let nl = buf.indexOf(10); nl >= 0; start = nl + 1, nl = buf.indexOf(10, start)) {
      (parseLine(buf, start, nl, fields) === Fault.ok ? lines : bad).push(buf.toString('latin1', start, nl));
    }
    return { path, lines, bad, tail: buf.toString('latin1', start) };
  });
  return { files, global: files.filter((f) => f.path.startsWith('logs/global/')) };
}

describe('several writer processes at once', () => {
  it('produce exactly the lines given, in files of their own, with no torn or mixed line', async () => {
    const dataDir = tempDataDir('rank-writers-');
    const names = ['wa', 'wb', 'wc', 'wd'];
    const results = await Promise.all(names.map((n) => writer(dataDir, n, 9000)));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0]);

    const { files, global } = inspect(dataDir);
    for (const f of files) expect([f.bad, f.tail]).toEqual([[], '']);
    // Each file holds one writer's lines only.
    for (const f of files) expect(new Set(f.lines.map((l) => l.split(',')[3].split('-')[0])).size).toBe(1);
    // Every purchase exactly once in the global logs, and in its categories' logs (1 or 2 each).
    const globalIds = global.flatMap((f) => f.lines.map((l) => l.split(',')[3])).sort();
    const expected = names.flatMap((n) => Array.from({ length: 9000 }, (_, i) => `${n}-${i}`)).sort();
    expect(globalIds).toEqual(expected);
    const categoryLines = files.filter((f) => f.path.startsWith('logs/categories/')).reduce((n, f) => n + f.lines.length, 0);
    expect(categoryLines).toBe(names.length * 9000 * 1.5);
    // Three hours, two days: file names differ by writer only.
    expect(new Set(global.map((f) => basename(f.path))).size).toBe(4);
  }, 60_000);
});

describe('a writer short of file descriptors', () => {
  it('keeps fewer files open on EMFILE and loses nothing', async () => {
    const dataDir = tempDataDir('rank-emfile-');
    // 87 files to write (4 days), 40 descriptors left, and a writer that would keep 4096 open.
    const script = `ulimit -n 1024 && exec "${process.execPath}" "${CHILD}" "${dataDir}" we 3000 4096 4`;
    const code = await new Promise<number | null>((resolve, reject) => {
      const p = spawn('bash', ['-c', script], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, LEAVE_FDS: '40' } });
      p.on('error', reject);
      p.on('close', resolve);
    });
    expect(code).toBe(0);
    const { files, global } = inspect(dataDir);
    expect(files.length).toBe(87);
    expect(global.flatMap((f) => f.lines).length).toBe(3000);
    expect(files.reduce((n, f) => n + f.lines.length, 0)).toBe(3000 + 4500);
    for (const f of files) expect([f.bad, f.tail]).toEqual([[], '']);
  }, 60_000);
});

describe('a writer killed with SIGKILL', () => {
  it('leaves whole lines and at most a torn last line in each file, and every flushed line', async () => {
    const dataDir = tempDataDir('rank-killed-');
    const r = await writer(dataDir, 'wk', 'forever', 6000);
    expect(r.signal).toBe('SIGKILL');

    const { files, global } = inspect(dataDir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      expect(f.bad).toEqual([]);
      // A torn tail is the beginning of a valid line, never garbage.
      if (f.tail) expect(f.tail).toMatch(/^[0-9]+(,[0-9TZ:.-]*(,-?[0-9]*(,[A-Za-z0-9-]*)?)?)?$/);
    }
    // What was flushed before the kill is there, in order, with nothing missing in between.
    const seq = global.flatMap((f) => f.lines.map((l) => Number(l.split(',')[3].slice(3)))).sort((a, b) => a - b);
    expect(seq.length).toBeGreaterThanOrEqual(r.flushed);
    expect(seq.slice(0, r.flushed)).toEqual(Array.from({ length: r.flushed }, (_, i) => i));
  }, 60_000);
});
