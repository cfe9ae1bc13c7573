// Task: encode and write a part of a release's top lists (CONTRACT.md §4),
// laid out on the main thread (src/publish/documents.ts, layOutLists), and
// return their digest for the release id. The parts of a release run on
// both workers at once. An hourly run writes over files already there (a
// recycled or blank release), which takes no lock of the directory; parts
// that create their files (a daily run's, a rerun's) contend for it, as two
// threads creating files in one directory do.
import type { LaidOutLists, Window } from '../src/publish/documents.js';
import { TopListEncoder } from '../src/publish/documents.js';
import { PartFiles } from './write-file-batch.js';
import type { TaskResult } from './task-result.js';

export interface WriteTopListsTask {
  dir: string;
  /** Over the files there (see write-file-batch.ts). */
  inPlace: boolean;
  head: { generatedAt: string; window: Window };
  lists: LaidOutLists;
  /** Each list's file: its path relative to dir, and its category (none: the overall list). */
  files: Array<{ path: string; category?: { slug: string; name: string } }>;
}

export function writeTopLists(task: WriteTopListsTask): TaskResult<string> {
  const encoder = new TopListEncoder(task.lists, task.head);
  const files = new PartFiles(task.dir, task.inPlace);
  for (const [k, { path, category }] of task.files.entries()) {
    const failed = files.write(path, encoder.encode(k, category ? 'category' : 'overall', category));
    if (failed) return failed;
  }
  return { ok: true, value: files.digest() };
}
