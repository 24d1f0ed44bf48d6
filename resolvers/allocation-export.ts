import { writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import {
  addStyledSheet,
  csvValues,
  csvWithBom,
  MONEY_FORMAT,
  type SheetColumn,
  writeWorkbook,
} from '../lib/spreadsheet.js';
import { type CountyAllocation, type SurchargeRow, surchargeList } from './allocation.js';
import { sumYuan } from './awards/format.js';

/** The utility file's columns, in the order a billing clerk loads them. */
const COLUMNS: readonly (SheetColumn & { key: keyof SurchargeRow })[] = [
  { header: '用电户号', key: 'accountNo', width: 16 },
  { header: '户名', key: 'accountName', width: 30 },
  { header: '企业名称', key: 'enterpriseName', width: 34 },
  { header: '统一社会信用代码', key: 'uscc', width: 22 },
  { header: '评价等级', key: 'grade', width: 10 },
  { header: '连续D类年数', key: 'consecutiveDYears', width: 12 },
  { header: '加价标准(元/千瓦时)', key: 'rateYuanPerKwh', width: 18, numFmt: '0.00' },
  { header: '用电量(千瓦时)', key: 'kwh', width: 18, numFmt: '#,##0.00' },
  { header: '预计加价金额(元)', key: 'estimatedSurchargeYuan', width: 18, numFmt: MONEY_FORMAT },
];

export interface SurchargeFile {
  year: number;
  /** where the grades of `year` come from, as the 汇总 sheet names it */
  gradesFrom: string;
  appliesInYear: number;
  rows: SurchargeRow[];
  withoutAccounts: {
    uscc: string;
    name: string;
    consecutiveDYears: number;
    rate: number;
    reason: string;
  }[];
  totals: { enterprises: number; accounts: number; kwh: number; estimatedSurchargeYuan: number };
}

/** The surcharge list for the grades of `county.year`, with totals (kWh and 元 summed exactly in hundredths). */
export function surchargeFile(county: CountyAllocation): SurchargeFile {
  const { rows, withoutAccounts } = surchargeList(county);
  // readings carry at most two decimals, so kWh are summed exactly the same way as 元
  const kwh = sumYuan(rows.map((r) => r.kwh));
  const source = county.sources.find((s) => s.year === county.year);
  return {
    year: county.year,
    gradesFrom: source?.runId
      ? `${county.year}年度正式评价结果 第${source.runId}号`
      : `实时评价（${county.year}年度尚无正式评价结果）`,
    appliesInYear: county.year + 1,
    rows,
    withoutAccounts: withoutAccounts.map((a) => ({
      uscc: a.uscc,
      name: a.name,
      consecutiveDYears: a.consecutiveDYears,
      rate: a.surchargeYuanPerKwh!,
      reason: '未关联用电户号: no electricity account is linked to this enterprise',
    })),
    totals: {
      enterprises: new Set(rows.map((r) => r.uscc)).size,
      accounts: rows.length,
      kwh,
      estimatedSurchargeYuan: sumYuan(rows.map((r) => r.estimatedSurchargeYuan)),
    },
  };
}

const rowValues = (r: SurchargeRow) => COLUMNS.map((c) => r[c.key] as string | number | null);

/**
 * The power company's spreadsheet: sheet 差别电价名单 (one row per account, sorted by account number,
 * the format the billing clerk loads), 汇总 (totals) and 无用电户号 (surcharged firms without an account).
 */
export async function writeSurchargeXlsx(file: SurchargeFile, out: string): Promise<void> {
  const book = new ExcelJS.Workbook();
  book.creator = '汶上县企业大数据平台';
  const list = addStyledSheet(book, '差别电价名单', COLUMNS);
  for (const r of file.rows) list.addRow(rowValues(r));
  const summary = addStyledSheet(book, '汇总', [
    { header: '项目', key: 'item', width: 30 },
    { header: '数值', key: 'value', width: 22, numFmt: '#,##0.00' },
  ]);
  summary.addRow([`评价年度`, file.year]);
  summary.addRow([`执行年度`, file.appliesInYear]);
  summary.addRow(['评价结果', file.gradesFrom]);
  summary.addRow(['加价企业数', file.totals.enterprises]);
  summary.addRow(['用电户数', file.totals.accounts]);
  summary.addRow([`${file.year}年用电量合计(千瓦时)`, file.totals.kwh]);
  summary.addRow(['预计加价金额合计(元)', file.totals.estimatedSurchargeYuan]);
  summary.addRow(['未关联用电户号的加价企业数', file.withoutAccounts.length]);
  const missing = addStyledSheet(book, '无用电户号', [
    { header: '统一社会信用代码', key: 'uscc', width: 22 },
    { header: '企业名称', key: 'name', width: 34 },
    { header: '连续D类年数', key: 'consecutiveDYears', width: 12 },
    { header: '加价标准(元/千瓦时)', key: 'rate', width: 18, numFmt: '0.00' },
    { header: '说明', key: 'reason', width: 60 },
  ]);
  for (const m of file.withoutAccounts) missing.addRow(m);
  await writeWorkbook(book, out);
}

/** The account rows alone as CSV (UTF-8 with BOM), the utility's load format. */
export async function writeSurchargeCsv(file: SurchargeFile, out: string): Promise<void> {
  await writeFile(
    out,
    csvWithBom(
      COLUMNS.map((c) => c.header),
      file.rows.map((r) => csvValues(COLUMNS, rowValues(r))),
    ),
  );
}
