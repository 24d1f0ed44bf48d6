import type ExcelJS from 'exceljs';

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

const csvField = (value: string) =>
  /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;

/** CSV text for Excel: UTF-8 with BOM, CRLF line ends, fields quoted where needed. */
export function csvWithBom(
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): string {
  const lines = [header, ...rows].map((r) =>
    r.map((v) => csvField(v === null ? '' : String(v))).join(','),
  );
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/**
 * A CSV cell a spreadsheet would take for a formula (text from a file or a client) is quoted with ';
 * a plain number (-1,250.00, a refund) stays as it is.
 */
export const safeCell = (text: string) =>
  /^[=+\-@\t\r]/.test(text) && !/^[+-]?[\d,]*\.?\d+$/.test(text) ? `'${text}` : text;
