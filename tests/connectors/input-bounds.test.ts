import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { UnreadableFileError } from '../../connectors/pipeline/errors.js';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { INPUT_LIMITS } from '../../connectors/pipeline/limits.js';
import { SOURCES } from '../../connectors/pipeline/source.js';
import { XLSX_CELL_MAX } from '../../lib/spreadsheet.js';
import { allQuarantinedRows, writeQuarantine } from '../../resolvers/quarantine-export.js';
import { testDbMode } from '../support/db.js';
import { committedBatches, countsOf, expectCountsAddUp, scratch, U } from './support.js';

const TAX_HEADER = '税票号码,纳税人识别号,纳税人名称,税款所属期,税种,实缴金额(元)\n';
const POWER_HEADER = '用电户号,户名,统一社会信用代码,抄表年月,用电量(千瓦时)\n';
const MB = 1 << 20;

/** Writes `head`, then `bytes` bytes of `fill` (a megabyte at a time: the test holds no big buffer), then `tail`. */
function writeFile(file: string, head: string, fill: string, bytes: number, tail = '') {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head);
    const piece = Buffer.alloc(MB, fill);
    for (let left = bytes; left > 0; left -= MB) writeSync(fd, piece, 0, Math.min(MB, left));
    writeSync(fd, tail);
  } finally {
    closeSync(fd);
  }
}

/** What `work` takes: its time, and the most the process's memory grew meanwhile (sampled every 10 ms). */
async function measured<T>(work: () => Promise<T>) {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  const started = Date.now();
  try {
    const result = await work().catch((error: unknown) => error);
    return { result, ms: Date.now() - started, grewMb: (peak - base) / MB };
  } finally {
    clearInterval(timer);
  }
}

