// The log line of CONTRACT.md §2, rule by rule: a table of lines the codec
// must accept (with the fields it must read) and one of lines it must reject
// (with the reason it must give), plus a property test tying formatLine to
// parseLine.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Fault, MAX_LINE_BYTES, MIN_LINE_SPAN, faultKey, faultText, formatLine, newLineFields, parseLine, refineFault,
} from '../../src/log/line-codec.js';

const hourOf = (iso: string) => Math.floor(Date.parse(iso) / 3_600_000);

/** Parses one line given as a string (latin1, so every byte is what the test wrote). */
function parse(line: string | Buffer, quantityOptional = false) {
  const buf = typeof line === 'string' ? Buffer.from(`${line}\n`, 'latin1') : Buffer.concat([line, Buffer.from('\n')]);
  const out = newLineFields();
  const end = buf.length - 1;
  const raw = parseLine(buf, 0, end, out, quantityOptional);
  const fault = refineFault(buf, 0, end, raw);
  const eventId = buf.toString('latin1', out.eventStart, out.eventEnd);
  const timestamp = buf.toString('latin1', out.tsStart, out.tsEnd);
  return { fault: faultKey(fault), out, eventId, timestamp };
}

describe('parseLine accepts every valid form of §2', () => {
  const good: [string, number, string, number, string][] = [
    // line, productId, timestamp, quantity, eventId
    ['1,2026-11-27T18:04:05Z,1', 1, '2026-11-27T18:04:05Z', 1, ''],
    ['4294967295,2026-11-27T18:04:05.123Z,1000', 4294967295, '2026-11-27T18:04:05.123Z', 1000, ''],
    ['42,2026-11-27T18:04:05.000Z,-1000', 42, '2026-11-27T18:04:05.000Z', -1000, ''],
    ['42,2026-11-27T18:04:05Z,-1,refund-7', 42, '2026-11-27T18:04:05Z', -1, 'refund-7'],
    ['7,2024-02-29T23:59:59.999Z,3,A.b_c:d-9', 7, '2024-02-29T23:59:59.999Z', 3, 'A.b_c:d-9'],
    ['7,2000-02-29T00:00:00Z,2,x', 7, '2000-02-29T00:00:00Z', 2, 'x'],
    ['7,1970-01-01T00:00:00Z,5', 7, '1970-01-01T00:00:00Z', 5, ''],
    ['9,2026-12-31T23:59:59Z,999,' + 'e'.repeat(64), 9, '2026-12-31T23:59:59Z', 999, 'e'.repeat(64)],
  ];
  it.each(good)('%s', (line, productId, timestamp, quantity, eventId) => {
    const r = parse(line);
    expect(r.fault).toBe('ok');
    expect(r.out.productId).toBe(productId);
    expect(r.timestamp).toBe(timestamp);
    expect(r.out.hour).toBe(hourOf(timestamp));
    expect(r.out.quantity).toBe(quantity);
    expect(r.eventId).toBe(eventId);
    expect(r.out.eventHash === 0).toBe(eventId === '');
  });

  it('reads the hour in UTC whatever the machine zone (tests run in Asia/Kolkata)', () => {
    expect(parse('1,2026-11-27T00:30:00Z,1').out.hour).toBe(Date.UTC(2026, 10, 27, 0) / 3_600_000);
  });

  it('gives the same eventHash to the same eventId and different ones to different ids', () => {
    const a = parse('1,2026-11-27T00:30:00Z,1,order-1').out.eventHash;
    expect(parse('2,2026-11-28T00:30:00Z,-1,order-1').out.eventHash).toBe(a);
    expect(parse('1,2026-11-27T00:30:00Z,1,order-2').out.eventHash).not.toBe(a);
  });

  it('takes a missing quantity as one unit only when asked to (ingest input)', () => {
    expect(parse('5,2026-11-27T18:04:05Z', true)).toMatchObject({ fault: 'ok', out: { quantity: 1, productId: 5 } });
    expect(parse('5,2026-11-27T18:04:05Z').fault).toBe('field_count');
  });
});

