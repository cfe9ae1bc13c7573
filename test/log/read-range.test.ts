// readRangeAt hands back the fingerprint of the bytes it consumed (the one
// tailAt reads) when they were still in its buffer: every time it does, it
// is tailAt's, over ranges that start and end anywhere, in files of lines
// short, long and longer than a read chunk (1 MB).
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type OffsetVisitor, readRangeAt, tailAt } from '../../src/log/log-files.js';
import { Rng } from '../../src/generate/prng.js';

const dir = mkdtempSync(join(tmpdir(), 'read-range-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ignore: OffsetVisitor = { base: 0, valid() {}, invalid() {} };

describe('readRangeAt', () => {
  it("returns tailAt's fingerprint of what it consumed whenever it returns one", () => {
    const rng = new Rng(7);
    const rand = () => rng.float();
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const len = i === 9_000 ? 1_500_000 : rand() < 0.3 ? 1 + Math.floor(rand() * 20) : 30 + Math.floor(rand() * 60);
      lines.push(`${'abcdefghij'.repeat(Math.ceil(len / 10)).slice(0, len - String(i).length)}${i}`);
    }
    const text = `${lines.join('\n')}\nno newline at the end`;
    const path = join(dir, 'log');
    writeFileSync(path, text);
    const starts = [0];
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
    const fd = openSync(path, 'r');
    let returned = 0;
    let left = 0;
    try {
      for (let k = 0; k < 400; k++) {
        const from = k === 0 ? 0 : starts[Math.floor(rand() * starts.length)];
        // To the end, to a short way on (a line or none), or anywhere within 3 MB.
        const to = k % 4 === 0 ? text.length : Math.min(text.length, from + Math.floor(rand() * (k % 4 === 1 ? 40 : 3_000_000)));
        const read = readRangeAt(fd, from, to, 1, ignore);
        if (read.tail === undefined) left++;
        else {
          returned++;
          expect(read.tail, `[${from}, ${to})`).toBe(tailAt(fd, read.consumed));
        }
      }
    } finally {
      closeSync(fd);
    }
    // Both ways happen: mostly from the buffer, sometimes (nothing consumed, or a short last line past an earlier chunk) not.
    expect(returned).toBeGreaterThan(200);
    expect(left).toBeGreaterThan(5);
  });
});
