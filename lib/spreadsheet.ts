import type ExcelJS from 'exceljs';
import { yuanCell } from './money.js';

export interface SheetColumn {
  header: string;
  key: string;
  width: number;
  /** an Excel number format, e.g. '#,##0.00' for 元 */
  numFmt?: string;
}

/** 元 with thousands separators and two decimals. */
export const MONEY_FORMAT = '#,##0.00';

/** A worksheet with its columns and a styled header row frozen in place. */
export function addStyledSheet(
  book: ExcelJS.Workbook,
  name: string,
  columns: readonly SheetColumn[],
): ExcelJS.Worksheet {
  const sheet = book.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    key: c.key,
    width: c.width,
    style: c.numFmt ? { numFmt: c.numFmt } : {},
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true, color: { argb: 'FFFFFFFF' } };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F4E79' } };
  header.alignment = { vertical: 'middle', horizontal: 'center' };
  return sheet;
}

/**
 * A cell a spreadsheet would take for a formula (OWASP "CSV injection": text beginning with =, +, -,
 * @, a tab or a carriage return, from a department file or a client) is written with a leading ' so
 * that it stays text; a plain number (-1,250.00, a refund) stays as it is. Every CSV and xlsx the
 * platform writes passes its text cells through here.
 */
export const safeCell = (text: string) =>
  /^[=+\-@\t\r]/.test(text) && !/^[+-]?[\d,]*\.?\d+$/.test(text) ? `'${text}` : text;

const csvField = (value: string) =>
  /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;

/**
 * CSV text for Excel: UTF-8 with BOM, CRLF line ends, fields quoted where needed, text that would
 * start a formula neutralised ({@link safeCell}).
 */
export function csvWithBom(
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  const lines = [header, ...rows].map((r) =>
    r.map((v) => csvField(v === null ? '' : safeCell(String(v)))).join(','),
  );
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** The most characters an xlsx cell holds (Excel refuses to open a file with a longer one). */
export const XLSX_CELL_MAX = 32_767;

/**
 * Text cut to {@link XLSX_CELL_MAX} with a note of its length (a quarantined cell may be as long as a
 * line of its file); the CSV export keeps it whole.
 */
export function withinCellLimit(text: string): string {
  if (text.length <= XLSX_CELL_MAX) return text;
  const note = `……（共 ${text.length} 个字符，超出 Excel 单元格上限的部分未写出，完整内容见 CSV 导出）`;
  return text.slice(0, XLSX_CELL_MAX - note.length) + note;
}

/**
 * Writes a workbook to `file` after neutralising every text cell of every sheet ({@link safeCell}),
 * so that a name such as =HYPERLINK(…) from a department file stays text when a clerk edits the cell,
 * and cutting one longer than Excel takes ({@link withinCellLimit}).
 */
export async function writeWorkbook(book: ExcelJS.Workbook, file: string): Promise<void> {
  for (const sheet of book.worksheets)
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        if (typeof cell.value === 'string') {
          const safe = withinCellLimit(safeCell(cell.value));
          if (safe !== cell.value) cell.value = safe;
        }
      }),
    );
  await book.xlsx.writeFile(file);
}

/**
 * A row's values as a CSV writes them: money (a MONEY_FORMAT column) one way in every export,
 * to the fen without grouping ("6191.40"), as the awards list writes it; other values as they are.
 */
/** A column of 元 (a MONEY_FORMAT column whose header names 元; kWh share the format). */
const isMoney = (c: SheetColumn | undefined) =>
  c?.numFmt === MONEY_FORMAT && c.header.includes('元');

export const csvValues = (
  columns: readonly SheetColumn[],
  values: readonly (string | number | null)[],
): (string | number | null)[] =>
  values.map((v, i) => (v !== null && v !== '' && isMoney(columns[i]) ? yuanCell(v) : v));

/** The longest sheet name Excel takes. */
export const SHEET_NAME_MAX = 31;

/** Characters Excel refuses in a sheet name, with the full-width form a Chinese title writes. */
const SHEET_NAME_REFUSED: Record<string, string> = {
  '[': '【',
  ']': '】',
  ':': '：',
  '*': '＊',
  '?': '？',
  '/': '／',
  '\\': '＼',
};

/**
 * A sheet name for a Chinese title with its code beside it, "营业收入首次突破5亿元（REVENUE_500M）",
 * that Excel takes: at most 31 characters, none of []:*?/\, no ' at either end, and unlike every
 * name in `used` (to which it is added). Too long, the title loses its parenthesised part, then
 * its tail (…); a code too long to leave room for two characters of title stands alone.
 */
export function sheetName(title: string, code: string, used: Set<string>): string {
  const clean = (text: string) =>
    text.replace(/[[\]:*?/\\]/g, (c) => SHEET_NAME_REFUSED[c]).replace(/^'+|'+$/g, '');
  const suffix = `（${clean(code)}）`;
  const room = SHEET_NAME_MAX - suffix.length;
  const full = clean(title);
  const bare = full.replace(/（[^）]*）|\([^)]*\)/g, '');
  let name: string;
  if (room < 3) name = clean(code).slice(0, SHEET_NAME_MAX);
  else if (full.length <= room) name = full + suffix;
  else if (bare.length <= room) name = bare + suffix;
  else name = `${bare.slice(0, room - 1)}…${suffix}`;
  for (let n = 2; used.has(name); n++) {
    const mark = `~${n}`;
    name = `${name.slice(0, SHEET_NAME_MAX - mark.length)}${mark}`;
  }
  used.add(name);
  return name;
}

/** Display width of text in a column's units: a CJK character takes about two. */
const displayWidth = (text: string) =>
  [...text].reduce((w, c) => w + (/[\u1100-\uffff]/.test(c) ? 2 : 1), 0);

/** The tallest row Excel draws (points), and one line of the default font. */
const MAX_ROW_HEIGHT = 409;
const LINE_HEIGHT = 15;

/**
 * The height (points) that shows `text` wrapped in a column `width` wide, line breaks kept, at
 * most Excel's 409: set on a row so that a long cell reads as a paragraph rather than one line.
 */
export function wrappedHeight(text: string, width: number): number {
  const perLine = Math.max(1, width - 2);
  const lines = text
    .split('\n')
    .reduce((n, line) => n + Math.max(1, Math.ceil(displayWidth(line) / perLine)), 0);
  return Math.min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT);
}
