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

/**
 * Writes a workbook to `file` after neutralising every text cell of every sheet ({@link safeCell}),
 * so that a name such as =HYPERLINK(…) from a department file stays text when a clerk edits the cell.
 */
export async function writeWorkbook(book: ExcelJS.Workbook, file: string): Promise<void> {
  for (const sheet of book.worksheets)
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        if (typeof cell.value === 'string') {
          const safe = safeCell(cell.value);
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
