import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect } from 'vitest';
import type { BatchReport } from '../../connectors/pipeline/batches.js';
import type { Database } from '../../db/client.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

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

/**
 * A database of its own and a scratch directory for the files a describe block writes: made before
 * its tests, dropped after them. Read `t` and `dir` inside the tests.
 */
export function scratch(prefix: string): { t: TestDatabase; dir: string } {
  const made = {} as { t: TestDatabase; dir: string };
  beforeAll(async () => {
    made.t = await createTestDatabase();
    made.dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  });
  afterAll(async () => {
    await made.t?.drop();
    if (made.dir) rmSync(made.dir, { recursive: true, force: true });
  });
  return made;
}

/** How many batches have committed. */
export async function committedBatches(database: Database): Promise<number> {
  const [row] = await database.rows<{ n: number }>(
    sql`select count(*)::int as n from ingest_batches where status = 'committed'`,
  );
  return row.n;
}

/** A batch's quarantined rows in row order: number, reasons and raw cells by header. */
export const quarantinedRows = (database: Database, batchId: number) =>
  database.rows<{ row_number: number; reasons: string[]; raw: Record<string, string> }>(
    sql`select row_number, reasons, raw from quarantined_rows where batch_id = ${batchId} order by row_number`,
  );
