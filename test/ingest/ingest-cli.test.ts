// `rank-pipeline ingest` through the CLI (in-process, the same code as bin/):
// what lands in the logs, what lands in quarantine and with what, the
// summary in text and JSON, exit codes, and --strict's all-or-nothing.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from '../pipeline/helpers/world.js';
import { linesUnder, readLogs, removeTempDirs, tempDataDir } from '../log/writer-fixture.js';

afterEach(removeTempDirs);

const NOW = '2026-11-27T19:05:00Z';

/** A data dir with toys, books (product 1: toys; 2: toys|books; 3: none) and an input file. */
function fixture(input: string | Buffer): { data: string; file: string } {
  const data = tempDataDir('rank-ingest-');
  mkdirSync(join(data, 'catalog'), { recursive: true });
  writeFileSync(join(data, 'catalog', 'categories.csv'), 'slug,name\ntoys,Toys\nbooks,"Books, Comics"\n');
  writeFileSync(join(data, 'catalog', 'products.csv'), 'product_id,categories,name\n1,toys,"Ball, red"\n2,toys|books,Puzzle book\n3,,Gift card\n');
  const file = join(data, 'input.csv');
  writeFileSync(file, input);
  return { data, file };
}

const quarantineFiles = (data: string) => (existsSync(join(data, 'quarantine')) ? readdirSync(join(data, 'quarantine')) : []);

const MIXED = Buffer.concat([
  Buffer.from([0xef, 0xbb, 0xbf]),
  Buffer.from(
    'product_id,timestamp,quantity,event_id\r\n' + // 1
      '1,2026-11-27T18:04:05Z,2,o-1\r\n' + // 2
      '2,2026-11-27T18:10:00.250Z\r\n' + // 3: quantity left out
      '\r\n' + // 4: blank
      '07,2026-11-27T18:04:05Z,1\r\n' + // 5: leading zero
      '3,2026-11-27T18:04:05+01:00,1\r\n' + // 6: offset
      '1,2026-11-27T18:04:05Z,0,"q"\r\n' + // 7: quantity 0
      '99,2026-11-28T00:00:00Z,-1,r-1\r\n', // 8: not in the catalog, next day
  ),
  Buffer.from('1,2026-11-27T18:04:05Z,1,caf\u00e9\n', 'utf8'), // 9: non-ASCII
]);

