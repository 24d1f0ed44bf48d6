import { writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Database } from '../../db/client.js';
import {
  addStyledSheet,
  csvValues,
  csvWithBom,
  MONEY_FORMAT,
  type SheetColumn,
  writeWorkbook,
} from '../../lib/spreadsheet.js';
import { type LandInUse, profileLoaders } from '../profile.js';
import { landRevitalizationByTown, landRevitalizationCases } from './cases.js';
import {
  CATEGORY_NAMES,
  type CasePage,
  type LandRevitalizationCase,
  REVITALIZATION_CATEGORIES,
  type TownRevitalization,
} from './types.js';

/** One row of the land bureau's list: a case with the unit numbers behind its land. */
export interface RevitalizationRow {
  uscc: string;
  name: string;
  town: string;
  status: string;
  /** Chinese category names, joined by 、 */
  categories: string;
  /** 亩 */
  landAreaMu: number;
  /** 不动产单元号 of the parcels held, then of the leases in (承租) and out (出租) */
  unitNos: string;
  reasons: string;
  /** m² */
  landAreaM2: number;
  /** kWh of the year; null without a reading */
  electricityKwh: number | null;
  /** 元 of the year; null without a payment */
  taxPaidYuan: number | null;
}

export interface RevitalizationFile {
  year: number;
  rows: RevitalizationRow[];
  byTown: TownRevitalization[];
  totals: CasePage;
}

/** The columns a field clerk reads: the list's eight, then the figures behind the reasons. */
const COLUMNS: readonly (SheetColumn & { key: keyof RevitalizationRow })[] = [
  { header: '统一社会信用代码', key: 'uscc', width: 22 },
  { header: '企业名称', key: 'name', width: 34 },
  { header: '乡镇', key: 'town', width: 12 },
  { header: '登记状态', key: 'status', width: 10 },
  { header: '类别', key: 'categories', width: 26 },
  { header: '用地面积(亩)', key: 'landAreaMu', width: 14, numFmt: '#,##0.0000' },
  { header: '不动产单元号', key: 'unitNos', width: 40 },
  { header: '理由', key: 'reasons', width: 90 },
  { header: '用地面积(平方米)', key: 'landAreaM2', width: 16, numFmt: MONEY_FORMAT },
  { header: '用电量(千瓦时)', key: 'electricityKwh', width: 16, numFmt: '#,##0.00' },
  { header: '实缴税款(元)', key: 'taxPaidYuan', width: 16, numFmt: MONEY_FORMAT },
];

const m2 = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** "U1；U7（承租 1,000.00 平方米）": the units behind the land in use on Dec 31. */
function unitNos(land: LandInUse): string {
  return [
    ...land.parcels.map((p) => p.unitNo),
    ...land.leasesIn.map(
      (l) => `${l.unitNo ?? '（未填单元号）'}（承租 ${m2.format(Number(l.areaM2))} 平方米）`,
    ),
    ...land.leasesOut.map(
      (l) => `${l.unitNo ?? '（未填单元号）'}（出租 ${m2.format(Number(l.areaM2))} 平方米）`,
    ),
  ].join('；');
}

function toRow(c: LandRevitalizationCase, land: LandInUse): RevitalizationRow {
  return {
    uscc: c.uscc,
    name: c.name,
    town: c.town,
    status: c.status,
    categories: c.categories.map((k) => CATEGORY_NAMES[k]).join('、'),
    landAreaMu: c.landAreaMu,
    unitNos: unitNos(land),
    reasons: c.reasons.join('\n'),
    landAreaM2: c.landAreaM2,
    electricityKwh: c.electricityKwh,
    taxPaidYuan: c.taxPaidYuan,
  };
}

/**
 * Every case of `year` (largest land first) with its unit numbers, and the totals by town and
 * category: the list statement, the by-town statement and two for the parcels and leases of all cases.
 */
export async function revitalizationFile(
  database: Database,
  year: number,
): Promise<RevitalizationFile> {
  const totals = await landRevitalizationCases(database, { year }, { first: null });
  const byTown = await landRevitalizationByTown(database, year);
  const land = await profileLoaders(database).landInUse.loadMany(
    totals.cases.map((c) => `${c.uscc}|${year}-12-31`),
  );
  const rows = totals.cases.map((c, i) => {
    const found = land[i];
    if (found instanceof Error) throw found;
    return toRow(c, found);
  });
  return { year, rows, byTown, totals };
}

const rowValues = (r: RevitalizationRow) => COLUMNS.map((c) => r[c.key] as string | number | null);

/** Sheet 汇总: cases and 亩 by town and category, each category's total, and what was not judged. */
function addSummary(book: ExcelJS.Workbook, file: RevitalizationFile) {
  const sheet = addStyledSheet(book, '汇总', [
    { header: '乡镇', key: 'town', width: 16 },
    { header: '类别', key: 'category', width: 22 },
    { header: '企业数', key: 'cases', width: 10 },
    { header: '用地面积(亩)', key: 'areaMu', width: 16, numFmt: '#,##0.0000' },
  ]);
  for (const r of file.byTown)
    sheet.addRow([r.town, CATEGORY_NAMES[r.category], r.cases, r.areaMu]);
  for (const k of REVITALIZATION_CATEGORIES) {
    const mine = file.byTown.filter((r) => r.category === k);
    sheet.addRow([
      '合计',
      CATEGORY_NAMES[k],
      mine.reduce((s, r) => s + r.cases, 0),
      mine.reduce((s, r) => s + r.areaMu, 0),
    ]);
  }
  // an enterprise in two categories counts once here
  sheet.addRow([
    '合计',
    '全部类别（企业不重复计）',
    file.totals.totalCount,
    file.totals.totalAreaMu,
  ]);
  sheet.addRow([]);
  sheet.addRow([`${file.year}年12月31日在用土地；一家企业同时属于两个类别时在各类别中分别计入`]);
  for (const note of file.totals.notes) sheet.addRow([`说明：${note.text}`]);
}

/** The land bureau's spreadsheet: sheet 盘活名单 (one row per case) and 汇总 (by town and category). */
export async function writeRevitalizationXlsx(
  file: RevitalizationFile,
  out: string,
): Promise<void> {
  const book = new ExcelJS.Workbook();
  book.creator = '汶上县企业大数据平台';
  const list = addStyledSheet(book, '盘活名单', COLUMNS);
  for (const r of file.rows) list.addRow(rowValues(r));
  list.getColumn('reasons').alignment = { wrapText: true, vertical: 'top' };
  addSummary(book, file);
  await writeWorkbook(book, out);
}

/** The case rows alone as CSV (UTF-8 with BOM); reasons joined by ；. */
export async function writeRevitalizationCsv(file: RevitalizationFile, out: string): Promise<void> {
  await writeFile(
    out,
    csvWithBom(
      COLUMNS.map((c) => c.header),
      file.rows.map((r) =>
        csvValues(COLUMNS, rowValues({ ...r, reasons: r.reasons.replaceAll('\n', '；') })),
      ),
    ),
  );
}
