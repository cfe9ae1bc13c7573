// UTC time as the pipeline counts it: whole hours since the epoch. Every
// window, directory and count file is keyed by these integers, so no code
// below the CLI touches Date objects or the machine's time zone.
// date-fns by function: its index loads ~250 modules, 140 ms of every
// start-up (the CLI's and each worker's), for the two used here.
import { isValid } from 'date-fns/isValid';
import { parseISO } from 'date-fns/parseISO';
import { usageError } from './errors.js';

export const HOUR_MS = 3_600_000;
export const HOURS_PER_DAY = 24;
export const WEEK_HOURS = 168;

/** Whole hours since 1970-01-01T00:00Z. */
export type Hour = number;
/** Whole days since 1970-01-01. */
export type Day = number;

export const hourOfMs = (ms: number): Hour => Math.floor(ms / HOUR_MS);
export const msOfHour = (hour: Hour): number => hour * HOUR_MS;
export const dayOfHour = (hour: Hour): Day => Math.floor(hour / HOURS_PER_DAY);
export const firstHourOfDay = (day: Day): Hour => day * HOURS_PER_DAY;
export const isoOfHour = (hour: Hour): string => new Date(msOfHour(hour)).toISOString();
export const isoOfMs = (ms: number): string => new Date(ms).toISOString();

const dayNames = new Map<Day, string>();
/** `2026-11-27` for a day (remembered: paths of 30k categories name the same few days). */
export function dayName(day: Day): string {
  let name = dayNames.get(day);
  if (name === undefined) dayNames.set(day, (name = isoOfHour(firstHourOfDay(day)).slice(0, 10)));
  return name;
}
/** `18` for an hour's two-digit hour of day. */
export const hourOfDayName = (hour: Hour): string => String(hour - firstHourOfDay(dayOfHour(hour))).padStart(2, '0');

const parsedDays = new Map<string, Day | undefined>();

/** Inverse of dayName: the day, or undefined when the name is not a real date. */
export function parseDayName(name: string): Day | undefined {
  if (parsedDays.has(name)) return parsedDays.get(name);
  const day = parseDayNameOnce(name);
  // Memoized like dayName: a run parses the same few day names for ~60k directories.
  if (parsedDays.size < 4096) parsedDays.set(name, day);
  return day;
}

function parseDayNameOnce(name: string): Day | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(name)) return undefined;
  const ms = Date.UTC(+name.slice(0, 4), +name.slice(5, 7) - 1, +name.slice(8, 10));
  if (!Number.isFinite(ms) || isoOfMs(ms).slice(0, 10) !== name) return undefined;
  return ms / (HOUR_MS * HOURS_PER_DAY);
}

/** Inverse of hourOfDayName: 0..23, or undefined. */
export function parseHourOfDayName(name: string): number | undefined {
  if (!/^\d{2}$/.test(name)) return undefined;
  const h = Number(name);
  return h < HOURS_PER_DAY ? h : undefined;
}

/**
 * Parses a time given on the command line (`--now`, `--from`, `--to`).
 * ISO-8601; a value without an offset is UTC, never the machine's zone.
 */
export function parseTimeFlag(value: string, flag: string): number {
  const trimmed = value.trim();
  const hasZone = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(trimmed) && /T/i.test(trimmed);
  const parsed = parseISO(hasZone ? trimmed : `${trimmed}${/T/i.test(trimmed) ? '' : 'T00:00'}Z`);
  if (!isValid(parsed)) {
    throw usageError(`${flag} ${JSON.stringify(value)} is not an ISO-8601 time`, {
      hint: `write it like ${flag} 2026-11-27T19:05:00Z (UTC when no offset is given)`,
    });
  }
  return parsed.getTime();
}
