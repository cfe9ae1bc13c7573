// Settled category days kept out of the state snapshot. A category's day
// settles two hours after it ends, once hourly runs stop reading it in full
// (refresh-counts.ts): from then on an hourly run reads it only when that
// day's global hours changed. So the 30k settled directories of each day live
// in a file of their own, `state/settled/DAY.vN.json`, which the snapshot
// names by version: an hourly run loads and rewrites only today's directories
// (~30k; ~60k in a day's first two hours) instead of the week's ~240k. Like count
// files, a version is written in full and durably before the snapshot that
// names it commits, and collected once no committed snapshot names it.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirDurable, writeFileAtomic } from '../fs/atomic.js';
import { statePaths } from '../layout.js';
import type { DirState } from '../log/log-state.js';

/** Day → version of its settled-directories file. */
export type SettledDays = Record<string, number>;

export function readSettledDays(dataDir: string, day: number, version: number): Record<string, DirState> {
  const path = statePaths(dataDir).settledDays(day, version);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, DirState>;
  } catch (err) {
    throw new Error(`${path}: unreadable pipeline state (${(err as Error).message}); move ${statePaths(dataDir).dir} aside and run \`rank-pipeline rerun\` to rebuild it`, { cause: err });
  }
}

export function writeSettledDays(dataDir: string, day: number, version: number, dirs: Record<string, DirState>): void {
  const paths = statePaths(dataDir);
  mkdirDurable(paths.settledDir);
  writeFileAtomic(paths.settledDays(day, version), JSON.stringify(dirs));
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
