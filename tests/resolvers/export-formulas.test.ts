import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvWithBom, safeCell, writeWorkbook } from '../../lib/spreadsheet.js';
import { writeSurchargeCsv, writeSurchargeXlsx } from '../../resolvers/allocation-export.js';
import { awardExport, writeAwardsCsv, writeAwardsXlsx } from '../../resolvers/awards/export.js';
import {
  writeRevitalizationCsv,
  writeRevitalizationXlsx,
} from '../../resolvers/land-revitalization/export.js';
import { writeQuarantine } from '../../resolvers/quarantine-export.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { addDesignation, addEnterprise } from './awards-seed.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Names a register could hold that a spreadsheet would run (OWASP CSV injection). */
const HOSTILE = [
  "=cmd|' /C calc'!A0",
  '=HYPERLINK("http://127.0.0.1/x","点击")',
  '+1+cmd|calc',
  '-2+3',
  '@SUM(1,1)',
  '\t=1+1',
  '\r=1+1',
];

/** Text a spreadsheet would take for a formula (a plain signed number is not). */
const formulaLike = (x: string) => /^[=+\-@\t\r]/.test(x) && !/^[+-]?[\d,]*\.?\d+$/.test(x);

/** Every text cell of every sheet of an xlsx file. */
async function xlsxTexts(file: string): Promise<string[]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(file);
  const texts: string[] = [];
  for (const sheet of book.worksheets)
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
        if (typeof cell.value === 'string') texts.push(cell.value);
      }),
    );
  return texts;
}

/** No cell of a CSV begins with a character that starts a formula. */
function expectCsvInert(text: string) {
  for (const line of text.replace(/^\uFEFF/, '').split('\r\n'))
    for (const cell of line.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []) {
      const value = cell.replace(/,$/, '').replace(/^"|"$/g, '');
      if (/^[+-]?[\d,]*\.?\d+$/.test(value)) continue;
      expect(value).not.toMatch(/^[=+\-@\t\r]/);
    }
}

