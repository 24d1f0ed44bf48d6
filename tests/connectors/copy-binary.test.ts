import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dayOfIsoDate,
  maxFieldBytes,
  writeDateField,
  writeInt4Field,
  writeInt8Field,
  writeInt16,
  writeInt32,
  writeNumericField,
  writeQuantityField,
} from '../../connectors/pipeline/copy-binary.js';
import { copyLine } from '../../connectors/pipeline/copy-text.js';
import { inTransaction } from '../../connectors/pipeline/session.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

interface Row {
  i: number;
  b: number;
  d: string;
  n: string;
}

/** Decimals as the parsers give them (and some they never give: more decimals, leading zeros, a sign). */
const decimal = fc
  .tuple(
    fc.constantFrom('', '-'),
    fc.stringMatching(/^[0-9]{1,13}$/),
    fc.stringMatching(/^(\.[0-9]{1,4})?$/),
  )
  .map(([sign, whole, fraction]) => `${sign}${whole}${fraction}`);
const row = fc.record({
  i: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  b: fc.maxSafeInteger().map((n) => (n % 3 === 0 ? -n : n)),
  d: fc
    .date({
      min: new Date('1900-01-01T00:00:00Z'),
      max: new Date('2200-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10)),
  n: fc.oneof(
    decimal,
    fc.constantFrom(
      '0',
      '0.0',
      '0.5',
      '10000',
      '9999.99',
      '0.01',
      '-0',
      '00012.30',
      '99999999999999.99',
      '1.005',
    ),
  ),
});

/** The rows in the binary format, as the loader writes them. */
function binaryRows(rows: Row[]): Buffer {
  const buf = Buffer.alloc(rows.length * (2 + 8 + 8 + 12 + 8 + maxFieldBytes('numeric')) + 64);
  let at = 0;
  for (const [k, r] of rows.entries()) {
    at = writeInt16(buf, at, 5);
    at = writeInt4Field(buf, at, k);
    at = writeInt4Field(buf, at, r.i);
    at = writeInt8Field(buf, at, r.b);
    at = writeDateField(buf, at, dayOfIsoDate(r.d));
    const n = Buffer.from(r.n, 'latin1');
    at = writeNumericField(buf, at, n, 0, n.length);
  }
  // a NULL field
  at = writeInt16(buf, at, 5);
  at = writeInt4Field(buf, at, rows.length);
  for (let f = 0; f < 4; f++) at = writeInt32(buf, at, -1);
  return buf.subarray(0, at);
}

describe(`binary COPY rows are stored as the same rows in text would be (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.drop());

  it('integers, dates and decimals (numeric(16,2): rounded by the server the same way)', async () => {
    const rows = fc.sample(row, { numRuns: 3000, seed: 20261204 });
    const differences = await inTransaction(t.database, async (session) => {
      for (const table of ['edp_bin', 'edp_text']) {
        await session.query(
          `create temp table ${table} (k int, i int, b bigint, d date, n numeric(16,2)) on commit drop`,
        );
      }
      const binary = await session.openCopy('edp_bin', ['k', 'i', 'b', 'd', 'n'], 'binary');
      await binary.write(binaryRows(rows));
      await binary.end();
      const text =
        rows.map((r, k) => copyLine([k, r.i, r.b, r.d, r.n])).join('') +
        copyLine([rows.length, null, null, null, null]);
      await session.copyIn('edp_text', ['k', 'i', 'b', 'd', 'n'], text);
      const [{ count }] = await session.query<{ count: number }>(
        `select count(*)::int as count from edp_bin`,
      );
      expect(count).toBe(rows.length + 1);
      return session.query(
        `select * from ((table edp_bin except table edp_text) union all (table edp_text except table edp_bin)) d
         union all select k, i, b, d, n from edp_bin where n::text <> (select t.n::text from edp_text t where t.k = edp_bin.k)`,
      );
    });
    expect(differences).toEqual([]);
  });

  it('a canonical quantity (as the fast reading takes it) is written as any decimal is', () => {
    const canonical = fc
      .tuple(
        fc.oneof(fc.constant('0'), fc.stringMatching(/^[1-9][0-9]{0,13}$/)),
        fc.stringMatching(/^(\.[0-9]{1,2})?$/),
      )
      .map(([whole, fraction]) => whole + fraction);
    const [a, b] = [Buffer.alloc(64), Buffer.alloc(64)];
    for (const text of [
      ...fc.sample(canonical, { numRuns: 5000, seed: 7 }),
      '0',
      '0.0',
      '0.00',
      '0.05',
      '10.50',
      '10000',
      '99999999999999.99',
    ]) {
      const bytes = Buffer.from(`x${text}y`);
      const end = writeQuantityField(a, 0, bytes, 1, bytes.length - 1);
      expect(end, text).toBe(writeNumericField(b, 0, bytes, 1, bytes.length - 1));
      expect(a.subarray(0, end).equals(b.subarray(0, end)), text).toBe(true);
    }
  });

  it('refuses what is not a plain decimal instead of writing a wrong value', () => {
    const buf = Buffer.alloc(64);
    for (const text of ['1,234', '1e3', '12.3.4', ' 12', '', '.', '-', '١٢']) {
      const bytes = Buffer.from(text);
      expect(() => writeNumericField(buf, 0, bytes, 0, bytes.length), text).toThrow();
    }
    expect(() => writeInt4Field(buf, 0, 2 ** 31)).toThrow(RangeError);
    expect(() => dayOfIsoDate('2024-3-1')).toThrow();
  });
});
