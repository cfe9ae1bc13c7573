// Scenario 5: the map jobs' pure core, scanLines, fuzzed with fast-check.
// Random bytes (and lines that are almost valid), cut into random chunks and
// fed as readRange does (each chunk after the unconsumed remainder of the
// last): it never throws; valid lines + invalid lines + pending bytes account
// for every byte; the chunking never changes a single result; and a range
// of a bigger buffer reads nothing past its end.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rec } from '../../src/log/line-kernel.js';
import { type LineVisitor, scanLines } from '../../src/log/line-scanner.js';

interface Event {
  kind: 'valid' | 'invalid';
  lineNo: number;
  offset: number;
  text: string;
  fault?: number;
  fields?: string;
}

/** Scans `input` in `cuts` chunks with a carried remainder; returns what was seen and the pending bytes. */
function scanChunked(input: Uint8Array, cuts: number[]): { events: Event[]; pending: Uint8Array } {
  const events: Event[] = [];
  let base = 0;
  let carry = new Uint8Array(0);
  let lineNo = 1;
  const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
  points.push(input.length);
  let prev = 0;
  for (const p of points) {
    const chunk = input.subarray(prev, p);
    prev = p;
    const buf = new Uint8Array(carry.length + chunk.length);
    buf.set(carry, 0);
    buf.set(chunk, carry.length);
    const at = base;
    const hex = (s: number, e: number) => Buffer.from(buf.subarray(s, e)).toString('latin1');
    const visitor: LineVisitor = {
      valid(lines, count, hour, b, first) {
        for (let k = 0; k < count; k++) {
          const [start, id, q, eStart, eEnd, eHash] = lines.subarray(k * Rec.size, (k + 1) * Rec.size);
          const nl = b.indexOf(10, start);
          events.push({ kind: 'valid', lineNo: first + k, offset: at + start, text: hex(start, nl), fields: `${id >>> 0}|${hour}|${q}|${eHash >>> 0}|${eEnd - eStart}` });
        }
      },
      invalid(fault, _b, start, end, n) {
        events.push({ kind: 'invalid', lineNo: n, offset: at + start, text: hex(start, end), fault });
      },
    };
    const r = scanLines(buf, 0, buf.length, lineNo, visitor);
    lineNo += r.lines;
    base += r.consumed;
    carry = buf.slice(r.consumed);
  }
  return { events, pending: carry };
}

const valid = fc
  .record({
    id: fc.integer({ min: 1, max: 4294967295 }),
    // Mostly a few hours around a day boundary, so neighbouring lines share or just miss a date and hour.
    ms: fc.oneof(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2029, 0, 1) }), fc.integer({ min: Date.UTC(2026, 1, 28, 18), max: Date.UTC(2026, 2, 1, 6) })),
    q: fc.integer({ min: -1000, max: 1000 }).filter((q) => q !== 0),
    ev: fc.option(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/), { nil: undefined }),
    millis: fc.boolean(),
  })
  .map(({ id, ms, q, ev, millis }) => {
    const ts = millis ? new Date(ms).toISOString() : new Date(ms).toISOString().replace(/\.\d{3}/, '');
    return `${id},${ts},${q}${ev ? `,${ev}` : ''}\n`;
  });
