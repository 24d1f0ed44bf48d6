import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MissingColumnError,
  UnknownSourceError,
  UnreadableFileError,
} from '../../connectors/pipeline/errors.js';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { countsOf, expectCountsAddUp, fixture } from './support.js';

describe(`reloads, corrections and refusals (${testDbMode()})`, () => {
  let t: TestDatabase;
  const everything = () =>
    t.database.rows(sql`
      select 'p' as t, receipt_no as k, batch_id, loaded_at::text, amount_yuan::text as v, uscc from tax_payments
      union all select 'e', uscc, batch_id, loaded_at::text, name, status from enterprises order by 1, 2`);
  const count = async (table: string) =>
    (
      await t.database.rows<{ n: number }>(
        sql`select count(*)::int as n from ${sql.identifier(table)}`,
      )
    )[0].n;

  beforeAll(async () => {
    t = await createTestDatabase();
    await ingestFile(t.database, 'market-registry', fixture('registry.csv'));
    await ingestFile(t.database, 'tax-payments', fixture('tax-payments.csv'));
  });
  afterAll(() => t?.drop());

  it('changes nothing when the same files are loaded again: not even batch ids or loaded_at', async () => {
    const before = await everything();
    const register = await ingestFile(t.database, 'market-registry', fixture('registry.csv'));
    const payments = await ingestFile(t.database, 'tax-payments', fixture('tax-payments.csv'));
    expect(countsOf(register)).toEqual({
      read: 10,
      loaded: 10,
      replaced: 0,
      quarantined: 0,
      unmatched: 0,
    });
    expect(countsOf(payments)).toEqual({
      read: 16,
      loaded: 8,
      replaced: 0,
      quarantined: 2,
      unmatched: 6,
    });
    await expectCountsAddUp(t.database, payments);
    expect(await everything()).toEqual(before);
  });

  it('replaces the value of a natural key sent again (a correction) and counts it as replaced', async () => {
    const [p01] = await t.database.rows<{ batch_id: number }>(
      sql`select batch_id from tax_payments where receipt_no = 'P01'`,
    );
    const report = await ingestFile(
      t.database,
      'tax-payments',
      fixture('tax-payments-correction.csv'),
    );
    expect(countsOf(report)).toEqual({
      read: 3,
      loaded: 3,
      replaced: 1,
      quarantined: 0,
      unmatched: 0,
    });
    await expectCountsAddUp(t.database, report);
    const rows = await t.database.rows<{ receipt_no: string; amount: string; batch_id: number }>(
      sql`select receipt_no, amount_yuan::text as amount, batch_id::int from tax_payments where receipt_no in ('P01', 'P03', 'P15') order by 1`,
    );
    expect(rows.map((r) => [r.receipt_no, r.amount, r.batch_id === report.batchId])).toEqual([
      ['P01', '1234000.00', true], // corrected
      ['P03', '-500.00', false], // sent again unchanged: untouched
      ['P15', '7.00', true], // new
    ]);
    expect(Number(p01.batch_id)).not.toBe(report.batchId);
  });

  it('quarantines a natural key repeated within one file, keeping the first occurrence', async () => {
    const report = await ingestFile(
      t.database,
      'tax-payments',
      fixture('tax-payments-duplicate.csv'),
    );
    expect(countsOf(report)).toEqual({
      read: 3,
      loaded: 2,
      replaced: 0,
      quarantined: 1,
      unmatched: 0,
    });
    await expectCountsAddUp(t.database, report);
    const [d01] = await t.database.rows<{ amount: string }>(
      sql`select amount_yuan::text as amount from tax_payments where receipt_no = 'D01'`,
    );
    expect(d01.amount).toBe('10.00');
    const [q] = await t.database.rows<{
      row_number: number;
      reasons: string[];
      raw: Record<string, string>;
    }>(
      sql`select row_number, reasons, raw from quarantined_rows where batch_id = ${report.batchId}`,
    );
    expect(q.row_number).toBe(4);
    expect(q.reasons).toEqual(['duplicate 税票号码 D01: this file already has it on row 2']);
    expect(q.raw['实缴金额(元)']).toBe('11');
  });

  it('refuses a file without a required column: names the columns, loads nothing, records a failed batch', async () => {
    const before = await count('tax_payments');
    const quarantined = await count('quarantined_rows');
    const error = await ingestFile(
      t.database,
      'tax-payments',
      fixture('tax-payments-missing-column.csv'),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingColumnError);
    expect((error as Error).message).toContain('表头缺少必需的列 「税票号码」、「税种」');
    expect(await count('tax_payments')).toBe(before);
    expect(await count('quarantined_rows')).toBe(quarantined);
    const [batch] = await t.database.rows<{ status: string; message: string; rows_read: number }>(
      sql`select status, message, rows_read from ingest_batches order by id desc limit 1`,
    );
    expect(batch).toMatchObject({ status: 'failed', rows_read: 0 });
    expect(batch.message).toContain('税票号码');
  });

  it('refuses an unknown source and a file it cannot read', async () => {
    await expect(ingestFile(t.database, 'weather', fixture('power.csv'))).rejects.toBeInstanceOf(
      UnknownSourceError,
    );
    await expect(
      ingestFile(t.database, 'power', fixture('no-such-file.csv')),
    ).rejects.toBeInstanceOf(UnreadableFileError);
    await expect(ingestFile(t.database, 'power', fixture('make-fixtures.ts'))).rejects.toThrow(
      /only .csv and .xlsx/,
    );
  });
});
