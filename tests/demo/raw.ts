/**
 * Reads the demo's files the plain way, independent of the connectors: CSV via csv-parse
 * (GB18030 decoded with iconv-lite), xlsx via exceljs, cells by header name. The parsers here
 * accept exactly the variations docs/sources.md lists, so a test can check what the files carry.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import type { Manifest, ManifestFile } from '../../demo/manifest.js';

export type Cell = string | number | Date | null;

export interface RawFile {
  entry: ManifestFile;
  header: string[];
  /** data rows; rows[i] is spreadsheet row i + 2 */
  rows: Cell[][];
}

export const readManifest = (dir: string): Manifest =>
  JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

export function decodeCsv(bytes: Buffer, encoding: string): string {
  if (encoding === 'gb18030') return iconv.decode(bytes, 'gb18030');
  const text = bytes.toString('utf8');
  return encoding === 'utf-8-bom' ? text.replace(/^\uFEFF/, '') : text;
}

export async function readRaw(dir: string, entry: ManifestFile): Promise<RawFile> {
  const file = path.join(dir, entry.file);
  if (entry.format === 'csv') {
    const records: string[][] = parse(decodeCsv(readFileSync(file), entry.encoding!), {
      relax_column_count: false,
    });
    return { entry, header: records[0], rows: records.slice(1) };
  }
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.worksheets[0];
  const all: Cell[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, n) => {
    const values: Cell[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) {
      const v = row.getCell(c).value;
      values.push(v === undefined || v === null ? null : (v as Cell));
    }
    all[n - 1] = values;
  });
  return { entry, header: all[0].map(String), rows: all.slice(1) };
}

const columnIndexes = new WeakMap<RawFile, Map<string, number>>();

/** A cell of a row by header name, as text ('' when empty), trimmed as the loaders trim. */
export function text(file: RawFile, row: Cell[], column: string): string {
  let indexes = columnIndexes.get(file);
  if (!indexes) {
    indexes = new Map(file.header.map((h, i) => [h, i]));
    columnIndexes.set(file, indexes);
  }
  const i = indexes.get(column);
  if (i === undefined) throw new Error(`${file.entry.file} has no column ${column}`);
  const v = row[i];
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  return String(v).replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
}

/** Money: thousands separators, ¥, a minus before or after. NaN when it is not money. */
export function money(value: string): number {
  const m = /^(-?)¥?(-?)([0-9,]+(?:\.[0-9]+)?)(-?)$/.exec(value.replace(/\s/g, ''));
  if (!m) return Number.NaN;
  const n = Number(m[3].replace(/,/g, ''));
  return m[1] || m[2] || m[4] ? -n : n;
}

/** The four date formats (and Excel dates, already ISO via `text`). Null when invalid. */
export function isoDate(value: string): string | null {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) ??
    /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(value) ??
    /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(value) ??
    /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return null;
  return date.toISOString().slice(0, 10);
}

/** The four month formats, as `YYYY-MM`. Null when invalid. */
export function isoMonth(value: string): string | null {
  const m =
    /^(\d{4})-(\d{2})$/.exec(value) ??
    /^(\d{4})(\d{2})$/.exec(value) ??
    /^(\d{4})年(\d{1,2})月$/.exec(value) ??
    /^(\d{4})\/(\d{2})$/.exec(value);
  if (!m) return null;
  const mo = Number(m[2]);
  return mo >= 1 && mo <= 12 ? `${m[1]}-${String(mo).padStart(2, '0')}` : null;
}