describe('parseLine rejects, with the reason, every line §2 does not allow', () => {
  const ts = '2026-11-27T18:04:05Z';
  const bad: [string, string | Buffer, string][] = [
    // productId: range, leading zeros, form
    ['productId 0', `0,${ts},1`, 'bad_product_id'],
    ['productId above 2^32-1', `4294967296,${ts},1`, 'bad_product_id'],
    ['productId of 11 digits', `12345678901,${ts},1`, 'bad_product_id'],
    ['productId with a leading zero', `042,${ts},1`, 'bad_product_id'],
    ['negative productId', `-4,${ts},1`, 'bad_product_id'],
    ['productId with a sign', `+4,${ts},1`, 'bad_product_id'],
    ['productId with a space', ` 4,${ts},1`, 'bad_product_id'],
    ['productId in hex', `0x1F,${ts},1`, 'bad_product_id'],
    ['productId with a decimal point', `4.0,${ts},1`, 'bad_product_id'],
    ['missing productId', `,${ts},1`, 'bad_product_id'],
    // timestamp: forms and real dates
    ['timestamp without Z', '1,2026-11-27T18:04:05,1', 'bad_timestamp'],
    ['timestamp with an offset', '1,2026-11-27T18:04:05+00:00,1', 'bad_timestamp'],
    ['timestamp with lowercase z', '1,2026-11-27T18:04:05z,1', 'bad_timestamp'],
    ['timestamp with a space for T', '1,2026-11-27 18:04:05Z,1', 'bad_timestamp'],
    ['timestamp without seconds', '1,2026-11-27T18:04Z,1', 'bad_timestamp'],
    ['timestamp with 2-digit milliseconds', '1,2026-11-27T18:04:05.12Z,1', 'bad_timestamp'],
    ['timestamp with 4-digit fraction', '1,2026-11-27T18:04:05.1234Z,1', 'bad_timestamp'],
    ['timestamp with a dot and no digits', '1,2026-11-27T18:04:05.Z,1', 'bad_timestamp'],
    ['date only', '1,2026-11-27,1', 'bad_timestamp'],
    ['epoch number', '1,1795802645,1', 'bad_timestamp'],
    ['29 February of a common year', '1,2026-02-29T00:00:00Z,1', 'bad_timestamp'],
    ['29 February of a century year', '1,2100-02-29T00:00:00Z,1', 'bad_timestamp'],
    ['30 February', '1,2024-02-30T00:00:00Z,1', 'bad_timestamp'],
    ['31 April', '1,2026-04-31T00:00:00Z,1', 'bad_timestamp'],
    ['month 13', '1,2026-13-01T00:00:00Z,1', 'bad_timestamp'],
    ['month 00', '1,2026-00-01T00:00:00Z,1', 'bad_timestamp'],
    ['day 00', '1,2026-11-00T00:00:00Z,1', 'bad_timestamp'],
    ['hour 24', '1,2026-11-27T24:00:00Z,1', 'bad_timestamp'],
    ['minute 60', '1,2026-11-27T18:60:00Z,1', 'bad_timestamp'],
    ['leap second 60', '1,2026-12-31T23:59:60Z,1', 'bad_timestamp'],
    ['a year before the epoch', '1,1969-12-31T23:59:59Z,1', 'bad_timestamp'],
    ['empty timestamp', '1,,1', 'bad_timestamp'],
    // quantity: range, zero, form
    ['quantity 0', `1,${ts},0`, 'bad_quantity'],
    ['quantity -0', `1,${ts},-0`, 'bad_quantity'],
    ['quantity 1001', `1,${ts},1001`, 'bad_quantity'],
    ['quantity -1001', `1,${ts},-1001`, 'bad_quantity'],
    ['quantity of six digits', `1,${ts},100000`, 'bad_quantity'],
    ['quantity with a leading zero', `1,${ts},07`, 'bad_quantity'],
    ['quantity with a plus sign', `1,${ts},+7`, 'bad_quantity'],
    ['quantity 1.5', `1,${ts},1.5`, 'bad_quantity'],
    ['quantity a lone minus', `1,${ts},-`, 'bad_quantity'],
    ['empty quantity', `1,${ts},`, 'bad_quantity'],
    ['empty quantity before an eventId', `1,${ts},,e1`, 'bad_quantity'],
    // eventId: charset, length
    ['eventId of 65 characters', `1,${ts},1,${'e'.repeat(65)}`, 'bad_event_id'],
    ['empty eventId', `1,${ts},1,`, 'bad_event_id'],
    ['eventId with a space', `1,${ts},1,order 1`, 'bad_event_id'],
    ['eventId with a slash', `1,${ts},1,order/1`, 'bad_event_id'],
    ['eventId with a quote', `1,${ts},1,"o1"`, 'bad_event_id'],
    // field counts
    ['one field', '1', 'field_count'],
    ['two fields in a log', `1,${ts}`, 'field_count'],
    ['five fields', `1,${ts},1,e1,extra`, 'field_count'],
    // whole-line faults
    ['empty line', '', 'empty_line'],
    ['CRLF line ending', `1,${ts},1\r`, 'crlf'],
    ['CRLF after an eventId', `1,${ts},1,e1\r`, 'crlf'],
    ['CRLF after a timestamp', `1,${ts}\r`, 'crlf'],
    ['a byte order mark', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`1,${ts},1`)]), 'byte_order_mark'],
    ['a NUL byte', `1,${ts},1,e\u00001`, 'nul_byte'],
    ['a NUL line (preallocated file)', '\u0000\u0000\u0000\u0000', 'nul_byte'],
    ['non-ASCII in the eventId', Buffer.from(`1,${ts},1,caf\u00e9`, 'utf8'), 'non_ascii'],
    ['non-ASCII digits', Buffer.from(`\u0661,${ts},1`, 'utf8'), 'non_ascii'],
    ['a line longer than any valid line', `1,${ts},1,${'e'.repeat(200)}`, 'line_too_long'],
  ];
  it.each(bad)('%s', (_name, line, key) => {
    expect(parse(line).fault).toBe(key);
  });

  it('has a text for every reason key', () => {
    for (const [, , key] of bad) {
      const code = Object.values(Fault).find((f) => faultKey(f) === key)!;
      expect(faultText(code)).not.toMatch(/unknown/);
    }
  });

  it('rejects a NUL line even with quantity optional', () => {
    expect(parse('\u0000', true).fault).toBe('nul_byte');
  });

  it('does not read a BOM from bytes past the end of a short line', () => {
    const buf = Buffer.from([0xef, 0xbb, 0xbf, 0x0a]);
    expect(faultKey(refineFault(buf, 0, 1, parseLine(buf, 0, 1, newLineFields())))).not.toBe('byte_order_mark');
  });
});

