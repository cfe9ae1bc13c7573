// The summary `run` prints without --json: its last line gives the stages' times.
import { describe, expect, it } from 'vitest';
import { describeRun, describeStages } from '../../src/cli/run.js';
import type { RunSummary } from '../../src/pipeline/run-pipeline.js';

describe('the run summary', () => {
  it('gives the total and each stage in the order run, to the hundredth of a second', () => {
    expect(describeStages({ map: 2.984, catalog: 0, window: 0.551, reduce: 0.306, publish: 1.498, commit: 0.2 })).toBe(
      '5.54 s: map 2.98, catalog 0.00, window 0.55, reduce 0.31, publish 1.50, commit 0.20',
    );
  });

  it('ends a published run with them', () => {
    const s: RunSummary = {
      command: 'run --hourly',
      status: 'published',
      release: '20261127T190500Z-hourly-67081104',
      window: { start: '2026-11-20T19:00:00.000Z', end: '2026-11-27T19:00:00.000Z' },
      completeThrough: '2026-11-27T18:00:00.000Z',
      hoursRebuilt: 1,
      linesRead: 10,
      badLines: 0,
      badByReason: {},
      purchasesCounted: 10,
      disagreements: 0,
      prunedReleases: 0,
      stages: { map: 1.5, catalog: 0.25 },
    };
    expect(describeRun(s).split('\n').at(-1)).toBe('  took          1.75 s: map 1.50, catalog 0.25');
  });
});