describe('the shared neutralisation of spreadsheet cells', () => {
  it('prefixes every formula start with a quote and leaves numbers and ordinary text alone', () => {
    for (const h of HOSTILE) expect(safeCell(h)).toBe(`'${h}`);
    for (const plain of ['-1,250.00', '+12', '-0.5', '汶上县甲企业', '', "'=x"])
      expect(safeCell(plain)).toBe(plain);
    expect(safeCell(safeCell(HOSTILE[0]))).toBe(`'${HOSTILE[0]}`);
  });

  it('csvWithBom neutralises text cells and keeps negative numbers as numbers', () => {
    const text = csvWithBom(
      ['名称', '金额'],
      [
        [HOSTILE[0], -1250.5],
        ['-2+3', null],
      ],
    );
    expect(text).toBe(`\uFEFF名称,金额\r\n'=cmd|' /C calc'!A0,-1250.5\r\n'-2+3,\r\n`);
  });

  it('writeWorkbook neutralises every sheet’s text cells', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'edp-formula-'));
    try {
      const book = new ExcelJS.Workbook();
      book.addWorksheet('a').addRow([HOSTILE[1], 3]);
      book.addWorksheet('b').addRow([-4, HOSTILE[4]]);
      await writeWorkbook(book, path.join(dir, 'x.xlsx'));
      const texts = await xlsxTexts(path.join(dir, 'x.xlsx'));
      expect(texts).toEqual([`'${HOSTILE[1]}`, `'${HOSTILE[4]}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is the only way the platform writes a spreadsheet', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const file = path.join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (file.endsWith('.ts')) {
          const text = readFileSync(file, 'utf8');
          if (/xlsx\.write(File|Buffer)|\.xlsx\.write\(/.test(text)) offenders.push(file);
        }
      }
    };
    for (const dir of ['cli', 'resolvers', 'server', 'connectors', 'schema'])
      walk(path.join(ROOT, dir));
    expect(offenders).toEqual([]);
  });
});

describe(`every export keeps a hostile name as text (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-formula-'));
    for (const name of HOSTILE) {
      const uscc = await addEnterprise(t.database, { name, town: '=1+1' });
      await addDesignation(t.database, uscc, '省级智能工厂', '2023-05-05');
    }
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the award list (CSV and xlsx)', async () => {
    const data = await awardExport(t.database, '2024-06-30');
    expect(data.rows.map((r) => r.name).sort()).toEqual([...HOSTILE].sort());
    await writeAwardsCsv(data, path.join(dir, 'awards.csv'));
    const csv = readFileSync(path.join(dir, 'awards.csv'), 'utf8');
    expectCsvInert(csv);
    expect(csv).toContain(`'=cmd|' /C calc'!A0`);
    await writeAwardsXlsx(data, path.join(dir, 'awards.xlsx'));
    const texts = await xlsxTexts(path.join(dir, 'awards.xlsx'));
    expect(texts).toContain(`'${HOSTILE[1]}`);
    expect(texts.filter(formulaLike)).toEqual([]);
  });

  it('the surcharge list (CSV and xlsx)', async () => {
    const file = {
      year: 2024,
      gradesFrom: '实时评价',
      appliesInYear: 2025,
      rows: HOSTILE.map((name, i) => ({
        accountNo: `@P000${i}`,
        accountName: name,
        enterpriseName: name,
        uscc: `9137083000000000${i}X`,
        grade: 'D' as const,
        consecutiveDYears: 1,
        rateYuanPerKwh: 0.05,
        kwh: 1000,
        estimatedSurchargeYuan: -50,
      })),
      withoutAccounts: [
        {
          uscc: '91370830000000009X',
          name: HOSTILE[0],
          consecutiveDYears: 1,
          rate: 0.05,
          reason: '-',
        },
      ],
      totals: { enterprises: 7, accounts: 7, kwh: 7000, estimatedSurchargeYuan: 350 },
    };
    await writeSurchargeCsv(file, path.join(dir, 's.csv'));
    const csv = readFileSync(path.join(dir, 's.csv'), 'utf8');
    expectCsvInert(csv);
    expect(csv).toContain(',-50.00\r\n');
    await writeSurchargeXlsx(file, path.join(dir, 's.xlsx'));
    const texts = await xlsxTexts(path.join(dir, 's.xlsx'));
    expect(texts).toContain(`'@P0000`);
    expect(texts.filter(formulaLike)).toEqual([]);
  });

  it('the land revitalization list (CSV and xlsx)', async () => {
    const file = {
      year: 2024,
      rows: HOSTILE.map((name, i) => ({
        uscc: `9137083000000000${i}X`,
        name,
        town: '=A1',
        status: '存续',
        categories: '闲置土地',
        landAreaMu: 15,
        unitNos: '+370830',
        reasons: `${name}\n=2`,
        landAreaM2: 10000,
        electricityKwh: null,
        taxPaidYuan: -3,
      })),
      byTown: [],
      totals: {
        totalCount: 7,
        totalAreaMu: 105,
        cases: [],
        hasNextPage: false,
        cursors: [],
        notes: [],
      },
    };
    await writeRevitalizationCsv(file, path.join(dir, 'l.csv'));
    expectCsvInert(readFileSync(path.join(dir, 'l.csv'), 'utf8'));
    await writeRevitalizationXlsx(file, path.join(dir, 'l.xlsx'));
    const texts = await xlsxTexts(path.join(dir, 'l.xlsx'));
    expect(texts.filter(formulaLike)).toEqual([]);
  });

  it('the quarantine export (CSV and xlsx)', async () => {
    const rows = HOSTILE.map((name, i) => ({
      id: i + 1,
      batchId: 1,
      source: 'market-registry',
      fileName: '=x.csv',
      rowNumber: i + 2,
      raw: [{ column: '企业名称', value: name }],
      reasons: ['统一社会信用代码校验位错误'],
      supersededBy: null,
    }));
    await writeQuarantine(rows, path.join(dir, 'q.csv'));
    expectCsvInert(readFileSync(path.join(dir, 'q.csv'), 'utf8'));
    await writeQuarantine(rows, path.join(dir, 'q.xlsx'));
    const texts = await xlsxTexts(path.join(dir, 'q.xlsx'));
    expect(texts).toContain(`'${HOSTILE[0]}`);
    expect(texts.filter(formulaLike)).toEqual([]);
  });
});