describe('formatLine', () => {
  it('writes the line parseLine reads back, for any valid fields', () => {
    const timestamp = fc
      .integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) })
      .chain((ms) => fc.boolean().map((keepMs) => {
        const iso = new Date(ms).toISOString();
        return keepMs ? iso : `${iso.slice(0, 19)}Z`;
      }));
    const quantity = fc.integer({ min: -1000, max: 1000 }).filter((q) => q !== 0);
    const eventId = fc.option(fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/), { nil: undefined });
    fc.assert(fc.property(fc.integer({ min: 1, max: 4294967295 }), timestamp, quantity, eventId, (id, t, q, e) => {
      const r = parse(formatLine(id, t, q, e).slice(0, -1));
      expect(r).toMatchObject({ fault: 'ok', timestamp: t, eventId: e ?? '', out: { productId: id, quantity: q, hour: hourOf(t) } });
    }));
  });

  it('never lets a valid line exceed MAX_LINE_BYTES', () => {
    expect(formatLine(4294967295, '2026-11-27T18:04:05.123Z', -1000, 'e'.repeat(64)).length - 1).toBe(MAX_LINE_BYTES);
  });

  it('never lets a valid line and its newline take fewer than MIN_LINE_SPAN bytes', () => {
    const shortest = formatLine(1, '2026-11-27T18:04:05Z', 1);
    expect(parseLine(Buffer.from(shortest), 0, shortest.length - 1, newLineFields())).toBe(Fault.ok);
    expect(shortest.length).toBe(MIN_LINE_SPAN);
    for (const shorter of ['1,2026-11-27T18:04:05,1', '1,2026-11-27T18:04Z,1', '1,2026-11-27T18:04:05Z,']) {
      expect(parseLine(Buffer.from(shorter), 0, shorter.length, newLineFields())).not.toBe(Fault.ok);
    }
  });
});
