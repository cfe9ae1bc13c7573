// The purchase log writer on temp directories: where each line goes (event
// time, UTC, every category), what it refuses and why, what flush() makes
// visible, and that pressure on memory and descriptors loses nothing.
import { writeFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../src/errors.js';
import { newLineFields, parseLine } from '../../src/log/line-codec.js';
import { openPurchaseLog } from '../../src/log/purchase-log.js';
import { linesUnder, readLogs, removeTempDirs, smallCatalog, tempDataDir, wideCatalog } from './writer-fixture.js';

afterEach(removeTempDirs);

describe('routing', () => {
  it('appends each purchase to its global hour and to the day of each of its categories', async () => {
    const dataDir = tempDataDir();
    const log = openPurchaseLog({ dataDir, catalog: smallCatalog() });
    expect(log.append({ productId: 2, timestamp: '2026-11-27T18:04:05.123Z', quantity: 3, eventId: 'o-1' })).toEqual({ ok: true });
    await log.close();
    const logs = readLogs(dataDir);
    const line = '2,2026-11-27T18:04:05.123Z,3,o-1';
    expect(linesUnder(logs, 'logs/global/2026-11-27/18/')).toEqual([line]);
    expect(linesUnder(logs, 'logs/categories/toys/2026-11-27/')).toEqual([line]);
    expect(linesUnder(logs, 'logs/categories/books/2026-11-27/')).toEqual([line]);
    expect(logs.size).toBe(3);
  });

  it('names every file host.pid.token.log, the same name in each directory', async () => {
    const dataDir = tempDataDir();
    const log = openPurchaseLog({ dataDir, catalog: smallCatalog() });
    log.append({ productId: 2, timestamp: '2026-11-27T18:04:05Z' });
    await log.close();
    const host = hostname().replace(/[^A-Za-z0-9-]/g, '-');
    expect(log.fileName).toMatch(new RegExp(`^${host}\\.${process.pid}\\.[0-9a-f]{12}\\.log$`));
    for (const path of readLogs(dataDir).keys()) expect(path.endsWith(`/${log.fileName}`)).toBe(true);
  });

  it('sends a product without categories, or missing from the catalog, to uncategorized', async () => {
    const dataDir = tempDataDir();
    const log = openPurchaseLog({ dataDir, catalog: smallCatalog() });
    log.append({ productId: 3, timestamp: '2026-11-27T18:00:00Z' });
    log.append({ productId: 99, timestamp: '2026-11-27T19:00:00Z' });
    await log.close();
    const logs = readLogs(dataDir);
    expect(linesUnder(logs, 'logs/categories/uncategorized/2026-11-27/')).toEqual(['3,2026-11-27T18:00:00Z,1', '99,2026-11-27T19:00:00Z,1']);
    expect(linesUnder(logs, 'logs/categories/toys')).toEqual([]);
  });

  it('routes by event time in UTC across hour and day boundaries, whatever the machine zone', async () => {
    // Tests run with TZ=Asia/Kolkata (+05:30): local midnight is 18:30Z.
    const dataDir = tempDataDir();
    const log = openPurchaseLog({ dataDir, catalog: smallCatalog() });
    const stamps = ['2026-11-27T18:29:59Z', '2026-11-27T18:30:00Z', '2026-11-27T23:59:59.999Z', '2026-11-28T00:00:00.000Z', '2024-02-29T23:00:00Z'];
    for (const timestamp of stamps) log.append({ productId: 4, timestamp });
    // A late purchase lands in its own, older hour.
    log.append({ productId: 4, timestamp: '2026-11-20T07:15:00Z', quantity: -1, eventId: 'refund-1' });
    await log.close();
    const logs = readLogs(dataDir);
    expect(linesUnder(logs, 'logs/global/2026-11-27/18/')).toEqual(['4,2026-11-27T18:29:59Z,1', '4,2026-11-27T18:30:00Z,1']);
    expect(linesUnder(logs, 'logs/global/2026-11-27/23/')).toEqual(['4,2026-11-27T23:59:59.999Z,1']);
    expect(linesUnder(logs, 'logs/global/2026-11-28/00/')).toEqual(['4,2026-11-28T00:00:00.000Z,1']);
    expect(linesUnder(logs, 'logs/global/2024-02-29/23/')).toEqual(['4,2024-02-29T23:00:00Z,1']);
    expect(linesUnder(logs, 'logs/global/2026-11-20/07/')).toEqual(['4,2026-11-20T07:15:00Z,-1,refund-1']);
    expect(linesUnder(logs, 'logs/categories/garden/2026-11-27/')).toHaveLength(3);
    expect(linesUnder(logs, 'logs/categories/garden/2026-11-28/')).toHaveLength(1);
    expect(linesUnder(logs, 'logs/categories/garden/2026-11-20/')).toHaveLength(1);
  });

  it('writes the byte API\'s line with ,1 when the quantity was left out', async () => {
    const dataDir = tempDataDir();
    const log = openPurchaseLog({ dataDir, catalog: smallCatalog() });
    const buf = Buffer.from('xx1,2026-11-27T18:04:05Zyy');
    const fields = newLineFields();
    expect(parseLine(buf, 2, 24, fields, true)).toBe(0);
    log.appendParsed(buf, 2, 24, fields);
    await log.close();
    expect(linesUnder(readLogs(dataDir), 'logs/global/')).toEqual(['1,2026-11-27T18:04:05Z,1']);
  });
});

describe('validation', () => {
  const bad: [string, object, string][] = [
    ['productId 0', { productId: 0, timestamp: '2026-11-27T18:04:05Z' }, 'bad_product_id'],
    ['fractional productId', { productId: 1.5, timestamp: '2026-11-27T18:04:05Z' }, 'bad_product_id'],
    ['productId above 2^32-1', { productId: 2 ** 32, timestamp: '2026-11-27T18:04:05Z' }, 'bad_product_id'],
    ['NaN productId', { productId: Number.NaN, timestamp: '2026-11-27T18:04:05Z' }, 'bad_product_id'],
    ['a timestamp without Z', { productId: 1, timestamp: '2026-11-27T18:04:05' }, 'bad_timestamp'],
    ['an impossible date', { productId: 1, timestamp: '2026-02-29T18:04:05Z' }, 'bad_timestamp'],
    ['a long garbage timestamp', { productId: 1, timestamp: 'x'.repeat(200) }, 'bad_timestamp'],
    ['a timestamp with a newline', { productId: 1, timestamp: '2026-11-27T18:04:05Z\n2,2026-11-27T18:04:05Z' }, 'bad_timestamp'],
    ['quantity 0', { productId: 1, timestamp: '2026-11-27T18:04:05Z', quantity: 0 }, 'bad_quantity'],
    ['quantity 1001', { productId: 1, timestamp: '2026-11-27T18:04:05Z', quantity: 1001 }, 'bad_quantity'],
    ['quantity 2.5', { productId: 1, timestamp: '2026-11-27T18:04:05Z', quantity: 2.5 }, 'bad_quantity'],
    ['an empty eventId', { productId: 1, timestamp: '2026-11-27T18:04:05Z', eventId: '' }, 'bad_event_id'],
    ['an eventId of 65 characters', { productId: 1, timestamp: '2026-11-27T18:04:05Z', eventId: 'e'.repeat(65) }, 'bad_event_id'],
    ['an eventId with a comma', { productId: 1, timestamp: '2026-11-27T18:04:05Z', eventId: 'a,b' }, 'field_count'],
    ['an eventId with a space', { productId: 1, timestamp: '2026-11-27T18:04:05Z', eventId: 'a b' }, 'bad_event_id'],
    ['a non-ASCII eventId', { productId: 1, timestamp: '2026-11-27T18:04:05Z', eventId: 'café' }, 'non_ascii'],
  ];
  it.each(bad)('refuses %s with its reason and appends nothing', async (_name, purchase, reason) => {
    const dataDir = tempDataDir();
    const log = openPurchaseLog({ dataDir, catalog: smallCatalog() });
    const r = log.append(purchase as Parameters<typeof log.append>[0]);
    expect(r).toMatchObject({ ok: false, reason });
    expect(r.ok ? '' : r.message).not.toBe('');
    await log.close();
    expect(readLogs(dataDir).size).toBe(0);
  });

  it('refuses a writer id that is not a plain file name (exit 64)', () => {
    expect(() => openPurchaseLog({ dataDir: tempDataDir(), catalog: smallCatalog(), writerId: '../x' })).toThrow(
      expect.objectContaining({ exitCode: 64 }),
    );
  });
});

describe('buffering and durability', () => {
  it('holds lines in memory until flush(), then shows them on disk', async () => {
    const dataDir = tempDataDir();
    const log = openPurchaseLog({ dataDir, catalog: smallCatalog(), writerId: 'w1' });
    log.append({ productId: 1, timestamp: '2026-11-27T18:04:05Z' });
    expect(readLogs(dataDir).size).toBe(0);
    await log.flush();
    expect(linesUnder(readLogs(dataDir), 'logs/global/2026-11-27/18/w1.log')).toEqual(['1,2026-11-27T18:04:05Z,1']);
    log.append({ productId: 1, timestamp: '2026-11-27T18:04:06Z' });
    await log.close();
    expect(linesUnder(readLogs(dataDir), 'logs/global/2026-11-27/18/w1.log')).toHaveLength(2);
  });

  it('loses and tears nothing with a tiny buffer and two descriptors over 500 files', async () => {
    const dataDir = tempDataDir();
    const log = openPurchaseLog({ dataDir, catalog: wideCatalog(500, 2000), maxBufferedBytes: 1 << 16, maxOpenFiles: 2 });
    const expected: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const p = { productId: 1 + ((i * 7919) % 2000), timestamp: `2026-11-27T${String(10 + (i % 3)).padStart(2, '0')}:00:00Z`, quantity: 1 + (i % 5), eventId: `e${i}` };
      expect(log.append(p).ok).toBe(true);
      expected.push(`${p.productId},${p.timestamp},${p.quantity},${p.eventId}`);
    }
    await log.close();
    const logs = readLogs(dataDir);
    expect(linesUnder(logs, 'logs/global/').sort()).toEqual([...expected].sort());
    expect(linesUnder(logs, 'logs/categories/').sort()).toEqual([...expected].sort());
    for (const text of logs.values()) expect(text.endsWith('\n')).toBe(true);
    // Each file keeps the order of appends.
    const c7 = linesUnder(logs, 'logs/categories/c7/');
    expect(c7).toEqual(expected.filter((l) => Number(l.split(',')[0]) % 500 === 7));
    expect(log.stats()).toMatchObject({ purchases: 20_000, files: 3 + 500 });
  });

  it('rejects flush with exit 74 naming the path when a directory cannot be made', async () => {
    const dataDir = tempDataDir();
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'logs'), 'a file where the log directory should be');
    const log = openPurchaseLog({ dataDir, catalog: smallCatalog() });
    log.append({ productId: 1, timestamp: '2026-11-27T18:04:05Z' });
    const err = await log.flush().then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).toMatchObject({ exitCode: 74 });
    expect((err as PipelineError).path).toContain(join(dataDir, 'logs'));
  });

  it('cannot be used after close, and closing twice is harmless', async () => {
    const log = openPurchaseLog({ dataDir: tempDataDir(), catalog: smallCatalog() });
    await log.close();
    await log.close();
    expect(() => log.append({ productId: 1, timestamp: '2026-11-27T18:04:05Z' })).toThrow(/closed/);
  });
});
