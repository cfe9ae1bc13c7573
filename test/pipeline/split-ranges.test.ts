// A big log directory is cut into ranges counted by different workers; the
// merged result must equal one worker reading it whole: the same counts,
// eventIds repeated across ranges counted once, the same bad lines with the
// same line numbers, the same state for the next run.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalDirs } from '../../src/pipeline/log-dirs.js';
import { mapStage, type MapStageResult } from '../../src/pipeline/map-stage.js';
import { inlineRunner, poolRunner } from '../../src/pipeline/runner.js';
import { planSplit } from '../../src/pipeline/split-plan.js';

const H = Date.UTC(2026, 10, 27, 18) / 3_600_000;
let data: string;
const dir = () => join(data, 'logs', 'global', '2026-11-27', '18');
const pool = poolRunner(2);

function lines(from: number, n: number): string {
  let out = '';
  for (let i = from; i < from + n; i++) {
    const ts = `2026-11-27T18:${String(i % 60).padStart(2, '0')}:00Z`;
    // Every 7th line repeats an eventId first used 5,000 lines earlier: another range.
    const ev = i % 7 === 0 ? `,ev-${Math.max(0, i - 5000) - (Math.max(0, i - 5000) % 7)}` : i % 5 === 0 ? `,ev-${i}` : '';
    out += i % 997 === 0 ? 'garbage line\n' : `${1 + (i % 1234)},${ts},${1 + (i % 3)}${ev}\n`;
  }
  return out;
}

const view = (r: MapStageResult) => ({
  counts: [...r.updates].map(([h, u]) => [h, [...u].map(([g, c]) => [g, Array.from(c.ids), Array.from(c.sales), c.lines])]),
  bad: r.bad.map((b) => [b.file, b.line, b.offset, b.reason]),
  states: [...r.dirStates],
  newLines: r.newLines,
});

beforeAll(() => {
  data = mkdtempSync(join(tmpdir(), 'split-'));
  mkdirSync(dir(), { recursive: true });
  writeFileSync(join(dir(), 'a.log'), lines(0, 60_000)); // big enough to be cut in two
  writeFileSync(join(dir(), 'b.log'), `${lines(60_000, 2_000)}5,2026-11-27T18:00:00Z`); // and a torn tail
});
afterAll(async () => {
  await pool.close();
  rmSync(data, { recursive: true, force: true });
});

describe('splitting a directory into ranges', () => {
  it('gives what one worker reading it whole gives, run after run', async () => {
    const opts = { dataDir: data, end: H + 1, maxBadRatio: 1 };
    const whole = await mapStage(globalDirs(H, H + 1), {}, inlineRunner(), opts);
    const split = await mapStage(globalDirs(H, H + 1), {}, pool, { ...opts, splitMinBytes: 1 });
    expect(view(split)).toEqual(view(whole));
    expect(whole.bad.length).toBeGreaterThan(30);
    expect(planSplit(data, globalDirs(H, H + 1)[0], undefined, 2, 1)!.ranges.filter((r) => r.file === 'a.log')).toHaveLength(2);

    // Late lines, and the torn tail completed: the next run recounts the hour the same way.
    appendFileSync(join(dir(), 'b.log'), `\n${lines(62_000, 3000)}`);
    const states = Object.fromEntries(whole.dirStates);
    const whole2 = await mapStage(globalDirs(H, H + 1), states, inlineRunner(), opts);
    const split2 = await mapStage(globalDirs(H, H + 1), states, pool, { ...opts, splitMinBytes: 1 });
    expect(view(split2)).toEqual(view(whole2));
    expect(whole2.newLines).toBe(3001);
  });
});
