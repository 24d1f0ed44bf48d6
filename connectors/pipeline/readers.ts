import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { DecodingStream, type FileEncoding } from './encoding.js';
import { UnreadableFileError } from './errors.js';

/** One row of a sheet: its 1-based row number in the file (the header being row 1) and its cells as text. */
export interface SheetRow {
  rowNumber: number;
  cells: string[];
}

/**
 * A department file opened for streaming: `rows` yields the header row first, then the data rows,
 * without ever holding the file in memory.
 */
export interface OpenedFile {
  fileName: string;
  /** bytes in the file */
  size: number;
  rows: AsyncIterable<SheetRow>;
  /** bytes read so far (for the progress bar) */
  bytesRead(): number;
  /** sha-256 of the bytes read (complete once `rows` is exhausted) */
  sha256(): string;
  /** the encoding detected (CSV) */
  encoding(): FileEncoding | 'xlsx' | undefined;
}

const isBlank = (cells: string[]) => cells.every((c) => c.trim() === '' || c.replace(/[\s\u3000\uFEFF]/g, '') === '');

async function* csvRows(input: Readable, decoder: DecodingStream): AsyncGenerator<SheetRow> {
  const parser = parse({ relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
  const chain = pipeline(input, decoder, parser, () => {});
  let rowNumber = 0;
  try {
    for await (const cells of chain as AsyncIterable<string[]>) {
      rowNumber += 1;
      if (isBlank(cells)) continue; // an empty line still counts as a row of the file
      yield { rowNumber, cells };
    }
  } finally {
    input.destroy();
  }
}

type CellValue = ExcelJS.CellValue;

/** What a spreadsheet cell says, as text (numbers at Excel's 15 significant digits, dates as ISO). */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(Number(value.toPrecision(15)));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if ('richText' in value) return value.richText.map((part) => part.text).join('');
  if ('result' in value) return cellText((value.result ?? null) as CellValue);
  if ('text' in value) return cellText(value.text as CellValue);
  if ('error' in value) return String(value.error);
  return String(value);
}

async function* xlsxRows(input: Readable): AsyncGenerator<SheetRow> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // so that date-formatted cells arrive as dates
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  try {
    for await (const sheet of workbook) {
      for await (const row of sheet) {
        const values = row.values as CellValue[];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        if (!isBlank(cells)) yield { rowNumber: row.number, cells };
      }
      return; // the first sheet only (sources.md)
    }
  } finally {
    input.destroy();
  }
}

/**
 * Opens a `.csv` (UTF-8, UTF-8 with BOM or GB18030, detected) or `.xlsx` (first sheet) file for
 * streaming. Throws {@link UnreadableFileError} when the file is missing, unreadable or of another kind.
 */
export function openFile(filePath: string): OpenedFile {
  const extension = path.extname(filePath).toLowerCase();
  if (extension !== '.csv' && extension !== '.xlsx') {
    throw new UnreadableFileError(filePath, `only .csv and .xlsx files can be loaded, not "${extension || 'no extension'}"`);
  }
  let size: number;
  try {
    const stat = statSync(filePath);
    if (!stat.isFile()) throw new Error('not a file');
    size = stat.size;
  } catch (error) {
    throw new UnreadableFileError(filePath, (error as Error).message);
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const count = (chunk: Buffer) => {
    bytes += chunk.length;
    hash.update(chunk);
  };
  const input = createReadStream(filePath, { highWaterMark: 1 << 20 });
  let digest: string | undefined;
  const base = {
    fileName: path.basename(filePath),
    size,
    bytesRead: () => bytes,
    sha256: () => (digest ??= hash.digest('hex')),
  };
  if (extension === '.csv') {
    const decoder = new DecodingStream(count);
    return { ...base, rows: csvRows(input, decoder), encoding: () => decoder.encoding };
  }
  const tap = new PassThrough();
  input.on('data', (chunk) => count(chunk as Buffer));
  input.on('error', (error) => tap.destroy(error));
  input.pipe(tap);
  return { ...base, rows: xlsxRows(tap), encoding: () => 'xlsx' };
}
