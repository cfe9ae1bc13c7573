import { describe, expect, it } from 'vitest';
import type { CatalogFile, CatalogFs } from '../../src/catalog/catalog-fs.js';
import { type ByteRowSink, isBlankRow, parseWithFastCsv, readCsvRows } from '../../src/catalog/csv-rows.js';
import { ExitCode, PipelineError } from '../../src/errors.js';

/** A file whose reads return `pieces`, a read never running past the end of one. */
const piecesFs = (pieces: Buffer[]): Pick<CatalogFs, 'openRead'> => ({
  async openRead(): Promise<CatalogFile> {
    let next = 0;
    let at = 0;
    return {
      async read(buffer, offset, length) {
        if (next === pieces.length) return 0;
        const n = pieces[next]!.copy(buffer, offset, at, at + length);
        at += n;
        if (at === pieces[next]!.length) [next, at] = [next + 1, 0];
        return n;
      },
      close: async () => {},
    };
  },
});

/** The text in reads of `size` bytes. */
const chunks = (text: string, size: number) => {
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return piecesFs(out);
};

/** [fields, line] of every row, as the loader's sinks see them. */
async function rows(text: string, chunk = 1 << 16) {
  const out: [string[], number][] = [];
  await readCsvRows(chunks(text, chunk), 'f.csv', { row: (fields, line) => out.push([[...fields], line]) });
  return out;
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
    const theirs = (await parseWithFastCsv(text)).filter((f) => !isBlankRow(f));
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

  /** Takes the lines that start with "k" from the bytes, and logs what it is given, in order. */
  function keepingSink() {
    const log: unknown[][] = [];
    let scanned = '';
    const sink: ByteRowSink = {
      row: (fields, line) => void log.push(['row', [...fields], line]),
      scanLine(bytes, start) {
        if (bytes[start] !== 'k'.charCodeAt(0)) return -1;
        const newline = bytes.indexOf(10, start);
        const next = newline < 0 ? bytes.length : newline + 1;
        scanned = bytes.toString('utf8', start, next);
        return next;
      },
      addScanned: () => void log.push(['scan', scanned]),
    };
    return { log, sink };
  }

  it.each([1, 3, 1 << 16])('gives a ByteRowSink each line in place, and what it leaves to fast-csv and row(), in file order (%i-byte chunks)', async (chunk) => {
    const { log, sink } = keepingSink();
    const text = '\ufeffk0\n"q",1\nk2\n"multi\nk-inside",2\nk5\r\nx\ry,3\nk8';
    await readCsvRows(chunks(text, chunk), 'f.csv', sink);
    expect(log).toEqual([
      ['scan', 'k0\n'],
      ['row', ['q', '1'], 2],
      ['scan', 'k2\n'],
      ['row', ['multi\nk-inside', '2'], 4],
      ['scan', 'k5\r\n'],
      ['row', ['x'], 7],
      ['row', ['y', '3'], 8],
      ['scan', 'k8'],
    ]);
  });

  it('reads a chunk that is not UTF-8 as text, so a ByteRowSink only sees valid UTF-8', async () => {
    const { log, sink } = keepingSink();
    const bad = Buffer.concat([Buffer.from('k1\nk'), Buffer.from([0xff]), Buffer.from('x\n')]);
    await readCsvRows(piecesFs([Buffer.from('k0\n'), bad, Buffer.from('k3\n')]), 'f.csv', sink);
    expect(log).toEqual([
      ['scan', 'k0\n'],
      ['row', ['k1'], 2],
      ['row', ['k\ufffdx'], 3],
      ['scan', 'k3\n'],
    ]);
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

  it('reports a read failure as an I/O error naming the file, and closes it', async () => {
    let closed = false;
    const failing: Pick<CatalogFs, 'openRead'> = {
      openRead: async () => ({
        read: () => Promise.reject(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' })),
        close: async () => void (closed = true),
      }),
    };
    const err = await readCsvRows(failing, 'f.csv', { row() {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ exitCode: ExitCode.ioErr, path: 'f.csv' });
    expect(closed).toBe(true);
  });

  it('reads a line longer than its buffer', async () => {
    const long = 'x'.repeat(9 << 20);
    expect(await rows(`a,1\n${long},2\nb,3`, 1 << 20)).toEqual([
      [['a', '1'], 1],
      [[long, '2'], 2],
      [['b', '3'], 3],
    ]);
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
