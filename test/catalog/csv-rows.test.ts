import { Readable } from 'node:stream';
import { parseString } from 'fast-csv';
import { describe, expect, it } from 'vitest';
import { type RowSink, isBlankRow, readCsvRows } from '../../src/catalog/csv-rows.js';
import { ExitCode, PipelineError } from '../../src/errors.js';

const chunks = (text: string, size: number) => {
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return Readable.from(out);
};

/** [fields, line] of every row, as the loader's sinks see them. */
async function rows(text: string, chunk = 1 << 16, sink?: Partial<RowSink>) {
  const out: [string[], number][] = [];
  await readCsvRows(chunks(text, chunk), 'f.csv', { row: (fields, line) => out.push([[...fields], line]), ...sink });
  return out;
}

function fastCsvRows(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    const all: string[][] = [];
    parseString<string[], string[]>(text, { headers: false })
      .on('data', (r: string[]) => all.push(r))
      .on('error', reject)
      .on('end', () => resolve(all));
  });
}

describe('readCsvRows', () => {
  it('numbers rows by their first line across plain lines, multi-line quoted fields and lone CRs', async () => {
    const text = 'a,b\n"x\ny",1\n"p",2\n"q\r\nr\ns",3\nplain,4\n1\r2,5\nlast,6';
    expect(await rows(text)).toEqual([
      [['a', 'b'], 1],
      [['x\ny', '1'], 2],
      [['p', '2'], 4],
      [['q\r\nr\ns', '3'], 5],
      [['plain', '4'], 8],
      [['1'], 9],
      [['2', '5'], 10],
      [['last', '6'], 11],
    ]);
  });

  const samples = [
    'h1,h2\r\n1,2\r\n"a,b","c""d"\r\n\r\n  \r\n3,4',
    '\ufeffid,name\n1,"multi\nline, with comma"\n2,"x"\n3,plain é\n',
    'a,b\n1,ab"c\n2,d\n3,e\n',
    'x\ry\rz\n"q"\r',
    'only,one,line',
    '',
    '\n\n\n',
  ];
  it.each(samples.flatMap((s) => [1, 4, 1 << 16].map((chunk) => [s, chunk] as const)))('yields the rows fast-csv yields for %j in %i-byte chunks', async (text, chunk) => {
    const ours = (await rows(text, chunk)).map(([f]) => f).filter((f) => !isBlankRow(f));
    const theirs = (await fastCsvRows(text)).filter((f) => !isBlankRow(f));
    expect(ours).toEqual(theirs);
  });

  it('hands long quoted runs to fast-csv in pieces, keeping every line number', async () => {
    const n = 30_000; // about 600 kB: several segments
    const text = Array.from({ length: n }, (_, i) => `"${i}","name ${'x'.repeat(i % 20)}"\n`).join('');
    const out = await rows(text, 4096);
    expect(out.length).toBe(n);
    out.forEach(([fields, line], i) => {
      expect(line).toBe(i + 1);
      expect(fields[0]).toBe(String(i));
    });
  });

  it('gives plain lines to plainRow in place, without their CRLF', async () => {
    const seen: [string, number][] = [];
    const out = await rows('a,b\r\n"q",1\r\nc,d\r\n', 3, { plainRow: (text, start, end, line) => void seen.push([text.slice(start, end), line]) });
    expect(seen).toEqual([
      ['a,b', 1],
      ['c,d', 3],
    ]);
    expect(out).toEqual([[['q', '1'], 2]]);
  });

  it('names the line of the bad record inside a run of quoted records', async () => {
    const text = 'h\n"a",1\n"b\nb",2\n"c"x,3\n"d",4\n';
    const err = await rows(text).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineError);
    expect(err).toMatchObject({ exitCode: ExitCode.usage, path: 'f.csv', line: 5 });
  });

  it('names the line an unclosed quote opens on', async () => {
    const err = await rows('h\n"a",1\n"b,2\nc,3\nd,4\n').catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.usage, line: 3, message: expect.stringMatching(/closing/) });
  });

  it('reports a read failure as an I/O error naming the file', async () => {
    const failing = new Readable({
      read() {
        this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
      },
    });
    const err = await readCsvRows(failing, 'f.csv', { row() {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.ioErr, path: 'f.csv' });
  });

  it('lets an error thrown by the sink through unchanged', async () => {
    const thrown = new PipelineError({ exitCode: ExitCode.usage, message: 'bad row', path: 'f.csv', line: 2 });
    const err = await readCsvRows(chunks('a\nb\n', 1), 'f.csv', {
      row(_f, line) {
        if (line === 2) throw thrown;
      },
    }).catch((e: unknown) => e);
    expect(err).toBe(thrown);
  });
});
