// Scenario 6: concurrent writers. Eight `ingest` processes append at once
// (each to files of its own, CONTRACT.md §2) while `run --hourly` runs again
// and again over the same directories; every line an ingest acknowledged
// (exit 0, counted in `appended`) is then counted exactly once: the lists
// equal the oracle over all acknowledged purchases. No test under test/log
// or test/ingest covers several writer processes, hence this one.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOUR, type Purchase, SLUGS, T0, fixture, history, iso, nowFlag, removeFixtures } from './helpers/fixture.js';
import { expectOracle } from './helpers/published.js';
import { child, runHourly } from './helpers/run.js';

afterAll(removeFixtures);
const WRITERS = 8;

const csv = (ps: readonly Purchase[]) => `product_id,timestamp,quantity,event_id\n${ps.map((p) => `${p.productId},${iso(p.ms)},${p.quantity}${p.eventId ? `,${p.eventId}` : ''}`).join('\n')}\n`;

describe('eight writer processes at once', () => {
  it('every acknowledged line is counted exactly once, with runs reading while they write', async () => {
    const f = fixture();
    const inputs = Array.from({ length: WRITERS }, (_, i) =>
      // Complete hours (late lines for the runs in between), the current hour and the next.
      history(100 + i, 250, T0 - 6 * HOUR, T0 + 2 * HOUR).map((p) => ({ ...p, eventId: p.eventId && `w${i}-${p.eventId}` })),
    );
    const files = inputs.map((ps, i) => {
      const path = join(f.data, `input-${i}.csv`);
      writeFileSync(path, csv(ps));
      return path;
    });

    let writing = true;
    const writers = Promise.all(files.map((file) => child(['ingest', '--file', file, '--data', f.data, '--json']))).finally(() => (writing = false));
    const runs: number[] = [];
    while (writing) {
      runs.push((await runHourly(f.data, nowFlag(T0))).code);
      await new Promise((r) => setTimeout(r, 20));
    }
    const results = await writers;

    for (const [i, r] of results.entries()) {
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout);
      expect(s.appended, `writer ${i}`).toBe(inputs[i].length);
      expect(s.rejected).toBe(0);
    }
    expect(runs.every((c) => c === 0), `runs during the writes: ${runs}`).toBe(true);

    // One file per writer in each directory, each ending in a whole line.
    const hourDir = join(f.data, 'logs', 'global', iso(T0 - HOUR).slice(0, 10), iso(T0 - HOUR).slice(11, 13));
    const names = readdirSync(hourDir);
    expect(names.length).toBeLessThanOrEqual(WRITERS);
    expect(new Set(names.map((n) => n.split('.').slice(0, -1).join('.'))).size).toBe(names.length);
    for (const n of names) expect(readFileSync(join(hourDir, n), 'utf8').endsWith('\n')).toBe(true);

    const ledger = inputs.flat();
    expect((await runHourly(f.data, nowFlag(T0))).code).toBe(0);
    expectOracle(f.data, ledger, T0, [...SLUGS, 'uncategorized']);
    expect((await runHourly(f.data, nowFlag(T0 + 2 * HOUR))).code).toBe(0);
    expectOracle(f.data, ledger, T0 + 2 * HOUR, [...SLUGS, 'uncategorized']);
  }, 90_000);
});
