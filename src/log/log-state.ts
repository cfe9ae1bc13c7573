// What the pipeline remembers about each raw log file between runs: how far
// it has read (by byte offset, CONTRACT.md §2), the file's identity, and
// where each hour's lines begin, so a late line re-reads only its hour.

export interface FileState {
  /** Inode when first read: a different one means the log was replaced. */
  ino: number;
  /** Size seen by the last run, torn tail included. */
  size: number;
  /** Bytes read: up to just past the last newline (or a quarantined torn tail). */
  consumed: number;
  /** Lines in [0, consumed), for line numbers in quarantine. */
  lines: number;
  /** The last bytes before `consumed` (hex): a log replaced by other bytes no longer ends this way. */
  tail?: string;
  /** Hour (as a decimal string key) → offset of its first line in this file. */
  first: Record<string, number>;
}

export interface DirState {
  /** Hours below this were counted when the directory was last scanned. */
  doneEnd: number;
  /**
   * Set once every hour of the directory is long complete: the files' `first`
   * offsets are dropped to keep the state small (30k categories × 8 days),
   * and a late line recounts its hour from byte 0.
   */
  settled?: boolean;
  /**
   * The directory's mtime when it was last listed, kept only when it was
   * older than the listing by a safe margin (log-files.ts listFiles): while
   * it stays the same, no file was added or removed, and the listing is skipped.
   */
  mtimeMs?: number;
  files: Record<string, FileState>;
}

/** The lines a directory's files hold, as far as they were read. */
export function linesHeld(state: DirState): number {
  let lines = 0;
  for (const f of Object.values(state.files)) lines += f.lines;
  return lines;
}

/** One directory of raw logs and the hours its lines may carry: [spanStart, spanEnd). */
export interface LogDir {
  /** Relative to the data directory, e.g. logs/global/2026-11-27/18. */
  dir: string;
  /** '' for the global log, else the category slug. */
  group: string;
  spanStart: number;
  spanEnd: number;
}

export interface BadLine {
  file: string;
  line: number;
  offset: number;
  reason: string;
  text: string;
}

export interface HourCounts {
  hour: number;
  ids: Uint32Array;
  sales: Int32Array;
  /** Lines counted, after eventId dedupe. */
  lines: number;
}

export interface DirScan {
  dir: string;
  group: string;
  /** False when nothing was new: the caller keeps its state and counts. */
  changed: boolean;
  state: DirState;
  /** Every hour recounted in full; replaces the group's block in that hour. */
  hours: HourCounts[];
  /** Lines read for the first time, valid or not; bad ones among them. */
  newLines: number;
  badLines: number;
  /** Bad lines per hour of their directory span they were found in (first hour for category days). */
  badByReason: Record<string, number>;
  /** The bad lines themselves, up to a cap per directory. */
  bad: BadLine[];
}
