// How the map stage deals global hours into tasks: an hour not yet counted in
// full gets a task of its own (it can hold hundreds of MB); the hours already
// counted, looked at again for late lines, go together into one, and a late
// line among them is counted all the same.
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MapLogsTask } from '../../jobs/map-logs.js';
import { globalHourDir } from '../../src/layout.js';
import { globalDirs } from '../../src/pipeline/log-dirs.js';
import { mapStage } from '../../src/pipeline/map-stage.js';
import { type Runner, inlineRunner } from '../../src/pipeline/runner.js';

const DAY = Date.UTC(2026, 10, 26) / 3_600_000; // 498792: hour h's line is for product 1 + h % 5
let data: string;
const hourFile = (h: number) => join(data, globalHourDir(h), 'w.log');
const stamp = (h: number, minute: number) => new Date((h * 60 + minute) * 60_000).toISOString();

/** The inline runner, recording the directories of each map task and reporting two workers. */
function recording(): Runner & { tasks: number[][] } {
  const inline = inlineRunner();
  const tasks: number[][] = [];
  return {
    ...inline,
    parallelism: 2,
    tasks,
    run(name, input) {
      if (name === 'mapLogs') tasks.push((input as MapLogsTask).dirs.map((d) => d.spanStart - DAY));
      return inline.run(name, input);
    },
  };
}

beforeAll(() => {
  data = mkdtempSync(join(tmpdir(), 'map-tasks-'));
  for (let h = DAY; h < DAY + 24; h++) {
    mkdirSync(join(data, globalHourDir(h)), { recursive: true });
    writeFileSync(hourFile(h), `${1 + (h % 5)},${stamp(h, 10)},2\n`);
  }
});
afterAll(() => rmSync(data, { recursive: true, force: true }));

describe('the map stage', () => {
  it('maps the global hours counted in full in one task, and still counts a late line there', async () => {
    const opts = { dataDir: data, end: DAY + 24, maxBadRatio: 1 };
    const first = recording();
    const counted = await mapStage(globalDirs(DAY, DAY + 24), {}, first, opts);
    expect(first.tasks).toEqual(Array.from({ length: 24 }, (_, i) => [i]));
    expect(counted.updates.size).toBe(24);

    // A day later: hour 7 gets a late line, and hour 24 (the next day's first) is new.
    appendFileSync(hourFile(DAY + 7), `3,${stamp(DAY + 7, 59)},5\n`);
    mkdirSync(join(data, globalHourDir(DAY + 24)), { recursive: true });
    writeFileSync(hourFile(DAY + 24), `4,${stamp(DAY + 24, 0)},1\n`);
    const next = recording();
    const states = Object.fromEntries(counted.dirStates);
    const later = await mapStage(globalDirs(DAY, DAY + 25), states, next, { ...opts, end: DAY + 25 });
    expect(next.tasks).toEqual([[24], Array.from({ length: 24 }, (_, i) => i)]);
    expect([...later.updates.keys()].sort()).toEqual([DAY + 7, DAY + 24]);
    // Recounted in full: the line counted before (product 5, DAY + 7 being 0 mod 5) and the late one.
    const hour7 = later.updates.get(DAY + 7)!.get('')!;
    expect([Array.from(hour7.ids), Array.from(hour7.sales), hour7.lines]).toEqual([[3, 5], [5, 2], 2]);
    expect(later.newLines).toBe(2);
  });
});
