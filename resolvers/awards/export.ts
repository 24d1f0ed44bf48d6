import { writeFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { Database } from '../../db/client.js';
import {
  addStyledSheet,
  csvWithBom,
  MONEY_FORMAT,
  type SheetColumn,
  sheetName,
  wrappedHeight,
  writeWorkbook,
} from '../../lib/spreadsheet.js';
import { heldLines } from '../decisions/rounds.js';
import { type AwardOptions, type AwardSummaryRow, eligibleAnswers, summarize } from './engine.js';
import { sumYuan } from './format.js';
import type { BoundRule } from './ruleset.js';

/** The amount cell of an award whose amount another document sets (not an empty cell). */
const UNPRICED = '金额另定';

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
  /** 项目编号 of a per-project line; null otherwise */
  project: string | null;
  /** 已核定轮次: "第N轮（核定日期）" for a line an approved round holds; null for a new candidate */
  round: string | null;
  /** 轮次行号: the line id payments cite; null for a new candidate */
  lineId: number | null;
  /** 已兑现金额 (元) of a round line; null for a new candidate */
  paidYuan: number | null;
}

/** Per award code: what approved rounds hold and what has been paid on it. */
export interface HeldSummaryRow {
  lines: number;
  amountYuan: number;
  paidYuan: number;
}

export interface AwardExport {
  asOf: string;
  /** the award codes exported, in rule order (one sheet each, also when empty) */
  rules: BoundRule[];
  rows: AwardExportRow[];
  summary: AwardSummaryRow[];
  /** by ruleSet|code */
  held: Map<string, HeldSummaryRow>;
}

/**
 * The award list as of asOf for every code in force (or `options.codes`), with names and towns:
 * first the lines of rounds approved on or before asOf, with their round and what has been paid,
 * then the eligible candidates no round holds yet (one line per project for a per-project award).
 */
export async function awardExport(
  database: Database,
  asOf: string,
  options: AwardOptions = {},
): Promise<AwardExport> {
  const { rules, answers } = await eligibleAnswers(database, asOf, options);
  const codes = new Set(rules.map((b) => `${b.ruleSet.documentNo}|${b.rule.code}`));
  const held = (await heldLines(database, asOf, options.codes)).filter((l) =>
    codes.has(`${l.ruleSet}|${l.code}`),
  );
  const usccs = [...new Set([...held.map((l) => l.uscc), ...answers.map((a) => a.uscc)])];
  const names = new Map(
    usccs.length === 0
      ? []
      : (
          await database.rows<{ uscc: string; name: string; town: string | null }>(
            sql`select uscc, name, town from enterprises where uscc = any(${sql.param(usccs)}::text[])`,
          )
        ).map((r) => [r.uscc, r]),
  );
  const titles = new Map(
    rules.map((b) => [`${b.ruleSet.documentNo}|${b.rule.code}`, b.rule.title]),
  );
  const granted: AwardExportRow[] = held.map((l) => ({
    code: l.code,
    clause: l.clause,
    ruleSet: l.ruleSet,
    title: titles.get(`${l.ruleSet}|${l.code}`) ?? l.code,
    name: names.get(l.uscc)?.name ?? '',
    uscc: l.uscc,
    town: names.get(l.uscc)?.town ?? null,
    amountYuan: l.amountYuan === null ? null : Number(l.amountYuan),
    eventDate: l.eventDate,
    reasons: l.reasons,
    project: l.project || null,
    round: `第${l.roundId}轮（${l.roundAsOf}）`,
    lineId: l.id,
    paidYuan: l.paidYuan,
  }));
  const candidates = answers.flatMap((a): AwardExportRow[] =>
    (a.projects ?? [null]).map((p) => ({
      code: a.code,
      clause: a.clause,
      ruleSet: a.ruleSet,
      title: a.title,
      name: names.get(a.uscc)?.name ?? '',
      uscc: a.uscc,
      town: names.get(a.uscc)?.town ?? null,
      amountYuan: p ? p.amountYuan : a.amountYuan,
      eventDate: p ? p.eventDate : a.eventDate,
      reasons: a.reasons,
      project: p?.project ?? null,
      round: null,
      lineId: null,
      paidYuan: null,
    })),
  );
  const heldSummary = new Map<string, HeldSummaryRow>();
  for (const l of held) {
    const key = `${l.ruleSet}|${l.code}`;
    const s = heldSummary.get(key) ?? { lines: 0, amountYuan: 0, paidYuan: 0 };
    heldSummary.set(key, {
      lines: s.lines + 1,
      amountYuan: sumYuan([s.amountYuan, l.amountYuan === null ? null : Number(l.amountYuan)]),
      paidYuan: sumYuan([s.paidYuan, l.paidYuan]),
    });
  }
  return {
    asOf,
    rules,
    rows: [...granted, ...candidates],
    summary: summarize(rules, answers),
    held: heldSummary,
  };
}

/** The widths of the two reason columns: the short one a clerk scans, the full text beside it. */
const SHORT_REASON_WIDTH = 50;
const REASONS_WIDTH = 100;
/** The most characters of the short reason. */
const SHORT_REASON_MAX = 140;

