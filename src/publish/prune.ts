// Collecting old releases (CONTRACT.md §4): keep the 3 most recent, every
// release latest.json pointed to in the last 2 hours (a reader may still be
// fetching it through a CDN), and every release a kept manifest names (an
// hourly release serves the ranks/ of a daily one). The pointer history
// lives beside latest.json in a dotfile the static server does not serve.
// An hourly run reuses the directory of the release it would prune next
// (recyclableRelease; see writeRelease): at 30k files, creating a release's
// files and deleting an old one's were seconds of every hourly run.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../fs/atomic.js';
import { RELEASE_ID_RE, outPaths, releaseStamp } from '../layout.js';

const KEEP_RECENT = 3;
const KEEP_POINTED_MS = 2 * 3_600_000;

/**
 * A move of latest.json, in the order they happened: it pointed at
 * `release` from `at` until the next event's `at` (the last one: still).
 */
export interface PointerEvent {
  release: string;
  /** When latest.json started pointing at it (the run's clock). */
  at: number;
}

const historyPath = (outDir: string) => join(outDir, '.latest-history.json');

function readHistory(outDir: string): PointerEvent[] {
  try {
    return JSON.parse(readFileSync(historyPath(outDir), 'utf8')) as PointerEvent[];
  } catch {
    return [];
  }
}

/** Records a pointer move; called right after latest.json is replaced. */
export function recordPointer(outDir: string, release: string, at: number): void {
  const history = [...readHistory(outDir), { release, at }];
  // The events still needed: the releases pointed to within 2 hours of this move.
  const needed = history.filter((_, i) => pointedUntil(history, i) > at - KEEP_POINTED_MS);
  writeFileAtomic(historyPath(outDir), JSON.stringify(needed), { durable: false });
}

/** Until when latest.json pointed at history[i]'s release: the next move, or now (Infinity). */
const pointedUntil = (history: readonly PointerEvent[], i: number) => history[i + 1]?.at ?? Infinity;

/** Deletes the releases nothing needs any more; returns their ids. */
export function pruneReleases(outDir: string, nowMs: number, current: string): string[] {
  const dir = outPaths(outDir).releasesDir;
  const ids = releaseIds(dir);
  const keep = keptReleases(outDir, nowMs, ids.slice(-KEEP_RECENT), [current]);
  const removed = ids.filter((id) => !keep.has(id));
  for (const id of removed) rmSync(join(dir, id), { recursive: true, force: true });
  return removed;
}

/**
 * A release that pruning would delete once a release made at nowMs is the
 * newest and served, to be rewritten in place as that release; `alsoKeep`:
 * the release latest.json names and the one the new manifest will name in
 * ranksBase. None when a release as new as nowMs exists (a rerun of an
 * earlier hour): the new one would not be the newest.
 */
export function recyclableRelease(outDir: string, nowMs: number, alsoKeep: Array<string | undefined>): string | undefined {
  const ids = releaseIds(outPaths(outDir).releasesDir);
  const stamp = releaseStamp(nowMs);
  if (ids.some((id) => id.slice(0, id.indexOf('-')) >= stamp)) return undefined;
  const keep = keptReleases(outDir, nowMs, ids.slice(-(KEEP_RECENT - 1)), alsoKeep);
  return ids.find((id) => !keep.has(id));
}

const releaseIds = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => RELEASE_ID_RE.test(n)).sort() : []);

/**
 * `recent` and `also`, every release latest.json pointed to at some time in
 * the last 2 hours (a reader may have fetched it just before the pointer
 * moved on), and what their manifests name.
 */
function keptReleases(outDir: string, nowMs: number, recent: string[], also: Array<string | undefined>): Set<string> {
  const dir = outPaths(outDir).releasesDir;
  const keep = new Set<string>(recent);
  for (const id of also) if (id) keep.add(id);
  const history = readHistory(outDir);
  history.forEach((e, i) => {
    if (pointedUntil(history, i) > nowMs - KEEP_POINTED_MS) keep.add(e.release);
  });
  for (const id of [...keep]) {
    const base = ranksBaseOf(join(dir, id, 'manifest.json'));
    if (base) keep.add(base);
  }
  return keep;
}

function ranksBaseOf(manifest: string): string | undefined {
  try {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { ranksBase?: string };
    return m.ranksBase?.replace(/^releases\//, '').replace(/\/$/, '');
  } catch {
    return undefined;
  }
}
