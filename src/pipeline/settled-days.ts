// Settled category days kept out of the state snapshot. A category's day
// settles two hours after it ends, once hourly runs stop reading it in full
// (refresh-counts.ts): from then on an hourly run reads it only when that
// day's global hours changed. So the 30k settled directories of each day live
// in a file of their own, `state/settled/DAY.vN.json`, which the snapshot
// names by version: an hourly run loads and rewrites only today's directories
// (~30k; ~60k in a day's first two hours) instead of the week's ~240k. Like count
// files, a version is written in full and durably before the snapshot that
// names it commits, and collected once no committed snapshot names it. A
// day's file is JSON, each directory's state an object: hourly runs write
// one a day and read one only when a late line reopens its day, so it keeps
// the readable form the snapshot gave up for speed (state.ts).
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { unreadableState } from '../errors.js';
import { mkdirDurable, writeFileAtomic } from '../fs/atomic.js';
import { statePaths } from '../layout.js';
import { type DirStateBytes, decodeDirState, encodeDirState } from '../log/dir-state-bytes.js';
import type { DirState } from '../log/log-state.js';

/** Day → version of its settled-directories file. */
export type SettledDays = Record<string, number>;

export function readSettledDays(dataDir: string, day: number, version: number): Record<string, DirStateBytes> {
  const path = statePaths(dataDir).settledDays(day, version);
  try {
    const dirs: Record<string, DirStateBytes> = {};
    for (const [d, st] of Object.entries(JSON.parse(readFileSync(path, 'utf8')) as Record<string, DirState>)) dirs[d] = encodeDirState(st);
    return dirs;
  } catch (err) {
    throw unreadableState(path, statePaths(dataDir).dir, err);
  }
}

export function writeSettledDays(dataDir: string, day: number, version: number, dirs: Record<string, DirStateBytes>): void {
  const paths = statePaths(dataDir);
  mkdirDurable(paths.settledDir);
  const states: Record<string, DirState> = {};
  for (const [d, st] of Object.entries(dirs)) states[d] = decodeDirState(st);
  writeFileAtomic(paths.settledDays(day, version), JSON.stringify(states));
}

/** Removes the files no committed snapshot names (left by older snapshots or a crashed run). */
export function collectSettledDays(dataDir: string, keep: SettledDays): void {
  const paths = statePaths(dataDir);
  if (!existsSync(paths.settledDir)) return;
  const wanted = new Set(Object.entries(keep).map(([day, v]) => paths.settledDays(+day, v)));
  for (const name of readdirSync(paths.settledDir)) {
    const path = join(paths.settledDir, name);
    if (!wanted.has(path)) rmSync(path, { force: true });
  }
}
