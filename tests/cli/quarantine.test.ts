import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { cliDatabase, edp } from '../auth/cli.js';
import { fixture, U } from '../connectors/support.js';
import { testDbMode } from '../support/db.js';

describe(`edp quarantine (${testDbMode()})`, () => {
  let db: Awaited<ReturnType<typeof cliDatabase>>;
  let taxBatch = 0;
  const out = (name: string) => path.join(os.tmpdir(), `edp-quarantine-${process.pid}-${name}`);

  beforeAll(async () => {
    db = await cliDatabase();
    const database = await db.open();
    try {
      await ingestFile(database, 'market-registry', fixture('registry.csv'));
      await ingestFile(database, 'market-registry', fixture('registry-bad.csv'));
      taxBatch = (await ingestFile(database, 'tax-payments', fixture('tax-payments.csv'))).batchId;
      await ingestFile(database, 'power', fixture('power.csv'));
    } finally {
      await database.close();
    }
  }, 120_000);
  afterAll(() => db?.drop());

  it('prints each row with batch, file, row number, raw content and every reason', async () => {
    const { code, stdout } = await edp(['quarantine', '--source', 'tax-payments'], db.env);
    expect(code).toBe(0);
    expect(stdout).toContain(`批次 #${taxBatch} 税务局 实缴税款 tax-payments.csv 第 16 行`);
    expect(stdout).toContain('税票号码=Q01');
    expect(stdout).toMatch(/原因：.*2024-13/);
    expect(stdout).toMatch(/共 2 行隔离记录\n$/);
    expect(stdout).not.toContain('用电量');
  });

  it('writes a CSV (UTF-8 with BOM) and an xlsx with a sheet per source, Chinese headers', async () => {
    const csv = out('rows.csv');
    expect(
      (await edp(['quarantine', '--batch', String(taxBatch), '--out', csv], db.env)).code,
    ).toBe(0);
    const text = readFileSync(csv, 'utf8');
    expect(text.startsWith('\uFEFF数据源,批次号,文件名,行号,隔离原因,税票号码,纳税人识别号')).toBe(
      true,
    );
    expect(text.trim().split('\r\n')).toHaveLength(3);

    const xlsx = out('rows.xlsx');
    const written = await edp(['quarantine', '--out', xlsx], db.env);
    expect(written.code).toBe(0);
    expect(written.stdout).toMatch(/已将 \d+ 行隔离记录写入/);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    expect(book.worksheets.map((s) => s.name).sort()).toEqual(
      ['供电公司 用电量隔离行', '市场监管局 企业登记隔离行', '税务局 实缴税款隔离行'].sort(),
    );
    const sheet = book.getWorksheet('税务局 实缴税款隔离行')!;
    expect(sheet.getRow(1).getCell(6).value).toBe('税票号码');
    expect(sheet.rowCount).toBe(3);
  });

  it('leaves the rows a later load superseded out of the file it writes, and says how many', async () => {
    const header =
      '纳税人识别号,纳税人名称,年度,营业收入(元),软件业务收入(元),研发费用(元),年平均从业人数';
    const file = (name: string, rows: string[]) => {
      const p = out(name);
      writeFileSync(p, `${[header, ...rows].join('\n')}\n`);
      return p;
    };
    const database = await db.open();
    let first = 0;
    let corrected = 0;
    try {
      // rows 2 and 3 are bad; the corrected file loads row 2's record
      first = (
        await ingestFile(
          database,
          'tax-annual',
          file('annual.csv', [
            `${U.textile},汶上县纺织有限公司,2024,一千,,,`,
            `${U.xinhua},汶上县新华有限公司,2024,-,,,`,
          ]),
        )
      ).batchId;
      corrected = (
        await ingestFile(
          database,
          'tax-annual',
          file('annual-更正.csv', [`${U.textile},汶上县纺织有限公司,2024,1000.00,,,`]),
        )
      ).quarantineSuperseded!;
    } finally {
      await database.close();
    }
    expect(corrected).toBe(1);
    // printed: the batch's every row, the superseded one marked
    const printed = await edp(['quarantine', '--batch', String(first)], db.env);
    expect(printed.stdout).toMatch(/第 2 行（已被批次 #\d+ 取代）/);
    expect(printed.stdout).toContain('共 2 行隔离记录');
    // written for the department: only the row still to correct
    const csv = out('annual-rows.csv');
    const written = await edp(['quarantine', '--batch', String(first), '--out', csv], db.env);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain(
      `已将 1 行隔离记录写入 ${csv}；另有 1 行已被后来的批次取代（重新载入或已更正），未写入`,
    );
    const lines = readFileSync(csv, 'utf8').trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(U.xinhua);
  });

  it('refuses an unknown source and an output it cannot write, with a non-zero exit', async () => {
    const unknown = await edp(['quarantine', '--source', 'nope'], db.env);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('未知数据源');
    const bad = await edp(['quarantine', '--out', out('rows.txt')], db.env);
    expect(bad.code).not.toBe(0);
  });
});
