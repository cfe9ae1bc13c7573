// Collecting count files no committed state names (LevelDB collects its
// unreferenced tables the same way): old hour versions, hours that left the
// scanned range, old window versions, temp files of a crashed write.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { statePaths } from '../layout.js';

/** Deletes every count file under DATA/counts whose path is not in `keep`. */
export function collectCounts(dataDir: string, keep: ReadonlySet<string>): number {
  const root = statePaths(dataDir).countsDir;
  let removed = 0;
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        walk(path);
        if (readdirSync(path).length === 0) rmSync(path, { recursive: true, force: true });
      } else if (!keep.has(path)) {
        rmSync(path, { force: true });
        removed++;
      }
    }
  };
  walk(root);
  return removed;
}
