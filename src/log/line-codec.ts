// The log line of CONTRACT.md §2, parsed straight from bytes:
//   productId,timestamp,quantity[,eventId]\n
// This is the innermost loop of both `ingest` and the map jobs (tens of
// millions of lines an hour), so it allocates nothing: fields land in a
// caller-owned LineFields and a fault is a small integer. The reason for a
// fault is worked out on the slow path (describeFault) only for bad lines.

/** Why a line is invalid. Keys are stable: summaries and quarantine use them. */
export const Fault = {
  ok: 0,
  fieldCount: 1,
  productId: 2,
  timestamp: 3,
  quantity: 4,
  eventId: 5,
  empty: 6,
  crlf: 7,
  bom: 8,
  nul: 9,
  nonAscii: 10,
  tooLong: 11,
  /** Valid, but stamped outside the hour (global) or day (category) of its directory. */
  misfiled: 12,
  /** A last line without its newline, once its writer has stopped. */
  torn: 13,
} as const;
export type FaultCode = (typeof Fault)[keyof typeof Fault];

export const FAULT_KEYS: readonly string[] = [
  'ok', 'field_count', 'bad_product_id', 'bad_timestamp', 'bad_quantity', 'bad_event_id',
  'empty_line', 'crlf', 'byte_order_mark', 'nul_byte', 'non_ascii', 'line_too_long',
  'misfiled', 'torn_line',
];

const FAULT_TEXT: readonly string[] = [
  'ok',
  'wrong number of fields: expected productId,timestamp,quantity[,eventId]',
  'productId is not a decimal integer 1..4294967295 without leading zeros',
  'timestamp is not ISO-8601 UTC like 2026-11-27T18:04:05Z or 2026-11-27T18:04:05.123Z',
  'quantity is not an integer -1000..1000 other than 0',
  'eventId is not 1..64 characters of A-Z a-z 0-9 _ . : -',
  'empty line',
  'line ends with CR (CRLF line ending)',
  'line starts with a UTF-8 byte order mark',
  'line contains a NUL byte',
  'line contains a byte outside ASCII (no field allows one)',
  'line is longer than any valid line',
  "timestamp lies outside its directory's hour (global) or day (category)",
  'last line has no newline and its writer has stopped',
];

/** The longest valid line, without its newline: 10+1+24+1+5+1+64. */
export const MAX_LINE_BYTES = 106;

export interface LineFields {
  productId: number;
  /** Whole hours since the epoch (time.ts Hour). */
  hour: number;
  quantity: number;
  /** Byte range of the timestamp field, for writers that copy it verbatim. */
  tsStart: number;
  tsEnd: number;
  /** Byte range of the eventId; eventStart === eventEnd when there is none. */
  eventStart: number;
  eventEnd: number;
  /** FNV-1a of the eventId bytes (0 without one), for dedupe tables. */
  eventHash: number;
}

export const newLineFields = (): LineFields => ({
  productId: 0, hour: 0, quantity: 0, tsStart: 0, tsEnd: 0, eventStart: 0, eventEnd: 0, eventHash: 0,
});

const C0 = 48; // '0'
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const COLON = 58;
const T = 84;
const Z = 90;
const CR = 13;

const isDigit = (b: number) => b >= C0 && b <= C0 + 9;

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const d2 = (b: Uint8Array, i: number) => (b[i] - C0) * 10 + (b[i + 1] - C0);
const digits = (b: Uint8Array, i: number, n: number) => {
  for (let k = 0; k < n; k++) if (!isDigit(b[i + k])) return false;
  return true;
};

// The date and hour of the last timestamp parsed. Lines of one log mostly
// share them, so most timestamps skip the date checks: the 13 bytes
// `YYYY-MM-DDTHH` are compared instead, and only `:MM:SS[.sss]Z` is checked.
const lastPrefix = new Uint8Array(13);
let lastHour = -1;

const isD = (b: number) => b >= C0 && b <= C0 + 9;

/** Whether buf[i..i+13) is lastPrefix: the hour digits first, as they change most. */
function samePrefix(buf: Uint8Array, i: number): boolean {
  const p = lastPrefix;
  return buf[i + 12] === p[12] && buf[i + 11] === p[11] && buf[i + 9] === p[9] && buf[i + 8] === p[8] &&
    buf[i + 6] === p[6] && buf[i + 5] === p[5] && buf[i + 3] === p[3] && buf[i + 2] === p[2] &&
    buf[i + 1] === p[1] && buf[i] === p[0] && buf[i + 4] === p[4] && buf[i + 7] === p[7] && buf[i + 10] === p[10];
}
const isD5 = (b: number) => b >= C0 && b <= C0 + 5;

/**
 * Parses the timestamp at buf[i..], which must end at a comma or at `end`.
 * Returns the index just past it, or -1. Sets out.hour.
 */
function parseTimestamp(buf: Uint8Array, i: number, end: number, out: LineFields): number {
  // YYYY-MM-DDTHH:MM:SS[.sss]Z
  if (end - i < 20) return -1;
  if (lastHour >= 0 && samePrefix(buf, i)) {
    out.hour = lastHour;
  } else {
    const hour = parseDateHour(buf, i);
    if (hour < 0) return -1;
    for (let k = 0; k < 13; k++) lastPrefix[k] = buf[i + k];
    lastHour = hour;
    out.hour = hour;
  }
  if (buf[i + 13] !== COLON || !isD5(buf[i + 14]) || !isD(buf[i + 15]) || buf[i + 16] !== COLON || !isD5(buf[i + 17]) || !isD(buf[i + 18])) return -1;
  let j = i + 19;
  if (buf[j] === DOT) {
    if (end - j < 5 || !isD(buf[j + 1]) || !isD(buf[j + 2]) || !isD(buf[j + 3])) return -1;
    j += 4;
  }
  if (buf[j] !== Z) return -1;
  j++;
  if (j < end && buf[j] !== COMMA) return -1;
  return j;
}

