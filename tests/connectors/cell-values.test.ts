import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { testDbMode } from '../support/db.js';
import { countsOf, expectCountsAddUp, quarantinedRows, scratch, U } from './support.js';

const PENALTY_HEADER = '统一社会信用代码,企业名称,决定书文号,违法类型,处罚决定日期,罚没金额(元)';

describe(`cells whose value the file does not say (${testDbMode()})`, () => {
  const s = scratch('edp-cells-');

  const quarantined = (batchId: number) => quarantinedRows(s.t.database, batchId);

  it('quarantines a CSV date written as a spreadsheet serial number (45000), naming the day it may be', async () => {
    const file = path.join(s.dir, 'penalties-serial.csv');
    writeFileSync(
      file,
      `${PENALTY_HEADER}\n${U.textile},山东汶上纺织有限公司,罚〔2024〕1号,产品质量,45000,100.00\n` +
        `${U.textile},山东汶上纺织有限公司,罚〔2024〕2号,产品质量,2024-05-06,100.00\n`,
    );
    const report = await ingestFile(s.t.database, 'market-penalties', file);
    expect(countsOf(report)).toMatchObject({ read: 2, quarantined: 1 });
    await expectCountsAddUp(s.t.database, report);
    const [row] = await quarantined(report.batchId);
    expect(row.row_number).toBe(2);
    expect(row.reasons).toEqual([
      expect.stringMatching(/^处罚决定日期: "45000" 是数字，不是日期.*2023-03-15.*未按猜测入库/),
    ]);
    const stored = await s.t.database.rows<{ decided_on: string }>(
      sql`select decided_on::text from market_penalties order by decided_on`,
    );
    expect(stored).toEqual([{ decided_on: '2024-05-06' }]);
  });

  it('quarantines an xlsx row whose formula cell has no result, instead of loading "[object Object]"', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('处罚');
    sheet.addRow([...PENALTY_HEADER.split(','), '备注']);
    // a program that writes formulas without calculating them (no cached result in the file)
    sheet.addRow([
      U.textile,
      '山东汶上纺织有限公司',
      '罚〔2024〕3号',
      '产品质量',
      '2024-05-06',
      { formula: '100*2' },
    ]);
    sheet.addRow([
      U.textile,
      '山东汶上纺织有限公司',
      '罚〔2024〕4号',
      '产品质量',
      '2024-05-06',
      { formula: '100*3', result: 300 },
    ]);
    // a formula in a column the source ignores changes nothing
    sheet.addRow([
      U.textile,
      '山东汶上纺织有限公司',
      '罚〔2024〕5号',
      '产品质量',
      '2024-05-06',
      50,
      { formula: 'F4' },
    ]);
    const file = path.join(s.dir, 'penalties-formula.xlsx');
    await workbook.xlsx.writeFile(file);

    const report = await ingestFile(s.t.database, 'market-penalties', file);
    expect(countsOf(report)).toMatchObject({ read: 3, quarantined: 1 });
    await expectCountsAddUp(s.t.database, report);
    const [row] = await quarantined(report.batchId);
    expect(row.row_number).toBe(2);
    // first, the cause (the amount's own check then finds no amount in the formula)
    expect(row.reasons[0]).toMatch(/^罚没金额\(元\): 公式单元格没有计算结果（公式 "=100\*2"/);
    expect(row.raw['罚没金额(元)']).toBe('=100*2');
    const stored = await s.t.database.rows<{ decision_no: string; amount: string }>(
      sql`select decision_no, amount_yuan::text as amount from market_penalties where decision_no in ('罚〔2024〕3号', '罚〔2024〕4号', '罚〔2024〕5号') order by decision_no`,
    );
    expect(stored).toEqual([
      { decision_no: '罚〔2024〕4号', amount: '300.00' },
      { decision_no: '罚〔2024〕5号', amount: '50.00' },
    ]);
  });
});
