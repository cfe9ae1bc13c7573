// The pipeline's memory between runs, as LevelDB keeps its manifest: a
// numbered snapshot file written in full and synced, then the CURRENT
// pointer replaced atomically and last. A crash at any point leaves CURRENT
// naming a complete snapshot; older snapshots are collected after.
//
// A snapshot (format 2, `snapshot-N.state`) is the state as JSON but for its
// directories, which follow as bytes (log/dir-state-bytes.ts), and a CRC-32
// of everything before it, little-endian:
//
//   "RPSTATE2"   u32 JSON length, JSON (with `dirNames`)   u32 ends[dirNames.length]
//   the directories' states, packed (PackedStates)   u32 CRC-32
//
// A format 1 snapshot (`snapshot-N.json`, every directory as JSON) is read
// and converted; the next commit writes format 2 and collects it.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { unreadableState } from '../errors.js';
import { mkdirDurable, writeFileAtomic } from '../fs/atomic.js';
import { statePaths } from '../layout.js';
import { type DirStateBytes, encodeDirState, packStates, unpackStates } from '../log/dir-state-bytes.js';
import type { DirState } from '../log/log-state.js';
import type { CheckedCache } from '../catalog/catalog.js';
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
  format: 2;
  seq: number;
  /** Log directory (relative) → what has been read of it, encoded; settled category days are in `settled`. */
  dirs: Record<string, DirStateBytes>;
  /** Day → version of the file holding its settled category directories (settled-days.ts). */
  settled?: SettledDays;
  /**
   * Days whose global hours, read before, the last run found changed: the
   * next hourly run reads their category days too, whatever their age, for
   * the category lines their writers appended after that run read them
   * (refresh-counts.ts).
   */
  recheckDays?: number[];
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
  /** The catalog cache file as the last run found it sound: the next run does not check it again (catalog/load.ts). */
  catalogChecked?: CheckedCache;
}

export const emptyState = (): PipelineState => ({ format: 2, seq: 0, dirs: {}, hours: {} });

const MAGIC = Buffer.from('RPSTATE2');

export function loadState(dataDir: string): PipelineState {
  const paths = statePaths(dataDir);
  if (!existsSync(paths.current)) return emptyState();
  const name = readFileSync(paths.current, 'utf8').trim();
  const file = join(paths.dir, name);
  try {
    return name.endsWith('.json') ? fromFormat1(JSON.parse(readFileSync(file, 'utf8'))) : decodeSnapshot(readFileSync(file));
  } catch (err) {
    throw unreadableState(file, paths.dir, err);
  }
}

function decodeSnapshot(bytes: Buffer): PipelineState {
  if (bytes.length < MAGIC.length + 8 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a format 2 snapshot');
  const body = bytes.length - 4;
  if (crc32(bytes.subarray(0, body)) !== bytes.readUInt32LE(body)) throw new Error('checksum mismatch: the file is torn or damaged');
  let at = MAGIC.length;
  const jsonLength = bytes.readUInt32LE(at);
  at += 4;
  const { dirNames, ...state } = JSON.parse(bytes.toString('utf8', at, at + jsonLength)) as PipelineState & { dirNames: string[] };
  at += jsonLength;
  const ends = new Uint32Array(dirNames.length);
  for (let i = 0; i < ends.length; i++, at += 4) ends[i] = bytes.readUInt32LE(at);
  if (at + (ends.at(-1) ?? 0) !== body) throw new Error(`${dirNames.length} directory states do not end where the file does`);
  const views = unpackStates({ bytes: bytes.subarray(at, body), ends });
  const dirs: Record<string, DirStateBytes> = {};
  dirNames.forEach((d, i) => (dirs[d] = views[i]));
  return { ...state, format: 2, dirs };
}

function fromFormat1(state: Omit<PipelineState, 'format' | 'dirs'> & { format: number; dirs: Record<string, DirState> }): PipelineState {
  if (state.format !== 1) throw new Error(`unknown format ${state.format}`);
  const dirs: Record<string, DirStateBytes> = {};
  for (const [d, st] of Object.entries(state.dirs)) dirs[d] = encodeDirState(st);
  return { ...state, format: 2, dirs };
}

/** The snapshot after `state` (seq + 1), encoded. */
export interface EncodedState {
  next: PipelineState;
  parts: Uint8Array[];
}

/** Encodes the next snapshot: a run does it while the file system syncs its release, and commits it after. */
export function encodeState(state: PipelineState): EncodedState {
  const next = { ...state, seq: state.seq + 1 };
  const { dirs, ...rest } = next;
  const dirNames = Object.keys(dirs);
  const json = Buffer.from(JSON.stringify({ ...rest, dirNames }));
  const packed = packStates(dirNames.map((d) => dirs[d]));
  const head = Buffer.allocUnsafe(MAGIC.length + 4 + json.length + 4 * dirNames.length);
  let at = MAGIC.copy(head);
  at = head.writeUInt32LE(json.length, at);
  at += json.copy(head, at);
  for (const e of packed.ends) at = head.writeUInt32LE(e, at);
  const crc = Buffer.allocUnsafe(4);
  const headCrc = crc32(head);
  crc.writeUInt32LE(packed.bytes.length > 0 ? crc32(packed.bytes, headCrc) : headCrc); // zlib restarts at 0 on no bytes
  return { next, parts: [head, packed.bytes, crc] };
}

export function saveState(dataDir: string, state: PipelineState): PipelineState {
  return commitState(dataDir, encodeState(state));
}

/** Writes the snapshot, then moves CURRENT to it; returns the state now committed. */
export function commitState(dataDir: string, { next, parts }: EncodedState): PipelineState {
  const paths = statePaths(dataDir);
  mkdirDurable(paths.dir);
  const file = paths.snapshot(next.seq);
  writeFileAtomic(file, parts);
  writeFileAtomic(paths.current, `${file.slice(paths.dir.length + 1)}\n`);
  for (const name of readdirSync(paths.dir)) {
    const m = /^snapshot-(\d+)\.(state|json)$/.exec(name);
    if (m && (Number(m[1]) !== next.seq || m[2] === 'json')) rmSync(join(paths.dir, name), { force: true });
  }
  collectSettledDays(dataDir, next.settled ?? {});
  return next;
}
