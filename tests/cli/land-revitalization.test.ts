import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliDatabase, edp } from '../auth/cli.js';
import { EXPECTED_2024, landCounty } from '../resolvers/land-seed.js';
import { testDbMode } from '../support/db.js';

describe(`edp land-revitalization (${testDbMode()})`, () => {
  let db: Awaited<ReturnType<typeof cliDatabase>>;
  let dir: string;

  beforeAll(async () => {
    db = await cliDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-land-cli-'));
    const database = await db.open();
    try {
      await landCounty().seed.insert(database);
    } finally {
      await database.close();
    }
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the xlsx with the list and its 汇总, and says what it wrote', async () => {
    const out = path.join(dir, '盘活-2024.xlsx');
    const run = await edp(['land-revitalization', '--year', '2024', '--out', out], db.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`已写出 ${out}：2024年盘活对象 12 家，在用土地合计 72.75 亩`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    expect(book.worksheets.map((s) => s.name)).toEqual(['盘活名单', '汇总']);
    const list = book.getWorksheet('盘活名单')!;
    const usccs = Array.from(
      { length: list.rowCount - 1 },
      (_, i) => list.getRow(i + 2).getCell(1).value,
    );
    expect(usccs).toEqual(EXPECTED_2024.map((e) => e[0]));
    const summary = book.getWorksheet('汇总')!;
    const cells = Array.from({ length: summary.rowCount }, (_, i) =>
      (summary.getRow(i + 1).values as unknown[]).slice(1),
    );
    expect(cells).toContainEqual(['合计', '全部类别（企业不重复计）', 12, 72.75]);
  });

  it('writes the CSV with one line per case', async () => {
    const out = path.join(dir, '盘活-2024.csv');
    const run = await edp(['land-revitalization', '--year', '2024', '--out', out], db.env);
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(out, 'utf8').slice(1).trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 8)).toEqual([
      '统一社会信用代码',
      '企业名称',
      '乡镇',
      '登记状态',
      '类别',
      '用地面积(亩)',
      '不动产单元号',
      '理由',
    ]);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(EXPECTED_2024.map((e) => e[0]));
  });

  it('refuses a year that is no year and a file that is neither xlsx nor csv', async () => {
    const txt = path.join(dir, 'x.txt');
    const wrongFile = await edp(['land-revitalization', '--year', '2024', '--out', txt], db.env);
    expect(wrongFile.code).not.toBe(0);
    expect(wrongFile.stderr).toContain('--out 须以 .xlsx 或 .csv 结尾');
    expect(existsSync(txt)).toBe(false);
    const wrongYear = await edp(
      ['land-revitalization', '--year', '24', '--out', path.join(dir, 'y.csv')],
      db.env,
    );
    expect(wrongYear.code).not.toBe(0);
    expect(wrongYear.stderr).toContain('--year 须为四位年份');
  });
});
