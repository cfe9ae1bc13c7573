// The log writer with its files on a worker thread (writer-thread.ts), as
// `ingest` uses it: the same bytes in the same files as on one thread, also
// when a batch fans out to more than a slot holds; a write failure on the
// worker surfaces here as exit 74 naming the file, at a later append and at
// close, without hanging; and the CLI reports it the same way.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CatalogBuilder } from '../../src/catalog/build.js';
import type { Catalog } from '../../src/catalog/catalog.js';
import { PipelineError } from '../../src/errors.js';
import { openPurchaseLog } from '../../src/log/purchase-log.js';
import { cli } from '../pipeline/helpers/world.js';
import { readLogs, removeTempDirs, smallCatalog, tempDataDir } from '../log/writer-fixture.js';

afterEach(removeTempDirs);

/** 64 categories; product i (1..200) in 32 of them: every line goes to 33 files. */
function fanOutCatalog(): Catalog {
  const b = new CatalogBuilder(Array.from({ length: 64 }, (_, i) => ({ slug: `f${i}`, name: `F ${i}` })));
  for (let id = 1; id <= 200; id++) b.addProduct(id, Array.from({ length: 32 }, (_, k) => b.categoryIndex(`f${(id + 2 * k) % 64}`)));
  return b.build();
}

const stamp = (i: number) => `2026-11-${27 + ((i >> 8) % 2)}T${String((i >> 4) % 24).padStart(2, '0')}:00:0${i % 10}Z`;

async function writeAll(dataDir: string, catalog: Catalog, lines: number, writerThread: boolean): Promise<void> {
  const log = openPurchaseLog({ dataDir, catalog, writerId: 'w', writerThread, maxBufferedBytes: 1 << 20 });
  for (let i = 0; i < lines; i++) {
    const r = log.append({ productId: 1 + ((i * 37) % 210), timestamp: stamp(i), quantity: 1 + (i % 5), eventId: i % 3 === 0 ? `e-${i}` : undefined });
    if (!r.ok) throw new Error(`the fixture made a bad line (${r.reason})`);
  }
  await log.close();
}

describe('writer thread', () => {
  it('writes the same bytes to the same files as the single-thread writer, when a batch fans out past a slot', async () => {
    // 30k lines x 33 files x ~40 bytes: ~40 MB of copies, five 8 MB slots, most handed over mid-file.
    const cat = fanOutCatalog();
    const one = tempDataDir();
    const two = tempDataDir();
    await writeAll(one, cat, 30_000, false);
    await writeAll(two, cat, 30_000, true);
    const a = readLogs(one);
    const b = readLogs(two);
    expect(a.size).toBe(2 * 24 + 2 * 65); // products 201..210 are uncategorized
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [path, text] of a) expect(b.get(path), path).toBe(text);
  });

  it('reports a write failure on the worker as exit 74 naming the file, at a later append and at close', async () => {
    const dataDir = tempDataDir();
    mkdirSync(join(dataDir, 'logs', 'global', '2026-11-28'), { recursive: true });
    // Where the hour directory 00 of Nov 28 should be, a file: making it fails on the worker.
    writeFileSync(join(dataDir, 'logs', 'global', '2026-11-28', '00'), 'not a directory');
    const log = openPurchaseLog({ dataDir, catalog: smallCatalog(), writerThread: true, maxBufferedBytes: 1 << 16 });
    let thrown: unknown;
    for (let i = 0; i < 2_000_000 && thrown === undefined; i++) {
      try {
        log.append({ productId: 1 + (i % 4), timestamp: i % 2 ? '2026-11-28T00:30:00Z' : '2026-11-27T23:30:00Z' });
      } catch (err) {
        thrown = err;
      }
    }
    expect(thrown).toBeInstanceOf(PipelineError);
    expect(thrown).toMatchObject({ exitCode: 74 });
    expect((thrown as PipelineError).path).toContain(join(dataDir, 'logs', 'global', '2026-11-28', '00'));
    const closing = await log.close().then(() => undefined, (e: unknown) => e);
    expect(closing).toBe(thrown);
    // What did reach the files is whole lines.
    for (const text of readLogs(dataDir).values()) expect(text === 'not a directory' || text.endsWith('\n')).toBe(true);
  });

  it('makes flush reject with exit 74 naming the path when the log directory cannot be made', async () => {
    const dataDir = tempDataDir();
    writeFileSync(join(dataDir, 'logs'), 'a file where the log directory should be');
    const log = openPurchaseLog({ dataDir, catalog: smallCatalog(), writerThread: true });
    log.append({ productId: 1, timestamp: '2026-11-27T18:04:05Z' });
    const err = await log.flush().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).toMatchObject({ exitCode: 74 });
    expect((err as PipelineError).path).toContain(join(dataDir, 'logs'));
    await expect(log.close()).rejects.toBe(err);
  });
});

describe('ingest on the writer thread', () => {
  it('exits 74 naming the file when a log cannot be written', async () => {
    const data = tempDataDir('rank-ingest-');
    mkdirSync(join(data, 'catalog'), { recursive: true });
    writeFileSync(join(data, 'catalog', 'categories.csv'), 'slug,name\ntoys,Toys\n');
    writeFileSync(join(data, 'catalog', 'products.csv'), 'product_id,categories\n1,toys\n');
    writeFileSync(join(data, 'logs'), 'a file where the log directory should be');
    const file = join(data, 'input.csv');
    writeFileSync(file, '1,2026-11-27T18:04:05Z\n1,2026-11-27T18:05:05Z,2\n');
    const r = await cli(['ingest', '--data', data, '--file', file, '--now', '2026-11-27T19:05:00Z']);
    expect(r.code).toBe(74);
    expect(r.stderr).toContain(join(data, 'logs'));
  });
});
