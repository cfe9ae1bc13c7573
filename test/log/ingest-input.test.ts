// The pure core of ingest's input on plain strings: CSV chunks in, numbered
// data lines out, with the BOM, CR, header, blank-line and last-line rules,
// whatever the chunk boundaries.
import { describe, expect, it } from 'vitest';
import { InputScanner, MAX_CARRY_BYTES, scanInput } from '../../src/log/ingest-input.js';

interface Seen {
  lines: [number, string][];
  header: boolean;
  blankLines: number;
  total: number;
}

function scan(chunks: (string | Buffer)[]): Seen {
  const lines: [number, string][] = [];
  const s = scanInput(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'latin1') : c)), {
    line: (buf, start, end, lineNo) => lines.push([lineNo, Buffer.from(buf.subarray(start, end)).toString('latin1')]),
  });
  return { lines, header: s.header, blankLines: s.blankLines, total: s.lines };
}

/** Every way to cut `text` in two, and one byte at a time: the result must not depend on chunking. */
function everySplit(text: string): string[][] {
  const splits = [[text], text.split('')];
  for (let i = 1; i < text.length; i++) splits.push([text.slice(0, i), text.slice(i)]);
  return splits;
}

const BOM = '\u00ef\u00bb\u00bf'; // EF BB BF as latin1

describe('InputScanner', () => {
  const cases: [string, string, [number, string][], Partial<Seen>][] = [
    ['plain lines', '1,a\n2,b\n', [[1, '1,a'], [2, '2,b']], { header: false }],
    ['a last line without newline', '1,a\n2,b', [[1, '1,a'], [2, '2,b']], {}],
    ['CRLF line ends', '1,a\r\n2,b\r\n', [[1, '1,a'], [2, '2,b']], {}],
    ['CRLF and no final newline', '1,a\r\n2,b\r', [[1, '1,a'], [2, '2,b']], {}],
    ['a header, counted as line 1', 'product_id,timestamp,quantity,event_id\n1,a\n', [[2, '1,a']], { header: true }],
    ['a short header', 'product_id,timestamp\n1,a\n', [[2, '1,a']], { header: true }],
    ['a header in capitals with CRLF', 'PRODUCT_ID,TIMESTAMP,QUANTITY\r\n1,a\r\n', [[2, '1,a']], { header: true }],
    ['a BOM before the header', `${BOM}product_id,timestamp\n1,a\n`, [[2, '1,a']], { header: true }],
    ['a BOM before data', `${BOM}1,a\n`, [[1, '1,a']], { header: false }],
    ['a header-like line after line 1 is data', '1,a\nproduct_id,timestamp\n', [[1, '1,a'], [2, 'product_id,timestamp']], { header: false }],
    ['a wrong header is data (and will be refused)', 'id,ts\n1,a\n', [[1, 'id,ts'], [2, '1,a']], { header: false }],
    ['blank lines are skipped but counted', '1,a\n\n\r\n2,b\n\n', [[1, '1,a'], [4, '2,b']], { blankLines: 3, total: 5 }],
    ['a BOM in the middle is kept (the codec refuses it)', `1,a\n${BOM}2,b\n`, [[1, '1,a'], [2, `${BOM}2,b`]], {}],
    ['a CR in the middle is kept', '1,\ra\n', [[1, '1,\ra']], {}],
    ['empty input', '', [], { total: 0 }],
  ];
  for (const [name, text, lines, extra] of cases) {
    it(`${name}, at every chunk boundary`, () => {
      for (const chunks of everySplit(text)) {
        const seen = scan(chunks);
        expect(seen.lines, JSON.stringify(chunks)).toEqual(lines);
        expect(seen).toMatchObject(extra);
      }
    });
  }

  it('cuts a line longer than MAX_CARRY_BYTES that spans chunks, and goes on with the next', () => {
    const long = 'x'.repeat(MAX_CARRY_BYTES * 3);
    const seen = scan(['1,a\n', long.slice(0, 5000), long.slice(5000), '\n2,b\n']);
    expect(seen.lines.map(([n, l]) => [n, l.length])).toEqual([[1, 3], [2, MAX_CARRY_BYTES], [3, 3]]);
  });

  it('never overwrites a line it handed out, even one carried over a chunk boundary', () => {
    const text = 'product_id,timestamp\n1,aaaa\n22,bbbb\n333,cccc\n4444,dddd';
    for (const chunks of everySplit(text)) {
      const refs: [Uint8Array, number, number][] = [];
      scanInput(chunks.map((c) => Buffer.from(c)), { line: (buf, start, end) => refs.push([buf, start, end]) });
      expect(refs.map(([b, s, e]) => Buffer.from(b.subarray(s, e)).toString())).toEqual(['1,aaaa', '22,bbbb', '333,cccc', '4444,dddd']);
    }
  });

  it('hands out lines inside the pushed chunk (no copy) when no boundary cuts them', () => {
    const chunk = Buffer.from('1,a\n2,b\n');
    const bufs: Uint8Array[] = [];
    const s = new InputScanner({ line: (buf) => bufs.push(buf) });
    s.push(chunk);
    s.end();
    expect(bufs.every((b) => b === chunk)).toBe(true);
  });
});
