// The writer routes lines in batches sorted by file (purchase-router.ts).
// Whatever the batching, each file must hold exactly the lines a line-by-line
// router would give it, in the order they were appended: checked here against a plain model of the
// routing rules, over more lines than a batch and its staging buffer hold,
// through both entry points, with a small arena and few descriptors, on this
// thread and with the writer thread (writer-thread.ts).
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogBuilder } from '../../src/catalog/build.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import { categoryDayDir, globalHourDir } from '../../src/layout.js';
import { newLineFields, parseLine } from '../../src/log/line-codec.js';
import { openPurchaseLog } from '../../src/log/purchase-log.js';
import { readLogs, removeTempDirs, tempDataDir } from '../log/writer-fixture.js';

afterEach(removeTempDirs);

const CATEGORIES = 40;

/** Product i (1..600): no category when i % 50 === 0, else 1 to 4 of them; products above 600 are unknown. */
function catalog(): Catalog {
  const b = new CatalogBuilder(Array.from({ length: CATEGORIES }, (_, i) => ({ slug: `k${i}`, name: `K ${i}` })));
  for (let id = 1; id <= 600; id++) {
    const n = id % 50 === 0 ? 0 : 1 + (id % 4);
    b.addProduct(id, Array.from({ length: n }, (_, k) => b.categoryIndex(`k${(id * 7 + k * 11) % CATEGORIES}`)));
  }
  return b.build();
}

/** Line i of the input: hours over three days, some lines without a quantity, some long eventIds. */
function inputLine(i: number): string {
  const id = 1 + ((i * 7919) % 640);
  const day = 26 + (i % 3);
  const hour = String((i >> 3) % 24).padStart(2, '0');
  const stamp = `2026-11-${day}T${hour}:${String(i % 60).padStart(2, '0')}:00${i % 5 === 0 ? '.125' : ''}Z`;
  if (i % 9 === 0) return `${id},${stamp}`;
  const event = i % 4 === 0 ? `,e${i}-${'x'.repeat(i % 50)}` : '';
  return `${id},${stamp},${1 + (i % 7)}${event}`;
}

/** Path (relative to DATA, without the file name) → its lines in order, by the rules of CONTRACT.md §2. */
function expected(cat: Catalog, lines: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (dir: string, line: string) => {
    const list = out.get(dir) ?? [];
    list.push(line);
    out.set(dir, list);
  };
  for (const raw of lines) {
    const line = raw.split(',').length === 2 ? `${raw},1` : raw;
    const [id, stamp] = line.split(',');
    const hour = Math.floor(Date.parse(stamp) / 3_600_000);
    add(globalHourDir(hour), line);
    for (const c of Array.from(cat.categoriesOf(Number(id)))) add(categoryDayDir(cat.categories[c].slug, Math.floor(hour / 24)), line);
  }
  return out;
}

function actual(dataDir: string, fileName: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [path, text] of readLogs(dataDir)) {
    expect(path.endsWith(`/${fileName}`)).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
    out.set(path.slice(0, -fileName.length - 1), text.slice(0, -1).split('\n'));
  }
  return out;
}

// More than a batch (64k lines) and than its staging buffer (3 MB) hold.
const LINES = 150_000;

describe.each([false, true])('batched routing (writer thread: %s)', (writerThread) => {
  const cat = catalog();
  const input = Array.from({ length: LINES }, (_, i) => inputLine(i));
  const want = expected(cat, input);

  it('gives each file the lines of the line-by-line rules, in order, through appendParsed from a reused buffer', async () => {
    const dataDir = tempDataDir();
    const log = openPurchaseLog({ dataDir, catalog: cat, writerId: 'bytes', maxBufferedBytes: 1 << 18, maxOpenFiles: 8, writerThread });
    const buf = Buffer.alloc(256);
    const fields = newLineFields();
    for (const line of input) {
      // The same buffer for every line: the writer must not keep pointing into it.
      const n = buf.write(line, 7, 'latin1');
      if (parseLine(buf, 7, 7 + n, fields, true) !== 0) throw new Error(`the fixture made a bad line: ${line}`);
      log.appendParsed(buf, 7, 7 + n, fields);
      buf.fill(0x78);
    }
    await log.close();
    expect(actual(dataDir, 'bytes.log')).toEqual(want);
    expect(log.stats().purchases).toBe(LINES);
  });

  it('does the same through append() with flushes in between', async () => {
    const dataDir = tempDataDir();
    const log = openPurchaseLog({ dataDir, catalog: cat, writerId: 'objects', writerThread });
    for (let i = 0; i < input.length; i++) {
      const [productId, timestamp, quantity, eventId] = input[i].split(',');
      const r = log.append({ productId: Number(productId), timestamp, quantity: quantity === undefined ? undefined : Number(quantity), eventId });
      if (!r.ok) throw new Error(`the fixture made a bad line: ${input[i]} (${r.reason})`);
      if (i % 40_000 === 39_999) await log.flush();
    }
    await log.close();
    expect(actual(dataDir, 'objects.log')).toEqual(want);
  });
});
