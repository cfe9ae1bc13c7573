// Bad lines found by a run, kept under DATA/quarantine/ as CSV
// (file,line,offset,reason,text): one file per run, named by the run's
// clock, so an analyst can join them back to the raw logs, which keep every
// byte. Written even when the run then fails on the bad-line budget.
import { writeToBuffer } from 'fast-csv';
import { mkdirDurable, writeFileAtomic } from '../fs/atomic.js';
import { quarantineDir, runQuarantinePath } from '../layout.js';
import type { BadLine } from '../log/log-state.js';

export async function writeRunQuarantine(dataDir: string, seq: number, bad: readonly BadLine[], total: number): Promise<string | undefined> {
  if (bad.length === 0) return undefined;
  const dir = quarantineDir(dataDir);
  mkdirDurable(dir);
  const rows: string[][] = bad.map((b) => [b.file, String(b.line), String(b.offset), b.reason, b.text]);
  if (total > bad.length) rows.push(['', '', '', 'not_listed', `${total - bad.length} more bad lines; see the raw logs`]);
  const body = await writeToBuffer(rows, { headers: ['file', 'line', 'offset', 'reason', 'text'], quoteColumns: [false, false, false, false, true] });
  const path = runQuarantinePath(dataDir, seq);
  writeFileAtomic(path, body);
  return path;
}
