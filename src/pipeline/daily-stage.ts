// The daily tier: roll the hours of the 7 days before the day of --now into
// day files, sum them, rank every product overall and in each category, and
// hand the release writer the ranks/NNN.json shards and the manifest fields.
import { type DayVersion, readDay, rollUpDay } from '../counts/day-counts.js';
import { SumSpace, sumCountSets } from '../counts/sum.js';
import type { HourVersion } from '../counts/hour-counts.js';
import type { StreamedFiles } from '../publish/release.js';
import { writeRankShards } from '../publish/rank-shards.js';
import { type FullRanks, fullRanks } from '../rank/full-ranks.js';
import { RANK_SHARDS } from '../layout.js';
import { dayOfHour, firstHourOfDay, isoOfHour } from '../time.js';

export const DAILY_DAYS = 7;

export interface DailyResult {
  days: Record<string, DayVersion>;
  window: { start: string; end: string };
  ranks: FullRanks;
  manifest: Record<string, unknown>;
  writeShards: StreamedFiles;
}

export function dailyStage(
  dataDir: string,
  hours: Record<string, HourVersion>,
  prevDays: Record<string, DayVersion>,
  end: number,
  generatedAt: string,
  progress: (message: string) => void,
): DailyResult {
  const endDay = dayOfHour(end);
  progress(`daily: rolling up ${DAILY_DAYS} days`);
  const days = rollUpDays(dataDir, hours, prevDays, endDay);
  const start = firstHourOfDay(endDay - DAILY_DAYS);
  const stop = firstHourOfDay(endDay);
  const week = sumCountSets(
    Object.entries(days).map(([d, v]) => readDay(dataDir, +d, v.version)),
    start,
    stop,
  );
  progress('daily: ranking every product');
  const ranks = fullRanks(week);
  const window = { start: isoOfHour(start), end: isoOfHour(stop) };
  return {
    days,
    window,
    ranks,
    manifest: { ranks: { generatedAt, window, path: 'ranks/NNN.json', shards: RANK_SHARDS, shardOf: 'productId % 256, zero-padded to 3 digits', productsRanked: ranks.ids.length } },
    writeShards: (dir, hash) => writeRankShards(dir, ranks, { generatedAt, window }, hash),
  };
}

/** The 7 days before endDay rolled up, in one SumSpace, which is dropped when they are written. */
function rollUpDays(dataDir: string, hours: Record<string, HourVersion>, prevDays: Record<string, DayVersion>, endDay: number): Record<string, DayVersion> {
  const days: Record<string, DayVersion> = {};
  const space = new SumSpace();
  for (let d = endDay - DAILY_DAYS; d < endDay; d++) days[d] = rollUpDay(dataDir, d, hours, prevDays[d], space);
  return days;
}
