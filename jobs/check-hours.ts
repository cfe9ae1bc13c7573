// Task: the consistency check (src/rank/consistency.ts) of hours a run
// recounted, read back from their count files, on a worker while the main
// thread moves the window and ranks. The catalog comes as its products
// (src/catalog/shared.ts) and its categories' slugs.
import { type SharedProducts, sharedCatalog } from '../src/catalog/shared.js';
import { readHour } from '../src/counts/hour-counts.js';
import { type Mismatch, checkHour } from '../src/rank/consistency.js';
import { isoOfHour } from '../src/time.js';
import { type TaskResult, failureAsData } from './task-result.js';

export interface CheckHoursTask {
  dataDir: string;
  hours: Array<{ hour: number; version: number }>;
  products: SharedProducts;
  /** The catalog's category slugs, by index. */
  slugs: string[];
}

/** Each hour's mismatches (the first few) and how many there are, in the order given. */
export function checkHours(task: CheckHoursTask): TaskResult<Array<{ found: Mismatch[]; total: number }>> {
  const index = new Map(task.slugs.map((slug, i) => [slug, i]));
  const catalog = { ...sharedCatalog(task.products), categories: task.slugs.map((slug) => ({ slug })), categoryIndex: (slug: string) => index.get(slug) ?? -1 };
  try {
    return { ok: true, value: task.hours.map(({ hour, version }) => checkHour(isoOfHour(hour), readHour(task.dataDir, hour, version), catalog)) };
  } catch (err) {
    return failureAsData(err);
  }
}
