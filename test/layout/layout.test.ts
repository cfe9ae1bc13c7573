import { describe, expect, it } from 'vitest';
import { categoryDayDir, globalHourDir, logDirSpan, parseGlobalHourDir, releaseId, RELEASE_ID_RE, rankShardName, writerFileName, isLogFileName } from '../../src/layout.js';
import { parseDayName } from '../../src/time.js';

const H = Date.UTC(2026, 10, 27, 18) / 3_600_000;

describe('layout names and their inverses', () => {
  it.each([
    ['2026-11-27', '18', H],
    ['2026-11-27', '00', H - 18],
    ['2024-02-29', '23', Date.UTC(2024, 1, 29, 23) / 3_600_000],
  ])('global hour %s/%s', (day, hour, want) => {
    expect(parseGlobalHourDir(day, hour)).toBe(want);
    expect(globalHourDir(want)).toBe(`logs/global/${day}/${hour}`);
  });

  it.each([
    ['2026-13-01', '00'],
    ['2026-02-30', '00'],
    ['2025-02-29', '00'],
    ['2026-11-27', '24'],
    ['2026-11-27', '7'],
    ['26-11-27', '07'],
    ['2026-11-27 ', '07'],
  ])('rejects %s/%s', (day, hour) => expect(parseGlobalHourDir(day, hour)).toBeUndefined());

  it('gives the span of every kind of log directory, and nothing for other paths', () => {
    expect(logDirSpan(globalHourDir(H))).toEqual([H, H + 1]);
    expect(logDirSpan(categoryDayDir('toys', parseDayName('2026-11-27')!))).toEqual([H - 18, H + 6]);
    expect(logDirSpan('logs/global/2026-11-27')).toBeUndefined();
    expect(logDirSpan('logs/categories/toys/2026-02-30')).toBeUndefined();
    expect(logDirSpan('counts/hours/2026-11-27')).toBeUndefined();
  });

  it('names writer files by host, pid and token, safely', () => {
    expect(writerFileName('t1', 'shop-01.example', 42)).toBe('shop-01-example.42.t1.log');
    expect(isLogFileName('a.log')).toBe(true);
    expect(isLogFileName('.a.log.tmp')).toBe(false);
    expect(isLogFileName('a.txt')).toBe(false);
  });

  it('names releases so they sort by time, and shards by three digits', () => {
    const id = releaseId(Date.UTC(2026, 10, 27, 19, 5), 'hourly', 'abcdef0123456789');
    expect(id).toBe('20261127T190500Z-hourly-abcdef01');
    expect(RELEASE_ID_RE.test(id)).toBe(true);
    expect(rankShardName(7)).toBe('007.json');
  });
});
