// Every path the pipeline reads or writes, and the inverse parsers for the
// names it finds on disk. Nothing else joins path segments by hand, so this
// file is the map of the data directory (CONTRACT.md §2) and the output (§4).
import { hostname } from 'node:os';
import { join } from 'node:path';
import { type Day, type Hour, dayName, dayOfHour, hourOfDayName, parseDayName, parseHourOfDayName, firstHourOfDay } from './time.js';

export const SLUG_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const UNCATEGORIZED = 'uncategorized';
export const LOG_SUFFIX = '.log';

export interface Layout {
  readonly dataDir: string;
  readonly outDir: string;
}

export const catalogPaths = (dataDir: string) => ({
  dir: join(dataDir, 'catalog'),
  categories: join(dataDir, 'catalog', 'categories.csv'),
  products: join(dataDir, 'catalog', 'products.csv'),
  /** Binary cache of both CSVs, rebuilt when either changes; derived, lives under state/. */
  cache: join(dataDir, 'state', 'catalog.bin'),
});

// ---- raw logs (written by the purchase system, never edited by the pipeline)

export const globalLogRoot = (dataDir: string) => join(dataDir, 'logs', 'global');
export const categoryLogRoot = (dataDir: string) => join(dataDir, 'logs', 'categories');

/** `logs/global/YYYY-MM-DD/HH`, relative to the data directory. */
export const globalHourDir = (hour: Hour) => join('logs', 'global', dayName(dayOfHour(hour)), hourOfDayName(hour));
/** `logs/categories/SLUG/YYYY-MM-DD`, relative to the data directory (joined by hand: a run names 30k a day, and path.join's normalizing of them took ~40 ms). */
export const categoryDayDir = (slug: string, day: Day) => `logs/categories/${slug}/${dayName(day)}`;

/** The hour a `YYYY-MM-DD` and `HH` pair of global directory names stands for. */
export function parseGlobalHourDir(dayPart: string, hourPart: string): Hour | undefined {
  const day = parseDayName(dayPart);
  const h = parseHourOfDayName(hourPart);
  return day === undefined || h === undefined ? undefined : firstHourOfDay(day) + h;
}

/** The hours [start, end) a log directory (relative, as globalHourDir or categoryDayDir name it) may hold. */
export function logDirSpan(rel: string): [Hour, Hour] | undefined {
  const parts = rel.split('/');
  if (parts[0] !== 'logs') return undefined;
  if (parts[1] === 'global' && parts.length === 4) {
    const h = parseGlobalHourDir(parts[2], parts[3]);
    return h === undefined ? undefined : [h, h + 1];
  }
  const day = parts[1] === 'categories' && parts.length === 4 ? parseDayName(parts[3]) : undefined;
  return day === undefined ? undefined : [firstHourOfDay(day), firstHourOfDay(day + 1)];
}

/**
 * A writer's file name: host, pid and a per-process token, so no two
 * processes ever append to one file, not even a later process that reuses a
 * pid (it would otherwise continue a dead writer's torn last line).
 */
export function writerFileName(token: string, host = hostname(), pid = process.pid): string {
  const safeHost = host.replace(/[^A-Za-z0-9-]/g, '-').slice(0, 64) || 'host';
  return `${safeHost}.${pid}.${token}${LOG_SUFFIX}`;
}

export const isLogFileName = (name: string) => name.endsWith(LOG_SUFFIX) && !name.startsWith('.');

// ---- derived state (rebuildable from logs and catalog)

export const statePaths = (dataDir: string) => ({
  dir: join(dataDir, 'state'),
  lock: join(dataDir, 'state', 'run.lock'),
  current: join(dataDir, 'state', 'CURRENT'),
  snapshot: (n: number) => join(dataDir, 'state', `snapshot-${String(n).padStart(8, '0')}.state`),
  settledDir: join(dataDir, 'state', 'settled'),
  /** The settled category days of one day (settled-days.ts). */
  settledDays: (day: Day, version: number) => join(dataDir, 'state', 'settled', `${dayName(day)}.v${version}.json`),
  countsDir: join(dataDir, 'counts'),
  hourCounts: (hour: Hour, version: number) =>
    join(dataDir, 'counts', 'hours', dayName(dayOfHour(hour)), `${hourOfDayName(hour)}.v${version}.counts`),
  dayCounts: (day: Day, version: number) => join(dataDir, 'counts', 'days', `${dayName(day)}.v${version}.counts`),
  windowCounts: (version: number) => join(dataDir, 'counts', 'window', `window.v${version}.counts`),
});

export const quarantineDir = (dataDir: string) => join(dataDir, 'quarantine');

// ---- output (what the CDN serves)

export const outPaths = (outDir: string) => ({
  latest: join(outDir, 'latest.json'),
  releasesDir: join(outDir, 'releases'),
  release: (id: string) => join(outDir, 'releases', id),
  /** Relative to OUT, as latest.json and manifests name them. */
  releaseBase: (id: string) => `releases/${id}/`,
});

export const RELEASE_ID_RE = /^\d{8}T\d{6}Z-(hourly|daily)-[0-9a-f]{8}$/;

/** Release ids sort by time: `20261127T190500Z-hourly-1a2b3c4d`. */
export function releaseId(nowMs: number, kind: 'hourly' | 'daily', contentHash: string): string {
  return `${releaseStamp(nowMs)}-${kind}-${contentHash.slice(0, 8)}`;
}

/** The time part of a release id, which comes first in it: `20261127T190500Z`. */
export const releaseStamp = (nowMs: number) => new Date(nowMs).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** `ranks/NNN.json`: the shard of a product id. */
export const RANK_SHARDS = 256;
export const rankShardName = (shard: number) => `${String(shard).padStart(3, '0')}.json`;

// ---- ingest and generate

/**
 * A log file name chosen by the caller (`generate-s1.log`), for writers whose
 * output must be byte-identical from run to run. Unlike writerFileName it does
 * not guarantee one writer per file: the caller must (generate refuses to
 * write into logs that already have files).
 */
export const WRITER_ID_RE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}$/;
export const namedWriterFileName = (writerId: string) => `${writerId}${LOG_SUFFIX}`;

const utcStamp = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** `quarantine/ingest-20261127T190500Z-4242.csv`: the bad lines of one ingest run (`-N` added if taken). */
/** The bad lines a run found, named after the state snapshot the run commits (SEQ). */
export const runQuarantinePath = (dataDir: string, seq: number) => join(quarantineDir(dataDir), `run-${String(seq).padStart(8, '0')}.csv`);

export const ingestQuarantinePath = (dataDir: string, nowMs: number, pid: number, attempt = 0) =>
  join(quarantineDir(dataDir), `ingest-${utcStamp(nowMs)}-${pid}${attempt ? `-${attempt}` : ''}.csv`);

/** Where `ingest --strict` keeps a copy of stdin while it validates it, so it can read it twice. */
export const ingestSpoolPath = (dataDir: string, nowMs: number, pid: number) =>
  join(dataDir, 'tmp', `ingest-${utcStamp(nowMs)}-${pid}.spool`);
