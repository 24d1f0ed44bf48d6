/**
 * PostgreSQL's binary COPY format, for narrow tables of numbers (power readings,
 * connectors/power/store.ts). In the text format the server parses every date and decimal (`date_in`,
 * `numeric_in`): most of a COPY's time for a narrow table of numbers. In the binary format it takes
 * each value as it is stored: measured on 1,920,000 readings, 1.2 s instead of 2.0 s of the server's
 * time (bench/ingest.ts).
 *
 * A row is its field count (int16), then each field as its length (int32) and its bytes; a file is a
 * header, the rows and a trailer. Integers are big-endian.
 */

/** `PGCOPY\n\xff\r\n\0`, flags (none) and the header extension's length (none). */
export const BINARY_HEADER = Buffer.from([
  0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
]);
/** The field count -1 after the last row. */
export const BINARY_TRAILER = Buffer.from([0xff, 0xff]);

/** What a stored column is, as far as this format is concerned. */
export type BinaryKind = 'int4' | 'int8' | 'date' | 'numeric';

/** The kind of a column from its `format_type()`; undefined when this module cannot write it. */
export function binaryKind(formatType: string): BinaryKind | undefined {
  if (formatType === 'integer') return 'int4';
  if (formatType === 'bigint') return 'int8';
  if (formatType === 'date') return 'date';
  if (formatType === 'numeric' || formatType.startsWith('numeric(')) return 'numeric';
  return undefined;
}

/** The most bytes a field of `kind` takes (with its length), for a decimal of at most `digits` digits. */
export function maxFieldBytes(kind: BinaryKind, digits = 32): number {
  if (kind === 'int4' || kind === 'date') return 8;
  if (kind === 'int8') return 12;
  // ndigits, weight, sign, dscale, then a base-10000 digit per 4 decimal digits (plus one at each end)
  return 4 + 8 + 2 * (Math.ceil(digits / 4) + 2);
}

export function writeInt16(buf: Uint8Array, at: number, value: number): number {
  buf[at] = (value >>> 8) & 0xff;
  buf[at + 1] = value & 0xff;
  return at + 2;
}

export function writeInt32(buf: Uint8Array, at: number, value: number): number {
  buf[at] = (value >>> 24) & 0xff;
  buf[at + 1] = (value >>> 16) & 0xff;
  buf[at + 2] = (value >>> 8) & 0xff;
  buf[at + 3] = value & 0xff;
  return at + 4;
}

/** An int4 field (length and value). */
export function writeInt4Field(buf: Uint8Array, at: number, value: number): number {
  if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff)
    throw new RangeError(`${value} is not a 32-bit integer`);
  return writeInt32(buf, writeInt32(buf, at, 4), value);
}

/** An int8 field (length and value) of a safe integer. */
export function writeInt8Field(buf: Uint8Array, at: number, value: number): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
  at = writeInt32(buf, at, 8);
  const high = Math.floor(value / 0x100000000);
  return writeInt32(buf, writeInt32(buf, at, high | 0), value - high * 0x100000000);
}

const MS_PER_DAY = 86_400_000;
/** 2000-01-01, PostgreSQL's day 0, in days since 1970-01-01 */
const POSTGRES_EPOCH_DAYS = 10_957;

/** A date's PostgreSQL day number (days since 2000-01-01); `month` 1–12. */
export function postgresDay(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / MS_PER_DAY - POSTGRES_EPOCH_DAYS;
}

