import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  revitalizationFile,
  writeRevitalizationCsv,
  writeRevitalizationXlsx,
} from '../../resolvers/land-revitalization/export.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { EXPECTED_2024, L, landCounty } from './land-seed.js';

const HEADER = [
  '统一社会信用代码',
  '企业名称',
  '乡镇',
  '登记状态',
  '类别',
  '用地面积(亩)',
  '不动产单元号',
  '理由',
  '用地面积(平方米)',
  '用电量(千瓦时)',
  '实缴税款(元)',
];

describe(`the land bureau's revitalization files (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  let leasedUnit: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    const county = landCounty();
    leasedUnit = county.leasedUnit;
    await county.seed.insert(t.database);
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-land-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the spreadsheet, and it reads back with the list and the 汇总 by town and category', async () => {
    const file = await revitalizationFile(t.database, 2024);
    const out = path.join(dir, 'land-2024.xlsx');
    await writeRevitalizationXlsx(file, out);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(out);
    expect(book.worksheets.map((s) => s.name)).toEqual(['盘活名单', '汇总']);
    const list = book.getWorksheet('盘活名单')!;
    expect((list.getRow(1).values as unknown[]).slice(1)).toEqual(HEADER);
    const rows = Array.from({ length: list.rowCount - 1 }, (_, i) =>
      (list.getRow(i + 2).values as unknown[]).slice(1),
    );
    expect(rows.map((r) => [r[0], r[5]])).toEqual(EXPECTED_2024.map((e) => [e[0], e[1]]));
    const di = rows.find((r) => r[0] === L.DI)!;
    expect(di[4]).toBe('疑似闲置、低效用地');
    expect(String(di[7]).split('\n')).toHaveLength(2);
    const lessee = rows.find((r) => r[0] === L.LE)!;
    expect(lessee[6]).toBe(`${leasedUnit}（承租 1,000.00 平方米）`);
    const r1 = rows.find((r) => r[0] === L.R1)!;
    expect(r1.slice(1, 5)).toEqual([
      '已注销戊铸造有限公司',
      '寅寺镇',
      '注销',
      '主体注销/吊销仍占地',
    ]);
    expect(r1[8]).toBe(10_000);

    const summary = book.getWorksheet('汇总')!;
    const cells = Array.from({ length: summary.rowCount }, (_, i) =>
      (summary.getRow(i + 1).values as unknown[]).slice(1),
    );
    expect(cells[0]).toEqual(['乡镇', '类别', '企业数', '用地面积(亩)']);
    expect(cells).toContainEqual(['南旺镇', '低效用地', 2, 30]);
    expect(cells).toContainEqual(['中都街道', '疑似闲置', 6, 9]);
    expect(cells).toContainEqual(['合计', '疑似闲置', 7, 24]);
    expect(cells).toContainEqual(['合计', '低效用地', 3, 45]);
    expect(cells).toContainEqual(['合计', '主体注销/吊销仍占地', 3, 18.75]);
    // the whole list: each enterprise once
    expect(cells).toContainEqual(['合计', '全部类别（企业不重复计）', 12, 72.75]);
    const listed = rows.reduce((s, r) => s + Number(r[5]), 0);
    expect(listed).toBe(72.75);
  });

  it('writes the CSV with a BOM, one line per case', async () => {
    const file = await revitalizationFile(t.database, 2024);
    const out = path.join(dir, 'land-2024.csv');
    await writeRevitalizationCsv(file, out);
    const text = readFileSync(out, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe(HEADER.join(','));
    expect(lines).toHaveLength(13);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(EXPECTED_2024.map((e) => e[0]));
    const di = lines.find((l) => l.startsWith(L.DI))!;
    expect(di).toContain('疑似闲置、低效用地');
    expect(di).toContain('；亩产效益2024年评为D类');
    // money one way in every export: to the fen, no grouping (as the awards and surcharge lists)
    expect(HEADER.at(-1)).toBe('实缴税款(元)');
    const paid = lines.slice(1).map((l) => l.split(',').at(-1));
    expect(paid.filter((v) => v !== '').length).toBeGreaterThan(0);
    for (const v of paid) expect(v).toMatch(/^(-?\d+\.\d{2})?$/);
  });
});
