import { writeFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { Database } from '../../db/client.js';
import {
  addStyledSheet,
  csvWithBom,
  MONEY_FORMAT,
  type SheetColumn,
  writeWorkbook,
} from '../../lib/spreadsheet.js';
import { type AwardOptions, type AwardSummaryRow, eligibleAnswers, summarize } from './engine.js';
import { sumYuan } from './format.js';
import type { BoundRule } from './ruleset.js';

/** One candidate line of the finance bureau's list (财政局 兑现清单). */
export interface AwardExportRow {
  code: string;
  clause: string;
  ruleSet: string;
  title: string;
  name: string;
  uscc: string;
  town: string | null;
  /** 元; null when the amount is set by another document */
  amountYuan: number | null;
  eventDate: string | null;
  reasons: string[];
}

export interface AwardExport {
  asOf: string;
  /** the award codes exported, in rule order (one sheet each, also when empty) */
  rules: BoundRule[];
  rows: AwardExportRow[];
  summary: AwardSummaryRow[];
}

/** The eligible candidates of every code in force as of asOf (or of `options.codes`), with names and towns. */
export async function awardExport(
  database: Database,
  asOf: string,
  options: AwardOptions = {},
): Promise<AwardExport> {
  const { rules, answers } = await eligibleAnswers(database, asOf, options);
  const usccs = [...new Set(answers.map((a) => a.uscc))];
  const names = new Map(
    usccs.length === 0
      ? []
      : (
          await database.rows<{ uscc: string; name: string; town: string | null }>(
            sql`select uscc, name, town from enterprises where uscc = any(${sql.param(usccs)}::text[])`,
          )
        ).map((r) => [r.uscc, r]),
  );
  const rows = answers.map((a) => ({
    code: a.code,
    clause: a.clause,
    ruleSet: a.ruleSet,
    title: a.title,
    name: names.get(a.uscc)?.name ?? '',
    uscc: a.uscc,
    town: names.get(a.uscc)?.town ?? null,
    amountYuan: a.amountYuan,
    eventDate: a.eventDate,
    reasons: a.reasons,
  }));
  return { asOf, rules, rows, summary: summarize(rules, answers) };
}

const COLUMNS: SheetColumn[] = [
  { header: '企业名称', key: 'name', width: 36 },
  { header: '统一社会信用代码', key: 'uscc', width: 22 },
  { header: '所属乡镇', key: 'town', width: 14 },
  { header: '奖励金额(元)', key: 'amountYuan', width: 16, numFmt: MONEY_FORMAT },
  { header: '事件日期', key: 'eventDate', width: 12 },
  { header: '政策文号', key: 'ruleSet', width: 20 },
  { header: '条款', key: 'clause', width: 6 },
  { header: '理由', key: 'reasons', width: 100 },
];

const SUMMARY_COLUMNS: SheetColumn[] = [
  { header: '政策文号', key: 'ruleSet', width: 20 },
  { header: '条款', key: 'clause', width: 8 },
  { header: '奖励代码', key: 'code', width: 26 },
  { header: '奖励名称', key: 'title', width: 48 },
  { header: '企业数', key: 'candidates', width: 10 },
  { header: '金额合计(元)', key: 'totalAmountYuan', width: 18, numFmt: MONEY_FORMAT },
  { header: '金额另行确定的企业数', key: 'unpricedCandidates', width: 20 },
];

/**
 * The spreadsheet: a summary sheet (汇总: per code, per clause, grand total) and one sheet per
 * award code with the candidates (enterprise, USCC, town, amount, event date, reasons).
 * Header rows are styled and frozen.
 */
export async function writeAwardsXlsx(data: AwardExport, file: string): Promise<void> {
  const book = new ExcelJS.Workbook();
  book.creator = '汶上县企业大数据平台';
  const summary = addStyledSheet(book, '汇总', SUMMARY_COLUMNS);
  for (const s of data.summary) summary.addRow(s);
  summary.addRow([]);
  const clauses = new Map<string, AwardSummaryRow[]>();
  for (const s of data.summary)
    clauses.set(`${s.ruleSet}|${s.clause}`, [
      ...(clauses.get(`${s.ruleSet}|${s.clause}`) ?? []),
      s,
    ]);
  for (const group of clauses.values()) {
    const row = summary.addRow({
      ruleSet: group[0].ruleSet,
      clause: group[0].clause,
      title: `第${group[0].clause}条 合计`,
      candidates: group.reduce((n, s) => n + s.candidates, 0),
      totalAmountYuan: sumYuan(group.map((s) => s.totalAmountYuan)),
      unpricedCandidates: group.reduce((n, s) => n + s.unpricedCandidates, 0),
    });
    row.font = { italic: true };
  }
  const grand = summary.addRow({
    title: `总计（查询日期 ${data.asOf}）`,
    candidates: data.summary.reduce((n, s) => n + s.candidates, 0),
    totalAmountYuan: sumYuan(data.summary.map((s) => s.totalAmountYuan)),
    unpricedCandidates: data.summary.reduce((n, s) => n + s.unpricedCandidates, 0),
  });
  grand.font = { bold: true };

  for (const code of [...new Set(data.rules.map((b) => b.rule.code))]) {
    const sheet = addStyledSheet(book, code, COLUMNS);
    for (const r of data.rows.filter((x) => x.code === code)) {
      sheet.addRow({ ...r, reasons: r.reasons.join('\n') }).alignment = {
        vertical: 'top',
        wrapText: true,
      };
    }
  }
  await writeWorkbook(book, file);
}

const CSV_HEADER = [
  '奖励代码',
  '条款',
  '政策文号',
  '奖励名称',
  '企业名称',
  '统一社会信用代码',
  '所属乡镇',
  '奖励金额(元)',
  '事件日期',
  '理由',
];

/** The same candidate rows as one CSV with a code column: UTF-8 with BOM (Excel opens it right), CRLF lines. */
export function awardsCsv(data: AwardExport): string {
  return csvWithBom(
    CSV_HEADER,
    data.rows.map((r) => [
      r.code,
      r.clause,
      r.ruleSet,
      r.title,
      r.name,
      r.uscc,
      r.town,
      r.amountYuan === null ? null : r.amountYuan.toFixed(2),
      r.eventDate,
      r.reasons.join('；'),
    ]),
  );
}

export async function writeAwardsCsv(data: AwardExport, file: string): Promise<void> {
  await writeFile(file, awardsCsv(data), 'utf8');
}
