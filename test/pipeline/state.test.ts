// The state snapshot (src/pipeline/state.ts): format 2 round-trips, a damaged
// or torn file is refused with the way out, and a format 1 snapshot (every
// directory as JSON, as written before) is read and replaced at the next commit.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ExitCode, PipelineError } from '../../src/errors.js';
import { decodeDirState, encodeDirState } from '../../src/log/dir-state-bytes.js';
import type { DirState } from '../../src/log/log-state.js';
import { type PipelineState, loadState, saveState } from '../../src/pipeline/state.js';
import { HOUR, appendPurchases, makePurchases, writeCatalog } from './helpers/purchases.js';
import { cli } from './helpers/world.js';

const dirs: Record<string, DirState> = {
  'logs/global/2026-11-27/18': { doneEnd: 498834, settled: true, files: { 'a.log': { ino: 3, size: 90, consumed: 90, lines: 3, first: {}, tail: '0a31' } } },
  'logs/categories/toys/2026-11-27': { doneEnd: 498834, mtimeMs: 1796607418436.25, files: { 'a.log': { ino: 4, size: 70, consumed: 64, lines: 2, first: { 498816: 0, 498833: 31 } } } },
};
const decoded = (s: PipelineState) => Object.fromEntries(Object.entries(s.dirs).map(([d, b]) => [d, decodeDirState(b)]));
const state = (): PipelineState => ({
  format: 2,
  seq: 4,
  dirs: Object.fromEntries(Object.entries(dirs).map(([d, st]) => [d, encodeDirState(st)])),
  hours: { 498833: { version: 2 } } as PipelineState['hours'],
  lastEnd: 498834,
  lastRelease: '20261127T190500Z-hourly-67081104',
});

let data: string;
afterEach(() => rmSync(data, { recursive: true, force: true }));
const fresh = () => (data = mkdtempSync(join(tmpdir(), 'state-')));
const stateFiles = () => readdirSync(join(data, 'state')).sort();
const current = () => join(data, 'state', readFileSync(join(data, 'state', 'CURRENT'), 'utf8').trim());

describe('the state snapshot', () => {
  it('reads back what was committed, and keeps only the snapshot CURRENT names', () => {
    fresh();
    const first = saveState(data, state());
    expect(first.seq).toBe(5);
    const second = saveState(data, { ...loadState(data), lastEnd: 498835 });
    const back = loadState(data);
    expect(back.seq).toBe(6);
    expect(back.lastEnd).toBe(498835);
    expect(back.hours).toEqual(second.hours);
    expect(decoded(back)).toEqual(dirs);
    expect(stateFiles()).toEqual(['CURRENT', 'snapshot-00000006.state']);
    expect(readFileSync(current()).subarray(0, 8).toString()).toBe('RPSTATE2');
  });

  it.each([
    ['a flipped byte', (b: Buffer) => (b[b.length >> 1] ^= 0x40, b), /checksum mismatch/],
    ['a file cut short', (b: Buffer) => b.subarray(0, b.length - 9), /checksum mismatch/],
    ['another file', () => Buffer.from('{"format":1'), /not a format 2 snapshot/],
  ])('refuses %s, naming the file and how to rebuild', (_what, damage, reason) => {
    fresh();
    saveState(data, state());
    writeFileSync(current(), damage(readFileSync(current())));
    const err = (() => {
      try {
        loadState(data);
      } catch (e) {
        return e as PipelineError;
      }
    })();
    expect(err).toBeInstanceOf(PipelineError);
    expect(err!.exitCode).toBe(ExitCode.ioErr);
    expect(err!.path).toBe(current());
    expect(err!.message).toMatch(reason);
    expect(err!.hint).toBe(`move ${join(data, 'state')} aside and run \`rank-pipeline rerun\` to rebuild it from the logs`);
  });

  it('reads a format 1 snapshot and replaces it at the next commit', () => {
    fresh();
    saveState(data, state());
    const { dirs: _, ...rest } = loadState(data);
    writeFormat1(data, { ...rest, format: 1, dirs });
    const old = loadState(data);
    expect(old.format).toBe(2);
    expect(old.seq).toBe(5);
    expect(decoded(old)).toEqual(dirs);
    expect(old.lastRelease).toBe(state().lastRelease);
    saveState(data, old);
    expect(stateFiles()).toEqual(['CURRENT', 'snapshot-00000006.state']);
    expect(decoded(loadState(data))).toEqual(dirs);
  });

  it('gives the same next run from a format 1 snapshot as from the format 2 one it stands for', async () => {
    const END = Date.UTC(2026, 10, 27, 12);
    const cats = (id: number) => (id % 3 === 0 ? ['toys', 'books'] : ['books']);
    const summaries: Array<Record<string, unknown>> = [];
    for (const convert of [false, true]) {
      fresh();
      writeCatalog(data, [['toys', 'Toys'], ['books', 'Books']], Array.from({ length: 40 }, (_, i) => [i + 1, cats(i + 1)] as [number, string[]]));
      appendPurchases(data, makePurchases({ seed: 3, count: 600, fromMs: END - 30 * HOUR, toMs: END, products: 40, categoriesOf: cats }));
      expect((await cli(['run', '--hourly', '--data', data, '--now', new Date(END).toISOString()])).code).toBe(0);
      if (convert) {
        const { dirs: held, ...rest } = loadState(data);
        writeFormat1(data, { ...rest, format: 1, dirs: Object.fromEntries(Object.entries(held).map(([d, b]) => [d, decodeDirState(b)])) });
      }
      appendPurchases(data, makePurchases({ seed: 4, count: 80, fromMs: END - 2 * HOUR, toMs: END + HOUR, products: 40, categoriesOf: cats }));
      const r = await cli(['run', '--hourly', '--data', data, '--now', new Date(END + HOUR).toISOString(), '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const { stages: _, ...summary } = JSON.parse(r.stdout);
      summaries.push(summary);
      expect(stateFiles().filter((f) => f.startsWith('snapshot-'))).toEqual(['snapshot-00000002.state']);
      rmSync(data, { recursive: true, force: true });
    }
    // The same lines read for the first time: the offsets held were kept, not lost and read again.
    expect(summaries[0].linesRead).toBeLessThan(200);
    expect(summaries[1]).toEqual(summaries[0]);
  });
});

/** Writes `s` as session 17's code wrote a snapshot: JSON, every directory an object, named by CURRENT. */
function writeFormat1(dataDir: string, s: object & { seq: number }): void {
  const name = `snapshot-${String(s.seq).padStart(8, '0')}.json`;
  for (const f of readdirSync(join(dataDir, 'state'))) if (f.startsWith('snapshot-')) rmSync(join(dataDir, 'state', f));
  writeFileSync(join(dataDir, 'state', name), JSON.stringify(s));
  writeFileSync(join(dataDir, 'state', 'CURRENT'), `${name}\n`);
}