/** A date field of day number `day` (see {@link postgresDay}). */
export function writeDateField(buf: Uint8Array, at: number, day: number): number {
  return writeInt32(buf, writeInt32(buf, at, 4), day);
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day number of an ISO date (`2024-03-01`), as the parsers give dates. */
export function dayOfIsoDate(text: string): number {
  const m = ISO_DATE.exec(text);
  if (!m) throw new Error(`"${text}" is not an ISO date`);
  return postgresDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

const MINUS = 45;
const DOT = 46;
const ZERO = 48;

/**
 * A numeric field of the plain decimal in `text[s, e)` (bytes: digits, an optional leading `-` and
 * `.`, as the parsers give decimals). Base-10000 digits grouped from the decimal point; the column's
 * scale (numeric(16,2)) is applied by the server as for text. Throws on anything else.
 */
export function writeNumericField(
  buf: Uint8Array,
  at: number,
  text: Uint8Array,
  s: number,
  e: number,
): number {
  let negative = false;
  if (s < e && text[s] === MINUS) {
    negative = true;
    s += 1;
  }
  let dot = e;
  for (let k = s; k < e; k++) {
    const c = text[k];
    if (c === DOT && dot === e) dot = k;
    else if (c < ZERO || c > ZERO + 9)
      throw new Error(
        `"${Buffer.from(text.subarray(s, e)).toString('latin1')}" is not a plain decimal`,
      );
  }
  if (dot - s + (dot === e ? 0 : e - dot - 1) === 0) throw new Error('a decimal without digits');
  // leading zeros of the integer part, and trailing zeros of the fraction, carry no digit
  let i0 = s;
  while (i0 < dot && text[i0] === ZERO) i0 += 1;
  const scale = dot === e ? 0 : e - dot - 1;
  let f1 = e;
  while (f1 > dot + 1 && text[f1 - 1] === ZERO) f1 -= 1;
  const intDigits = dot - i0;
  const fracDigits = dot === e ? 0 : f1 - dot - 1;
  const intGroups = Math.ceil(intDigits / 4);
  const fracGroups = Math.ceil(fracDigits / 4);
  const ndigits = intGroups + fracGroups;
  at = writeInt32(buf, at, 8 + 2 * ndigits);
  at = writeInt16(buf, at, ndigits);
  // the weight: the power of 10000 of the first digit (-1 for a first digit right after the point)
  at = writeInt16(buf, at, ndigits === 0 ? 0 : intGroups > 0 ? intGroups - 1 : -1);
  at = writeInt16(buf, at, negative && ndigits > 0 ? 0x4000 : 0);
  at = writeInt16(buf, at, scale);
  // integer groups: the first takes what is left over from groups of four
  let k = i0;
  for (let g = 0; g < intGroups; g++) {
    const width = g === 0 ? intDigits - (intGroups - 1) * 4 : 4;
    let digit = 0;
    for (let w = 0; w < width; w++) digit = digit * 10 + (text[k++] - ZERO);
    at = writeInt16(buf, at, digit);
  }
  // fraction groups: padded with zeros on the right
  k = dot + 1;
  for (let g = 0; g < fracGroups; g++) {
    let digit = 0;
    for (let w = 0; w < 4; w++) digit = digit * 10 + (k < f1 ? text[k++] - ZERO : 0);
    at = writeInt16(buf, at, digit);
  }
  return at;
}

/**
 * {@link writeNumericField} for a quantity already found canonical (parsers.ts CANONICAL_QUANTITY:
 * `0` or up to 14 digits without a leading zero, then up to 2 decimals): the same bytes, without
 * checking them again (the fast reading's hot path; tests compare the two).
 */
export function writeQuantityField(
  buf: Uint8Array,
  at: number,
  text: Uint8Array,
  s: number,
  e: number,
): number {
  let dot = s;
  while (dot < e && text[dot] !== DOT) dot += 1;
  let f1 = e;
  while (f1 > dot + 1 && text[f1 - 1] === ZERO) f1 -= 1;
  // `0`: no integer digit
  const intDigits = dot - s === 1 && text[s] === ZERO ? 0 : dot - s;
  const fracDigits = dot === e ? 0 : f1 - dot - 1;
  const intGroups = (intDigits + 3) >> 2;
  const ndigits = intGroups + (fracDigits > 0 ? 1 : 0);
  at = writeInt32(buf, at, 8 + 2 * ndigits);
  at = writeInt16(buf, at, ndigits);
  at = writeInt16(buf, at, ndigits === 0 ? 0 : intGroups > 0 ? intGroups - 1 : -1);
  at = writeInt16(buf, at, 0);
  at = writeInt16(buf, at, dot === e ? 0 : e - dot - 1);
  let k = dot - intDigits;
  for (let g = 0; g < intGroups; g++) {
    const width = g === 0 ? intDigits - (intGroups - 1) * 4 : 4;
    let digit = 0;
    for (let w = 0; w < width; w++) digit = digit * 10 + (text[k++] - ZERO);
    at = writeInt16(buf, at, digit);
  }
  if (fracDigits > 0) {
    // one or two decimals: one base-10000 digit
    const d1 = text[dot + 1] - ZERO;
    const d2 = fracDigits > 1 ? text[dot + 2] - ZERO : 0;
    at = writeInt16(buf, at, d1 * 1000 + d2 * 100);
  }
  return at;
}

const NUMERIC_SCRATCH = Buffer.alloc(64);

/**
 * One value as a binary field of `kind`, values as the parsers give them (numbers, ISO dates, plain
 * decimal strings); null for NULL.
 */
export function writeValueField(
  buf: Buffer,
  at: number,
  kind: BinaryKind,
  value: string | number | null | undefined,
): number {
  if (value === null || value === undefined) return writeInt32(buf, at, -1);
  if (kind === 'int4') return writeInt4Field(buf, at, Number(value));
  if (kind === 'int8') return writeInt8Field(buf, at, Number(value));
  if (kind === 'date') return writeDateField(buf, at, dayOfIsoDate(String(value)));
  const text = String(value);
  if (text.length > NUMERIC_SCRATCH.length) throw new Error(`"${text}" is too long for a decimal`);
  const length = NUMERIC_SCRATCH.write(text, 'latin1');
  return writeNumericField(buf, at, NUMERIC_SCRATCH, 0, length);
}