/** `YYYY-MM-DDTHH` at buf[i..] as an hour since the epoch, or -1 when it is no real date and hour. */
function parseDateHour(buf: Uint8Array, i: number): number {
  if (!digits(buf, i, 4) || buf[i + 4] !== MINUS || !digits(buf, i + 5, 2) || buf[i + 7] !== MINUS ||
      !digits(buf, i + 8, 2) || buf[i + 10] !== T || !digits(buf, i + 11, 2)) return -1;
  const y = (buf[i] - C0) * 1000 + (buf[i + 1] - C0) * 100 + d2(buf, i + 2);
  const mo = d2(buf, i + 5);
  const d = d2(buf, i + 8);
  const h = d2(buf, i + 11);
  if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23) return -1;
  const leap = mo === 2 && (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 1 : 0;
  if (d > DAYS_IN_MONTH[mo] + leap) return -1;
  return daysFromCivil(y, mo, d) * 24 + h;
}

/**
 * Parses one line, buf[start..end) without its '\n'. Returns Fault.ok and
 * fills `out`, or the fault. With `quantityOptional` (ingest input) a line
 * of two fields is a purchase of one unit.
 */
export function parseLine(buf: Uint8Array, start: number, end: number, out: LineFields, quantityOptional = false): FaultCode {
  if (end - start > MAX_LINE_BYTES) return Fault.tooLong;
  // productId
  let i = start;
  let id = 0;
  if (i >= end || buf[i] === C0) return start === end ? Fault.empty : Fault.productId;
  for (; i < end; i++) {
    const digit = buf[i] - C0;
    if (digit >>> 0 > 9) break;
    id = id * 10 + digit;
  }
  if (i === start || i - start > 10 || id > 4294967295) return Fault.productId;
  if (i >= end) return Fault.fieldCount;
  if (buf[i] !== COMMA) return Fault.productId;
  out.productId = id;
  i++;
  // timestamp
  out.tsStart = i;
  const afterTs = parseTimestamp(buf, i, end, out);
  if (afterTs < 0) return Fault.timestamp;
  out.tsEnd = afterTs;
  i = afterTs;
  out.eventStart = out.eventEnd = out.eventHash = 0;
  if (i >= end) {
    if (!quantityOptional) return Fault.fieldCount;
    out.quantity = 1;
    return Fault.ok;
  }
  i++; // the comma
  // quantity
  let neg = false;
  if (buf[i] === MINUS) {
    neg = true;
    i++;
  }
  const qStart = i;
  let q = 0;
  while (i < end && isDigit(buf[i]) && i - qStart < 5) {
    q = q * 10 + (buf[i] - C0);
    i++;
  }
  if (i === qStart || buf[qStart] === C0 || q > 1000 || (i < end && buf[i] !== COMMA)) {
    return i < end && buf[i] === CR ? Fault.crlf : Fault.quantity;
  }
  out.quantity = neg ? -q : q;
  if (i >= end) return Fault.ok;
  i++; // the comma
  // eventId
  const eStart = i;
  let hash = 0x811c9dc5;
  while (i < end) {
    const b = buf[i];
    if (!((b >= 65 && b <= 90) || (b >= 97 && b <= 122) || isDigit(b) || b === 95 || b === DOT || b === COLON || b === MINUS)) {
      return b === COMMA ? Fault.fieldCount : b === CR && i === end - 1 ? Fault.crlf : Fault.eventId;
    }
    hash = Math.imul(hash ^ b, 0x01000193);
    i++;
  }
  if (i === eStart || i - eStart > 64) return Fault.eventId;
  out.eventStart = eStart;
  out.eventEnd = i;
  out.eventHash = hash >>> 0;
  return Fault.ok;
}

/** Bytes a line may need from its start: the longest valid line and its newline. */
export const MAX_LINE_SPAN = MAX_LINE_BYTES + 1;

/** The shortest valid line and its newline, `1,2026-11-27T18:04:05Z,1\n`: n bytes hold at most n / 25 lines. */
export const MIN_LINE_SPAN = 25;

/**
 * The reason to report for a bad line: a few whole-line checks first (they
 * explain many field faults at once), then the field fault itself.
 */
export function refineFault(buf: Uint8Array, start: number, end: number, fault: FaultCode): FaultCode {
  if (fault === Fault.ok || fault === Fault.misfiled || fault === Fault.torn) return fault;
  if (start === end) return Fault.empty;
  // The length check keeps a short line from borrowing the bytes that follow it.
  if (end - start >= 3 && buf[start] === 0xef && buf[start + 1] === 0xbb && buf[start + 2] === 0xbf) return Fault.bom;
  if (buf[end - 1] === CR) return Fault.crlf;
  for (let i = start; i < end; i++) if (buf[i] === 0) return Fault.nul;
  if (fault === Fault.tooLong) return fault;
  for (let i = start; i < end; i++) if (buf[i] > 127) return Fault.nonAscii;
  return fault;
}

export const faultKey = (fault: number): string => FAULT_KEYS[fault] ?? 'unknown';
export const faultText = (fault: number): string => FAULT_TEXT[fault] ?? 'unknown fault';

/** A log line as the writer appends it. The timestamp is written as given. */
export function formatLine(productId: number, timestamp: string, quantity: number, eventId?: string): string {
  return eventId ? `${productId},${timestamp},${quantity},${eventId}\n` : `${productId},${timestamp},${quantity}\n`;
}