const nasty = fc.constantFrom('\r', '\0', '\uFEFF', '\n', ',', '\xff', '\xc3', '9', 'Z', 'T', '-', ':', '.', '');
/** A valid line with a few bytes changed, inserted or dropped. */
const almost = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), nasty), { maxLength: 3 })).map(([line, edits]) => {
  let s = line;
  for (const [at, ch] of edits) {
    const i = at % (s.length + 1);
    s = ch === '' ? s.slice(0, i) + s.slice(i + 1) : s.slice(0, i) + ch + s.slice(i);
  }
  return s;
});
const pieces = fc.array(fc.oneof(valid, almost, fc.string({ unit: 'binary', maxLength: 40 }), fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1'))), { maxLength: 30 });
const bytes = pieces.map((ps) => new Uint8Array(Buffer.from(ps.join(''), 'latin1')));

/** §2 as a regular expression and Date: the fields of a valid line, or undefined. */
function reference(line: string): { id: number; hour: number; q: number; evLen: number } | undefined {
  const m = /^([1-9][0-9]{0,9}),((\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z),(-?[1-9][0-9]{0,3})(?:,([A-Za-z0-9_.:-]{1,64}))?$/.exec(line);
  if (!m) return undefined;
  const id = Number(m[1]);
  const q = Number(m[5]);
  const ms = Date.parse(m[2]);
  const canonical = m[4] ? m[2] : m[2].replace('Z', '.000Z');
  if (id > 4294967295 || q < -1000 || q > 1000 || Number.isNaN(ms) || Number(m[3]) < 1970 || new Date(ms).toISOString() !== canonical) return undefined;
  return { id, hour: Math.floor(ms / 3_600_000), q, evLen: m[6]?.length ?? 0 };
}

describe('scanLines under fuzzing', () => {
  it('never throws, and valid + invalid lines + pending bytes account for every byte', () => {
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { maxLength: 8 }), (input, cuts) => {
        const { events, pending } = scanChunked(input, cuts);
        const lineBytes = events.reduce((n, e) => n + e.text.length + 1, 0);
        expect(lineBytes + pending.length).toBe(input.length);
        // Lines are numbered 1.. in order and sit end to end.
        let offset = 0;
        events.forEach((e, i) => {
          expect(e.lineNo).toBe(i + 1);
          expect(e.offset).toBe(offset);
          offset += e.text.length + 1;
        });
        // Every newline ends a line; pending bytes hold none.
        expect(events.length).toBe(input.filter((b) => b === 10).length);
        expect(pending.includes(10)).toBe(false);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same lines, faults and fields however the bytes are chunked', () => {
    fc.assert(
      fc.property(bytes, fc.array(fc.nat(), { minLength: 1, maxLength: 12 }), (input, cuts) => {
        const whole = scanChunked(input, []);
        const chunked = scanChunked(input, cuts);
        expect(chunked.events).toEqual(whole.events);
        expect(chunked.pending).toEqual(whole.pending);
      }),
      { numRuns: 400 },
    );
  });

  it('reads a range of a bigger buffer as it reads a copy of that range', () => {
    fc.assert(
      fc.property(bytes, bytes, bytes, (before, range, after) => {
        const big = new Uint8Array(before.length + range.length + after.length);
        big.set(before, 0);
        big.set(range, before.length);
        big.set(after, before.length + range.length);
        const seen = (buf: Uint8Array, from: number, to: number) => {
          const out: string[] = [];
          const v: LineVisitor = {
            valid: (lines, count, hour, _b, first) => {
              for (let k = 0; k < count; k++) {
                const [s, id, q, , , eHash] = lines.subarray(k * Rec.size, (k + 1) * Rec.size);
                out.push(`v${first + k}@${s - from}:${id >>> 0}|${hour}|${q}|${eHash >>> 0}`);
              }
            },
            invalid: (fault, _b, s, e, n) => void out.push(`i${n}@${s - from}-${e - from}:${fault}`),
          };
          const r = scanLines(buf, from, to, 1, v);
          return { out, consumed: r.consumed - from, lines: r.lines };
        };
        expect(seen(big, before.length, before.length + range.length)).toEqual(seen(range.slice(), 0, range.length));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with a reference parser written from CONTRACT.md §2, line by line', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(valid, almost, valid), { maxLength: 25 }), fc.array(fc.nat(), { maxLength: 6 }), (lines, cuts) => {
        const input = new Uint8Array(Buffer.from(lines.join(''), 'latin1'));
        for (const e of scanChunked(input, cuts).events) {
          const ref = reference(e.text);
          expect(e.kind, JSON.stringify(e.text)).toBe(ref ? 'valid' : 'invalid');
          if (ref) expect(e.fields, JSON.stringify(e.text)).toBe(`${ref.id}|${ref.hour}|${ref.q}|${e.fields!.split('|')[3]}|${ref.evLen}`);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('accepts every valid line as valid, whatever came before it in the chunk', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(valid, almost), { maxLength: 20 }), valid, (noise, line) => {
        const input = new Uint8Array(Buffer.from(noise.map((s) => (s.endsWith('\n') ? s : `${s}\n`)).join('') + line, 'latin1'));
        const { events } = scanChunked(input, []);
        expect(events.at(-1)).toMatchObject({ kind: 'valid', text: line.slice(0, -1) });
      }),
      { numRuns: 300 },
    );
  });
});
