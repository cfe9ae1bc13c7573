// An hourly run looks at the global hours of the older days for late lines
// (refresh-counts.ts). Those days whose hours were all counted before are
// handed over at once, not one day after another's answer, so that the last
// day's category batches are not held back behind seven round trips; a late
// line found there is still counted, and its day's category logs read.
import { afterAll, describe, expect, it } from 'vitest';
import type { MapLogsTask } from '../../jobs/map-logs.js';
import { runPipeline } from '../../src/pipeline/run-pipeline.js';
import { type Runner, inlineRunner } from '../../src/pipeline/runner.js';
import { expectOracle, outOf } from '../reliability/helpers/published.js';
import { HOUR, SLUGS, fixture, history, purchase, removeFixtures } from '../reliability/helpers/fixture.js';

afterAll(removeFixtures);

/** Midnight starting Sunday 2026-11-29. */
const D0 = Date.UTC(2026, 10, 29);

/**
 * The inline runner, answering each task a turn of the event loop after it
 * was handed over, as a pool does, and recording `start DIR` and `end DIR`
 * for each map task of the global log (DIR its first directory).
 */
function deferred(): Runner & { events: string[] } {
  const inline = inlineRunner();
  const events: string[] = [];
  return {
    ...inline,
    parallelism: 2,
    events,
    async run(name, input) {
      const first = name === 'mapLogs' ? (input as MapLogsTask).dirs[0]?.dir : undefined;
      const global = first?.startsWith('logs/global/') === true;
      if (global) events.push(`start ${first}`);
      await new Promise((resolve) => setImmediate(resolve));
      const out = await inline.run(name, input);
      if (global) events.push(`end ${first}`);
      return out;
    },
  };
}

const hourly = (data: string, end: number, runner: Runner) =>
  runPipeline({ kind: 'hourly', dataDir: data, outDir: outOf(data), nowMs: end + 5 * 60_000, maxBadRatio: 0.01, runner, progress: () => undefined });

describe('the late-line checks of an hourly run', () => {
  it('hands over every older day counted before at once, and counts a late line found there', async () => {
    const f = fixture();
    const end = D0 + 10 * HOUR;
    f.write(history(1, 400, end - 5 * 24 * HOUR, end));
    await hourly(f.data, end, inlineRunner());
    // Three days before: a late purchase, in both logs; and a new hour.
    f.write([purchase(5, end - 3 * 24 * HOUR + 20 * 60_000, 30, undefined, 'late-writer')]);
    f.write(history(2, 30, end, end + HOUR));

    const runner = deferred();
    const summary = await hourly(f.data, end + HOUR, runner);
    expect(summary.status).toBe('published');
    // Days -5 to -1 were all counted: five checks, each handed over before any answered.
    const olderDays = runner.events.filter((e) => !e.includes('2026-11-29/'));
    expect(olderDays.map((e) => e.slice(0, e.indexOf(' ')))).toEqual([...Array(5).fill('start'), ...Array(5).fill('end')]);
    expect(olderDays.slice(0, 5).map((e) => e.slice('start logs/global/'.length, 'start logs/global/YYYY-MM-DD'.length))).toEqual([
      '2026-11-24',
      '2026-11-25',
      '2026-11-26',
      '2026-11-27',
      '2026-11-28',
    ]);
    expectOracle(f.data, f.ledger, end + HOUR, [...SLUGS, 'uncategorized']);
    expect(summary.disagreements).toBe(0);
  }, 30_000);
});