const COLUMNS: SheetColumn[] = [
  { header: '奖励名称', key: 'title', width: 30 },
  { header: '奖励代码', key: 'code', width: 24 },
  { header: '企业名称', key: 'name', width: 36 },
  { header: '统一社会信用代码', key: 'uscc', width: 22 },
  { header: '所属乡镇', key: 'town', width: 14 },
  { header: '奖励金额(元)', key: 'amountYuan', width: 16, numFmt: MONEY_FORMAT },
  { header: '事件日期', key: 'eventDate', width: 12 },
  { header: '项目编号', key: 'project', width: 16 },
  { header: '政策文号', key: 'ruleSet', width: 20 },
  { header: '条款', key: 'clause', width: 6 },
  { header: '已核定轮次', key: 'round', width: 20 },
  { header: '轮次行号', key: 'lineId', width: 10 },
  { header: '已兑现金额(元)', key: 'paidYuan', width: 16, numFmt: MONEY_FORMAT },
  { header: '理由摘要', key: 'shortReason', width: SHORT_REASON_WIDTH },
  { header: '理由全文', key: 'reasons', width: REASONS_WIDTH },
];

const SUMMARY_COLUMNS: SheetColumn[] = [
  { header: '奖励名称', key: 'title', width: 48 },
  { header: '奖励代码', key: 'code', width: 26 },
  { header: '政策文号', key: 'ruleSet', width: 20 },
  { header: '条款', key: 'clause', width: 8 },
  { header: '企业数', key: 'candidates', width: 10 },
  { header: '金额合计(元)', key: 'totalAmountYuan', width: 18, numFmt: MONEY_FORMAT },
  { header: '金额另行确定的企业数', key: 'unpricedCandidates', width: 20 },
  { header: '已核定(行)', key: 'heldLines', width: 12 },
  { header: '已核定金额(元)', key: 'heldAmountYuan', width: 18, numFmt: MONEY_FORMAT },
  { header: '已兑现金额(元)', key: 'paidYuan', width: 18, numFmt: MONEY_FORMAT },
];

/**
 * The reasons in a line a clerk scans: what the award rests on, without the registration check, the
 * amount (both have their columns) and the item-by-item verdicts ("项目 … → 符合", a partner
 * factory "… → 计入"), at most SHORT_REASON_MAX characters; the full text is beside it.
 */
export function shortReason(reasons: readonly string[]): string {
  const own = reasons.filter((r) => !/^(本县登记企业，|奖励金额 )| → /.test(r));
  const text = (own.length > 0 ? own : reasons).join('；');
  return text.length <= SHORT_REASON_MAX ? text : `${text.slice(0, SHORT_REASON_MAX - 1)}…`;
}

/**
 * The spreadsheet: a summary sheet (汇总: per award, per clause, grand total) and one sheet per
 * award code with the candidates (enterprise, USCC, town, amount, event date, reasons). Awards
 * are named in Chinese with their code beside them, sheets too ("年营业收入首次突破5亿元（REVENUE_500M）",
 * shortened to Excel's 31 characters); the reasons come short and in full, wrapped, each row as
 * tall as its text. Header rows are styled and frozen.
 */
export async function writeAwardsXlsx(data: AwardExport, file: string): Promise<void> {
  const book = new ExcelJS.Workbook();
  book.creator = '汶上县企业大数据平台';
  const summary = addStyledSheet(book, '汇总', SUMMARY_COLUMNS);
  const heldOf = (s: AwardSummaryRow) => {
    const h = data.held.get(`${s.ruleSet}|${s.code}`) ?? { lines: 0, amountYuan: 0, paidYuan: 0 };
    return { heldLines: h.lines, heldAmountYuan: h.amountYuan, paidYuan: h.paidYuan };
  };
  for (const s of data.summary) summary.addRow({ ...s, ...heldOf(s) });
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
      heldLines: group.reduce((n, s) => n + heldOf(s).heldLines, 0),
      heldAmountYuan: sumYuan(group.map((s) => heldOf(s).heldAmountYuan)),
      paidYuan: sumYuan(group.map((s) => heldOf(s).paidYuan)),
    });
    row.font = { italic: true };
  }
  const grand = summary.addRow({
    title: `总计（查询日期 ${data.asOf}）`,
    candidates: data.summary.reduce((n, s) => n + s.candidates, 0),
    totalAmountYuan: sumYuan(data.summary.map((s) => s.totalAmountYuan)),
    unpricedCandidates: data.summary.reduce((n, s) => n + s.unpricedCandidates, 0),
    heldLines: data.summary.reduce((n, s) => n + heldOf(s).heldLines, 0),
    heldAmountYuan: sumYuan(data.summary.map((s) => heldOf(s).heldAmountYuan)),
    paidYuan: sumYuan(data.summary.map((s) => heldOf(s).paidYuan)),
  });
  grand.font = { bold: true };

  const used = new Set(['汇总']);
  const byCode = new Map(data.rules.map((b) => [b.rule.code, b.rule]));
  for (const [code, rule] of byCode) {
    const sheet = addStyledSheet(
      book,
      sheetName(rule.shortTitle ?? rule.title, code, used),
      COLUMNS,
    );
    for (const r of data.rows.filter((x) => x.code === code)) {
      const short = shortReason(r.reasons);
      const full = r.reasons.join('\n');
      const row = sheet.addRow({
        ...r,
        amountYuan: r.amountYuan ?? UNPRICED,
        shortReason: short,
        reasons: full,
      });
      row.alignment = { vertical: 'top', wrapText: true };
      row.height = Math.max(
        wrappedHeight(short, SHORT_REASON_WIDTH),
        wrappedHeight(full, REASONS_WIDTH),
      );
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
  '项目编号',
  '已核定轮次',
  '轮次行号',
  '已兑现金额',
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
      r.amountYuan === null ? UNPRICED : r.amountYuan.toFixed(2),
      r.eventDate,
      r.project,
      r.round,
      r.lineId === null ? null : String(r.lineId),
      r.paidYuan === null ? null : r.paidYuan.toFixed(2),
      r.reasons.join('；'),
    ]),
  );
}

export async function writeAwardsCsv(data: AwardExport, file: string): Promise<void> {
  await writeFile(file, awardsCsv(data), 'utf8');
}