describe(`the bounds of a file's lines and cells (${testDbMode()})`, () => {
  const s = scratch('edp-bounds-');

  const committed = () => committedBatches(s.t.database);

  it('documents its limits: a line of 1 MiB, a cell of 4096 characters', () => {
    expect(INPUT_LIMITS).toEqual({ maxLineBytes: MB, maxCellChars: 4096 });
  });

  it.each([
    ['a file of one 50 MB line (no header)', 'tax-payments', '', ''],
    [
      'a 50 MB line after the header and a row',
      'tax-payments',
      TAX_HEADER,
      'P1,,汶上县华力机电（集团）有限公司,2024-03,增值税,1.00\n',
    ],
    [
      'a 50 MB line in a power file (its fast reading)',
      'power',
      POWER_HEADER,
      `3700000001,汶上县华力机电（集团）有限公司,${U.huali},2024-01,1000\n`,
    ],
  ] as const)(
    'refuses %s within seconds, in bounded memory, loading nothing',
    async (_label, source, header, row) => {
      const file = path.join(s.dir, `long-${source}-${header.length}.csv`);
      writeFile(file, header + row, 'x', 50 * MB, '\n');
      const before = await committed();
      const { result, ms, grewMb } = await measured(() => ingestFile(s.t.database, source, file));
      expect(result).toBeInstanceOf(UnreadableFileError);
      const line = header ? (row ? 3 : 2) : 1;
      expect((result as Error).message).toMatch(
        new RegExp(`第 ${line} 行超过 1 MiB 仍未结束.*整个文件未导入`),
      );
      expect(ms).toBeLessThan(3000);
      expect(grewMb).toBeLessThan(100); // was 645 MB for the line without a header
      expect(await committed()).toBe(before);
    },
  );

  it('refuses a quoted cell never closed (short lines after it) once it runs past the line limit', async () => {
    const file = path.join(s.dir, 'open-quote.csv');
    // 3 MB of short lines inside the open quote
    writeFile(file, `${TAX_HEADER}P1,,"汶上县`, 'a short line,\n', 3 * MB);
    const { result, ms } = await measured(() => ingestFile(s.t.database, 'tax-payments', file));
    expect(result).toBeInstanceOf(UnreadableFileError);
    expect((result as Error).message).toMatch(/第 2 行起的带引号单元格超过 1 MiB 仍未闭合/);
    expect(ms).toBeLessThan(3000);
  });

  it('quarantines a row whose cell is over the limit, with its reason, and loads the rest (general and fast reading)', async () => {
    const long = `汶上县${'很'.repeat(5000)}有限公司`;
    const tax = path.join(s.dir, 'long-cell.csv');
    writeFile(
      tax,
      `${TAX_HEADER}L1,,${long},2024-03,增值税,1.00\nL2,${U.huali},汶上县华力机电（集团）有限公司,2024-03,增值税,2.00\n`,
      '',
      0,
    );
    const report = await ingestFile(s.t.database, 'tax-payments', tax);
    expect(countsOf(report)).toMatchObject({ read: 2, quarantined: 1 });
    await expectCountsAddUp(s.t.database, report);
    const [row] = await s.t.database.rows<{ row_number: number; reasons: string[] }>(
      sql`select row_number, reasons from quarantined_rows where batch_id = ${report.batchId}`,
    );
    expect(row).toEqual({
      row_number: 2,
      reasons: [
        '纳税人名称: 单元格有 5007 个字符，超过上限 4096（不像是部门系统导出的值），未入库',
      ],
    });

    const power = path.join(s.dir, 'long-power-cell.csv');
    const account = (n: number, name: string) => `${3700000000 + n},${name},,2024-05,1000\n`;
    writeFile(
      power,
      POWER_HEADER +
        account(1, '汶上县华力机电（集团）有限公司') +
        account(2, long) +
        account(3, '汶上县华力机电（集团）有限公司'),
      '',
      0,
    );
    for (const fastReading of [true, false]) {
      const p = await ingestFile(s.t.database, 'power', power, { fastReading });
      expect(countsOf(p)).toMatchObject({ read: 3, quarantined: 1 });
      const [q] = await s.t.database.rows<{ reasons: string[] }>(
        sql`select reasons from quarantined_rows where batch_id = ${p.batchId}`,
      );
      expect(q.reasons).toEqual([
        expect.stringMatching(/^户名: 单元格有 5007 个字符，超过上限 4096/),
      ]);
    }
  });

  it('writes a quarantined cell longer than Excel takes into the xlsx export cut, with its length; whole into the CSV', async () => {
    const long = `汶上县${'长'.repeat(40_000)}`;
    const file = path.join(s.dir, 'excel-long-cell.csv');
    writeFile(file, `${TAX_HEADER}X1,,${long},2024-03,增值税,1.00\n`, '', 0);
    const report = await ingestFile(s.t.database, 'tax-payments', file);
    expect(countsOf(report)).toMatchObject({ read: 1, quarantined: 1 });
    const rows = (
      await allQuarantinedRows(s.t.database, SOURCES, { batchId: report.batchId })
    ).filter((r) => r.batchId === report.batchId);
    const xlsx = path.join(s.dir, 'quarantine.xlsx');
    await writeQuarantine(rows, xlsx);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    const texts: string[] = [];
    book.worksheets[0].eachRow((row) => row.eachCell((cell) => texts.push(String(cell.value))));
    const cut = texts.find((text) => text.startsWith('汶上县长'));
    expect(cut?.length).toBe(XLSX_CELL_MAX);
    expect(cut).toMatch(
      /（共 40003 个字符，超出 Excel 单元格上限的部分未写出，完整内容见 CSV 导出）$/,
    );
    const csv = path.join(s.dir, 'quarantine.csv');
    await writeQuarantine(rows, csv);
    expect(readFileSync(csv, 'utf8')).toContain(long);
  });

  it('takes other limits when the load is given them', async () => {
    const file = path.join(s.dir, 'small-limits.csv');
    writeFile(file, `${TAX_HEADER}S1,,汶上县华力机电（集团）有限公司,2024-03,增值税,1.00\n`, '', 0);
    const report = await ingestFile(s.t.database, 'tax-payments', file, {
      limits: { maxCellChars: 10 },
    });
    expect(countsOf(report)).toMatchObject({ read: 1, quarantined: 1 });
    await expect(
      ingestFile(s.t.database, 'tax-payments', file, { limits: { maxLineBytes: 40 } }),
    ).rejects.toThrow(/第 1 行超过 40 字节 仍未结束/); // the header line
  });
});
