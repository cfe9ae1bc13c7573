// When one log directory is too big for one worker (a peak hour's global log
// is a single 350 MB file), its files are cut into line-aligned ranges that
// the workers count side by side; merge-ranges.ts puts them back together.
// Small directories, and every directory under the inline runner, are read
// whole by one task, as usual.
import { join } from 'node:path';
import { dataError } from '../errors.js';
import { type Seen, alignRanges, listFiles, readTail } from '../log/log-files.js';
import type { DirState, LogDir } from '../log/log-state.js';
import type { RangeTask } from '../log/range-scanner.js';

/** New bytes below which a directory is read by one task. */
export const SPLIT_MIN_BYTES = 48 << 20;

export interface SplitPlan {
  seen: Seen[];
  ranges: RangeTask[];
}

export function planSplit(dataDir: string, d: LogDir, state: DirState | undefined, parallelism: number, minBytes = SPLIT_MIN_BYTES): SplitPlan | undefined {
  if (parallelism < 2) return undefined;
  const abs = join(dataDir, d.dir);
  const { seen } = listFiles(abs, d.dir, state?.files ?? {});
  let fresh = 0;
  let total = 0;
  for (const f of seen) {
    fresh += f.size - (f.prev?.consumed ?? 0);
    total += f.size;
  }
  if (fresh < minBytes) return undefined;
  const ranges: RangeTask[] = [];
  for (const f of seen) {
    const prev = f.prev;
    if (prev?.tail !== undefined && f.size > prev.consumed && readTail(join(abs, f.name), prev.consumed) !== prev.tail) {
      throw dataError('log was replaced: the bytes already counted are no longer there; logs are append-only', {
        path: join(d.dir, f.name),
        hint: 'if it was restored from a backup on purpose, rebuild its hours with `rank-pipeline rerun --from … --to …`',
      });
    }
    // Recount from byte 0, so each hour comes out whole; quarantine only what is new.
    // One range per worker: more would balance better but cost a bigger merge.
    const parts = Math.max(1, Math.round((f.size / total) * parallelism));
    const cuts = alignRanges(join(abs, f.name), 0, f.size, parts);
    for (let i = 0; i + 1 < cuts.length; i++) {
      ranges.push({ dataDir, dir: d, file: f.name, from: cuts[i], to: cuts[i + 1], quarantineFrom: prev?.consumed ?? 0 });
    }
  }
  return { seen, ranges };
}
