// The times given on the command line (--now, --from, --to): ISO-8601, UTC
// when no offset is given, whatever the machine's zone (the suite runs under
// TZ=Asia/Kolkata), and a usage error that shows how to write one.
import { describe, expect, it } from 'vitest';
import { ExitCode, PipelineError } from '../../src/errors.js';
import { parseTimeFlag } from '../../src/time.js';

describe('parseTimeFlag', () => {
  it('reads UTC, offsets, and times without an offset as UTC', () => {
    expect(parseTimeFlag('2026-11-27T19:05:00Z', '--now')).toBe(Date.UTC(2026, 10, 27, 19, 5));
    expect(parseTimeFlag('2026-11-27T19:05:00.250Z', '--now')).toBe(Date.UTC(2026, 10, 27, 19, 5, 0, 250));
    expect(parseTimeFlag('2026-11-28T00:35:00+05:30', '--now')).toBe(Date.UTC(2026, 10, 27, 19, 5));
    expect(parseTimeFlag(' 2026-11-27T19:05 ', '--now')).toBe(Date.UTC(2026, 10, 27, 19, 5));
    expect(parseTimeFlag('2026-11-27', '--from')).toBe(Date.UTC(2026, 10, 27));
  });

  it('rejects what is not a time with a usage error that shows the form', () => {
    for (const bad of ['yesterday', '2026-13-01', '2026-11-27T25:00Z', '']) {
      let err: unknown;
      try {
        parseTimeFlag(bad, '--to');
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(PipelineError);
      expect((err as PipelineError).exitCode).toBe(ExitCode.usage);
      expect((err as PipelineError).message).toBe(`--to ${JSON.stringify(bad)} is not an ISO-8601 time`);
      expect((err as PipelineError).hint).toContain('--to 2026-11-27T19:05:00Z');
    }
  });
});
