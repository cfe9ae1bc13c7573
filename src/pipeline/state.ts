// The pipeline's memory between runs, as LevelDB keeps its manifest: a
// numbered snapshot file written in full and synced, then the CURRENT
// pointer replaced atomically and last. A crash at any point leaves CURRENT
// naming a complete snapshot; older snapshots are collected after.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirDurable, writeFileAtomic } from '../fs/atomic.js';
import { statePaths } from '../layout.js';
import type { DirState } from '../log/log-state.js';
import type { DayVersion } from '../counts/day-counts.js';
import type { Mismatch } from '../rank/consistency.js';
import type { HourVersion } from '../counts/hour-counts.js';
import type { HourVersions } from '../counts/window.js';
import { type SettledDays, collectSettledDays } from './settled-days.js';

export interface WindowState {
  version: number;
  start: number;
  end: number;
  hours: HourVersions;
}

export interface PipelineState {
  format: 1;
  seq: number;
  /** Log directory (relative) → what has been read of it; settled category days are in `settled`. */
  dirs: Record<string, DirState>;
  /** Day → version of the file holding its settled category directories (settled-days.ts). */
  settled?: SettledDays;
  /** Hour → its current count file. */
  hours: Record<string, HourVersion>;
  window?: WindowState;
  /** End of the last run's window, and the release it published. */
  lastEnd?: number;
  lastRelease?: string;
  /** Day → its roll-up (daily tier). */
  days?: Record<string, DayVersion>;
  /** Hour → where its category logs disagree with its global log (consistency.ts). */
  mismatches?: Record<string, { found: Mismatch[]; total: number }>;
  /** The last daily release: hourly releases name it in ranksBase. */
  lastDaily?: { release: string; generatedAt: string; window: { start: string; end: string } };
}

export const emptyState = (): PipelineState => ({ format: 1, seq: 0, dirs: {}, hours: {} });

export function loadState(dataDir: string): PipelineState {
  const paths = statePaths(dataDir);
  if (!existsSync(paths.current)) return emptyState();
  const name = readFileSync(paths.current, 'utf8').trim();
  const file = join(paths.dir, name);
  try {
    const state = JSON.parse(readFileSync(file, 'utf8')) as PipelineState;
    if (state.format !== 1) throw new Error(`unknown format ${state.format}`);
    return state;
  } catch (err) {
    throw new Error(`${file}: unreadable pipeline state (${(err as Error).message}); move ${paths.dir} aside and run \`rank-pipeline rerun\` to rebuild it`, { cause: err });
  }
}

/** The snapshot after `state` (seq + 1), encoded. */
export interface EncodedState {
  next: PipelineState;
  json: string;
}

/** Encodes the next snapshot: a run does it while the file system syncs its release, and commits it after. */
export function encodeState(state: PipelineState): EncodedState {
  const next = { ...state, seq: state.seq + 1 };
  return { next, json: JSON.stringify(next) };
}

export function saveState(dataDir: string, state: PipelineState): PipelineState {
  return commitState(dataDir, encodeState(state));
}

/** Writes the snapshot, then moves CURRENT to it; returns the state now committed. */
export function commitState(dataDir: string, { next, json }: EncodedState): PipelineState {
  const paths = statePaths(dataDir);
  mkdirDurable(paths.dir);
  const file = paths.snapshot(next.seq);
  writeFileAtomic(file, json);
  writeFileAtomic(paths.current, `${file.slice(paths.dir.length + 1)}\n`);
  for (const name of readdirSync(paths.dir)) {
    const m = /^snapshot-(\d+)\.json$/.exec(name);
    if (m && Number(m[1]) !== next.seq) rmSync(join(paths.dir, name), { force: true });
  }
  collectSettledDays(dataDir, next.settled ?? {});
  return next;
}
