import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import type { BatchReport } from '../../connectors/pipeline/batches.js';
import type { Database } from '../../db/client.js';

const DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/connectors');

/** A fixture file of tests/fixtures/connectors (written by make-fixtures.ts). */
export const fixture = (name: string) => path.join(DIR, name);

/** The fixture county's USCCs (the same as make-fixtures.ts). */
export const U = {
  huali: '91370830168297305K',
  textile: '91370830MA3C4A1B2F',
  sameName1: '91370830MA3C4A1B3J',
  sameName2: '91370830MA3C4A1B4M',
  xinhua: '91370830MA3C4A1B5Q',
  hongda: '91370830MA3C4A1B6U',
  dongfang: '91370830MA3C4A1B82',
  dongfangJining: '91370800MA3C4A1B8K',
  yan: '91370830MA3C4A1BA8',
  runtong: '91370830MA3C4A1BCE',
  later: '91370830MA3C4A1B95',
  newco: '91370830MA3C4A1BDH',
  fushi: '91370830MA3C4A1BEL',
} as const;

/** Every batch's counts add up, and the report says what the table says. */
export async function expectCountsAddUp(database: Database, report: BatchReport) {
  expect(report.rowsRead).toBe(report.rowsLoaded + report.rowsQuarantined + report.rowsUnmatched);
  const [row] = await database.rows<{
    status: string;
    read: number;
    loaded: number;
    replaced: number;
    quarantined: number;
    unmatched: number;
    q: number;
  }>(sql`
    select status, rows_read as read, rows_loaded as loaded, rows_replaced as replaced, rows_quarantined as quarantined,
      rows_unmatched as unmatched, (select count(*)::int from quarantined_rows where batch_id = ${report.batchId}) as q
    from ingest_batches where id = ${report.batchId}`);
  expect(row).toEqual({
    status: 'committed',
    read: report.rowsRead,
    loaded: report.rowsLoaded,
    replaced: report.rowsReplaced,
    quarantined: report.rowsQuarantined,
    unmatched: report.rowsUnmatched,
    q: report.rowsQuarantined,
  });
}

/** The counts of a report, for comparing. */
export const countsOf = (r: BatchReport) => ({
  read: r.rowsRead,
  loaded: r.rowsLoaded,
  replaced: r.rowsReplaced,
  quarantined: r.rowsQuarantined,
  unmatched: r.rowsUnmatched,
});

/** receipt → (uscc, method) of tax_payments, for resolution checks. */
export async function paymentLinks(database: Database) {
  const rows = await database.rows<{
    receipt_no: string;
    uscc: string | null;
    match_method: string | null;
    match_candidates: string[] | null;
  }>(
    sql`select receipt_no, uscc, match_method, match_candidates from tax_payments order by receipt_no`,
  );
  return Object.fromEntries(
    rows.map((r) => [
      r.receipt_no,
      { uscc: r.uscc, method: r.match_method, candidates: r.match_candidates },
    ]),
  );
}
