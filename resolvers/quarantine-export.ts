import { writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import type { Database } from '../db/client.js';
import { sourceLabel } from '../lib/source-labels.js';
import { addStyledSheet, csvWithBom, writeWorkbook } from '../lib/spreadsheet.js';
import { MAX_QUARANTINE_PAGE, type QuarantinedRow, quarantinedRowsPage } from './quarantine.js';

/** Every quarantined row of `sources` matching the filter, page by page (newest batch first). */
export async function allQuarantinedRows(
  database: Database,
  sources: readonly string[],
  filter: { source?: string | null; batchId?: number | null },
): Promise<QuarantinedRow[]> {
  const rows: QuarantinedRow[] = [];
  let after: string | null = null;
  do {
    const page = await quarantinedRowsPage(database, sources, {
      ...filter,
      first: MAX_QUARANTINE_PAGE,
      after,
    });
    rows.push(...page.rows);
    after = page.hasNextPage ? page.endCursor : null;
  } while (after);
  return rows;
}

/** The fixed columns before the file's own: where the row is and why it was not loaded. */
const FIXED = ['数据源', '批次号', '文件名', '行号', '隔离原因'] as const;

/** A table of rows with the file's columns spread out (in the order first met), for a department to correct. */
export function quarantineTable(rows: readonly QuarantinedRow[]): {
  header: string[];
  rows: string[][];
} {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of rows)
    for (const c of r.raw)
      if (!seen.has(c.column)) {
        seen.add(c.column);
        columns.push(c.column);
      }
  return {
    header: [...FIXED, ...columns],
    rows: rows.map((r) => {
      const cells = new Map(r.raw.map((c) => [c.column, c.value]));
      return [
        sourceLabel(r.source),
        String(r.batchId),
        r.fileName ?? '',
        String(r.rowNumber),
        r.reasons.join('；'),
        ...columns.map((c) => cells.get(c) ?? ''),
      ];
    }),
  };
}

/** Excel's limit on sheet names (characters); []:*?/\ are not allowed in them. */
const sheetName = (text: string) => text.replace(/[[\]:*?/\\]/g, '-').slice(0, 31);

/**
 * Writes the rows to `out`: .xlsx with one sheet per source (named in Chinese, the file's columns
 * after the fixed ones), or .csv (UTF-8 with BOM) of all of them in one table.
 */
export async function writeQuarantine(rows: readonly QuarantinedRow[], out: string): Promise<void> {
  if (out.toLowerCase().endsWith('.csv')) {
    const table = quarantineTable(rows);
    // cells come from department files: csvWithBom keeps one Excel would take for a formula as text
    await writeFile(out, csvWithBom(table.header, table.rows));
    return;
  }
  const book = new ExcelJS.Workbook();
  book.creator = '汶上县企业大数据平台';
  const bySource = new Map<string, QuarantinedRow[]>();
  for (const r of rows) {
    const group = bySource.get(r.source);
    if (group) group.push(r);
    else bySource.set(r.source, [r]);
  }
  if (bySource.size === 0) bySource.set('', []);
  for (const [source, group] of bySource) {
    const table = quarantineTable(group);
    const sheet = addStyledSheet(
      book,
      sheetName(source ? `${sourceLabel(source)}隔离行` : '隔离行'),
      table.header.map((header, i) => ({ header, key: `c${i}`, width: i === 4 ? 60 : 18 })),
    );
    for (const row of table.rows) sheet.addRow(row);
  }
  await writeWorkbook(book, out);
}
