import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { readAgainWhenLost } from '../../connectors/pipeline/readers.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { countsOf, expectCountsAddUp, fixture, U } from './support.js';

/** The whole of tax_payments, provenance included (an unchanged row keeps its batch and loaded_at). */
const snapshot = (t: TestDatabase) =>
  t.database.rows(
    sql`select *, amount_yuan::text as amount, period::text as month from tax_payments order by receipt_no`,
  );

describe(`file formats (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    const register = await ingestFile(t.database, 'market-registry', fixture('registry.csv'));
    expect(countsOf(register)).toEqual({
      read: 10,
      loaded: 10,
      replaced: 0,
      quarantined: 0,
      unmatched: 0,
    });
  });
  afterAll(() => t?.drop());

  it('reads the register: 万元 to 元, every date format, former names split on ; and ；, industry division', async () => {
    const rows = await t.database.rows<Record<string, unknown>>(sql`
      select uscc, registered_capital_yuan::text as capital, established_on::text as established, former_names, former_names_norm,
        industry_code, industry_section, industry_division, status
      from enterprises order by uscc`);
    const byUscc = Object.fromEntries(rows.map((r) => [r.uscc, r]));
    expect(byUscc[U.huali]).toMatchObject({
      capital: '12005000.00',
      established: '2008-05-12',
      former_names: ['汶上县华力机械厂', '汶上县华力电机有限公司'],
      industry_code: 'C3670',
      industry_section: 'C',
      industry_division: 'C36',
    });
    expect(byUscc[U.hongda].former_names).toEqual(['汶上县旧名食品厂', '汶上县宏达副食厂']);
    expect(byUscc[U.textile]).toMatchObject({ established: '2012-03-05', status: '在业' });
    expect(byUscc[U.sameName1]).toMatchObject({ established: '2015-06-01' });
    expect(byUscc[U.sameName2]).toMatchObject({ established: '2010-01-01', status: '注销' });
    expect(byUscc[U.yan]).toMatchObject({ capital: '5000.00', industry_division: 'A01' });
  });

  it('loads UTF-8 with thousands separators, ¥, a minus before or after, every month format and full-width spaces', async () => {
    const report = await ingestFile(t.database, 'tax-payments', fixture('tax-payments.csv'));
    expect(countsOf(report)).toEqual({
      read: 16,
      loaded: 8,
      replaced: 0,
      quarantined: 2,
      unmatched: 6,
    });
    await expectCountsAddUp(t.database, report);
    const rows = await t.database.rows<{
      receipt_no: string;
      amount: string;
      month: string;
      raw_identifier: string | null;
      raw_name: string;
    }>(
      sql`select receipt_no, amount_yuan::text as amount, period::text as month, raw_identifier, raw_name from tax_payments order by receipt_no`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.receipt_no, [r.amount, r.month]]))).toEqual({
      P01: ['1234567.89', '2024-03-01'],
      P02: ['-85000.00', '2024-03-01'],
      P03: ['-500.00', '2024-03-01'],
      P04: ['12.50', '2024-03-01'],
      P05: ['100.00', '2024-03-01'],
      P06: ['200.00', '2024-03-01'],
      P07: ['300.00', '2024-03-01'],
      P08: ['400.00', '2024-03-01'],
      P09: ['1.00', '2024-03-01'],
      P10: ['2.00', '2024-03-01'],
      P11: ['88.00', '2024-04-01'],
      P12: ['1000.00', '2024-04-01'],
      P13: ['3.00', '2024-04-01'],
      P14: ['4.00', '2024-04-01'],
    });
    const p = Object.fromEntries(rows.map((r) => [r.receipt_no, r]));
    // Trimmed (U+3000 too), otherwise exactly as delivered.
    expect(p.P01.raw_identifier).toBe(U.huali);
    expect(p.P05.raw_name).toBe('汶上县同名商贸有限公司');
    expect(p.P12.raw_identifier).toBe(U.textile.toLowerCase());
  });

  it('quarantines a bad row with every reason, its row number and raw content', async () => {
    const rows = await t.database.rows<{
      row_number: number;
      reasons: string[];
      raw: Record<string, string>;
    }>(sql`
      select q.row_number, q.reasons, q.raw from quarantined_rows q join ingest_batches b on b.id = q.batch_id
      where b.file_name = 'tax-payments.csv' order by q.row_number`);
    expect(rows.map((r) => r.row_number)).toEqual([16, 17]);
    expect(rows[0].reasons).toHaveLength(3);
    expect(rows[0].reasons[0]).toMatch(/^纳税人识别号：.*91370830MA3C4A1B2X.*校验码不符/);
    expect(rows[0].reasons[1]).toMatch(/^税款所属期: .*没有 13 月/);
    expect(rows[0].reasons[2]).toMatch(/^实缴金额\(元\): "abc" 不是金额/);
    expect(rows[0].raw).toEqual({
      税票号码: 'Q01',
      纳税人识别号: '91370830MA3C4A1B2X',
      纳税人名称: '山东汶上纺织有限公司',
      税款所属期: '2024-13',
      税种: '增值税',
      '实缴金额(元)': 'abc',
    });
    expect(rows[1].reasons).toEqual([
      '税票号码为空',
      '纳税人识别号与纳税人名称都为空：记录没有指明企业',
    ]);
  });

  const variants = [
    ['UTF-8 with BOM, reordered and unknown columns', 'tax-payments-bom.csv'],
    ['GB18030 (with 䶮, outside GBK)', 'tax-payments-gb18030.csv'],
    ['万元 header', 'tax-payments-wanyuan.csv'],
    ['xlsx (number and date cells, a second sheet)', 'tax-payments.xlsx'],
  ] as const;

  it.each(variants)(
    '%s: loads to the very same rows (nothing replaced, nothing touched)',
    async (_label, file) => {
      const before = await snapshot(t);
      const report = await ingestFile(t.database, 'tax-payments', fixture(file));
      expect(countsOf(report)).toEqual({
        read: 16,
        loaded: 8,
        replaced: 0,
        quarantined: 2,
        unmatched: 6,
      });
      await expectCountsAddUp(t.database, report);
      expect(await snapshot(t)).toEqual(before);
      const [q] = await t.database.rows<{ rows: number[]; reasons: number }>(
        sql`select array_agg(row_number order by row_number) as rows, sum(cardinality(reasons))::int as reasons from quarantined_rows where batch_id = ${report.batchId}`,
      );
      expect(q).toEqual({ rows: [16, 17], reasons: 5 });
    },
  );

  it('never writes mojibake: the GB18030 name with 䶮 is stored as written and linked', async () => {
    const [row] = await t.database.rows<{ raw_name: string; uscc: string }>(
      sql`select raw_name, uscc from tax_payments where receipt_no = 'P11'`,
    );
    expect(row).toEqual({ raw_name: '汶上县䶮丰农业有限公司', uscc: U.yan });
    const [{ bad }] = await t.database.rows<{ bad: number }>(
      sql`select count(*)::int as bad from tax_payments where raw_name like '%' || chr(65533) || '%'`,
    );
    expect(bad).toBe(0);
  });
});

describe('an xlsx file whose workbook entry exceljs lost (exceljs/exceljs#3064) is read again', () => {
  const lost = () => new TypeError("Cannot read properties of undefined (reading 'sheets')");
  /** reads that fail as exceljs does `failures` times, then give two batches */
  const reads = (failures: number, log: number[]) =>
    async function* read(n: number) {
      log.push(n);
      if (n <= failures) throw lost();
      yield 'first';
      yield 'second';
    };
  const all = async (batches: AsyncGenerator<string>) => {
    const out: string[] = [];
    for await (const b of batches) out.push(b);
    return out;
  };

  it('before its first row, up to three reads in all; then the error stands', async () => {
    const log: number[] = [];
    expect(await all(readAgainWhenLost(reads(2, log)))).toEqual(['first', 'second']);
    expect(log).toEqual([1, 2, 3]);
    const three: number[] = [];
    await expect(all(readAgainWhenLost(reads(3, three)))).rejects.toThrow("reading 'sheets'");
    expect(three).toEqual([1, 2, 3]);
  });

  it('never after a row was given, for another error, or when the first read did not count the whole file', async () => {
    const afterRow = async function* (n: number) {
      yield `row of read ${n}`;
      throw lost();
    };
    await expect(all(readAgainWhenLost(afterRow))).rejects.toThrow("reading 'sheets'");
    const other: number[] = [];
    // biome-ignore lint/correctness/useYield: a read that fails before its first row
    const otherError = async function* (n: number) {
      other.push(n);
      throw new TypeError('something else');
    };
    await expect(all(readAgainWhenLost(otherError))).rejects.toThrow('something else');
    expect(other).toEqual([1]);
    const partial: number[] = [];
    await expect(all(readAgainWhenLost(reads(1, partial), () => false))).rejects.toThrow(
      "reading 'sheets'",
    );
    expect(partial).toEqual([1]);
  });
});