describe('ingest', () => {
  it('appends the valid lines, quarantines the bad ones with line and reason, and exits 0', async () => {
    const { data, file } = fixture(MIXED);
    const r = await cli(['ingest', '--data', data, '--file', file, '--now', NOW]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('read 7 purchases');
    expect(r.stdout).toMatch(/appended 3, rejected 4/);
    expect(r.stdout).toMatch(/bad_product_id +1/);

    const logs = readLogs(data);
    expect(linesUnder(logs, 'logs/global/2026-11-27/18/')).toEqual(['1,2026-11-27T18:04:05Z,2,o-1', '2,2026-11-27T18:10:00.250Z,1']);
    expect(linesUnder(logs, 'logs/global/2026-11-28/00/')).toEqual(['99,2026-11-28T00:00:00Z,-1,r-1']);
    expect(linesUnder(logs, 'logs/categories/toys/2026-11-27/')).toHaveLength(2);
    expect(linesUnder(logs, 'logs/categories/books/2026-11-27/')).toEqual(['2,2026-11-27T18:10:00.250Z,1']);
    expect(linesUnder(logs, 'logs/categories/uncategorized/2026-11-28/')).toEqual(['99,2026-11-28T00:00:00Z,-1,r-1']);

    const [q] = quarantineFiles(data);
    expect(q).toMatch(new RegExp(`^ingest-20261127T190500Z-${process.pid}\\.csv$`));
    const rows = readFileSync(join(data, 'quarantine', q), 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('input,line,reason,message,raw');
    expect(rows.slice(1).map((row) => row.split(',').slice(1, 3).join(','))).toEqual(['5,bad_product_id', '6,bad_timestamp', '7,bad_quantity', '9,non_ascii']);
    expect(rows[3]).toMatch(/,"1,2026-11-27T18:04:05Z,0,""q"""$/);
    expect(rows[4]).toContain('"1,2026-11-27T18:04:05Z,1,café"');
  });

  it('prints one JSON object with --json: counts by reason and the quarantine file', async () => {
    const { data, file } = fixture(MIXED);
    const r = await cli(['ingest', '--data', data, '--file', file, '--now', NOW, '--json']);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({
      input: file,
      read: 7,
      appended: 3,
      rejected: 4,
      rejectedByReason: { bad_product_id: 1, bad_timestamp: 1, bad_quantity: 1, non_ascii: 1 },
      header: true,
      blankLines: 1,
    });
    expect(s.quarantine).toBe(join(data, 'quarantine', quarantineFiles(data)[0]));
  });

  it('reads stdin with no --file or --file -, and is silent with --quiet', async () => {
    const { data } = fixture('');
    const a = await cli(['ingest', '--data', data, '--quiet'], { stdin: '1,2026-11-27T18:00:00Z\n' });
    const b = await cli(['ingest', '--data', data, '--file', '-', '--json'], { stdin: '1,2026-11-27T18:00:01Z,3\n' });
    expect([a.code, a.stdout, b.code]).toEqual([0, '', 0]);
    expect(JSON.parse(b.stdout)).toMatchObject({ input: '<stdin>', appended: 1 });
    expect(linesUnder(readLogs(data), 'logs/global/').sort()).toEqual(['1,2026-11-27T18:00:00Z,1', '1,2026-11-27T18:00:01Z,3']);
    expect(quarantineFiles(data)).toEqual([]);
  });

  it('exits 64 naming the file when --file does not exist', async () => {
    const { data } = fixture('');
    const r = await cli(['ingest', '--data', data, '--file', join(data, 'nope.csv')]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('nope.csv: no such file');
  });
});

describe('ingest --strict', () => {
  it('exits 65 naming the file and line of the first bad line, having appended nothing', async () => {
    const { data, file } = fixture(MIXED);
    const r = await cli(['ingest', '--data', data, '--file', file, '--strict', '--now', NOW]);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain(`${file}:5: bad_product_id`);
    expect(r.stderr).toContain('and 3 more bad lines');
    expect(readLogs(data).size).toBe(0);
    expect(quarantineFiles(data)).toEqual([]);
  });

  it('does the same for stdin, and leaves no spool behind', async () => {
    const { data } = fixture('');
    const r = await cli(['ingest', '--data', data, '--strict'], { stdin: '1,2026-11-27T18:00:00Z\n2,2026-11-27T18:00:00Z,0\n' });
    expect(r.code).toBe(65);
    expect(r.stderr).toContain('<stdin>:2: bad_quantity');
    expect(readLogs(data).size).toBe(0);
    expect(existsSync(join(data, 'tmp')) ? readdirSync(join(data, 'tmp')) : []).toEqual([]);
  });

  it('appends everything when every line is good, from a file and from stdin', async () => {
    const { data, file } = fixture('1,2026-11-27T18:00:00Z\n2,2026-11-27T18:00:01Z,2\n');
    expect((await cli(['ingest', '--data', data, '--file', file, '--strict'])).code).toBe(0);
    const r = await cli(['ingest', '--data', data, '--strict', '--json'], { stdin: '3,2026-11-27T18:00:02Z\n' });
    expect(JSON.parse(r.stdout)).toMatchObject({ appended: 1, rejected: 0 });
    expect(linesUnder(readLogs(data), 'logs/global/')).toHaveLength(3);
    expect(existsSync(join(data, 'tmp')) ? readdirSync(join(data, 'tmp')) : []).toEqual([]);
  });
});
