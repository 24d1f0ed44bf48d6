import type ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { createReadStream, ReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { csvRecords, UnterminatedQuoteError } from './csv.js';
import { DecodingStream, type FileEncoding } from './encoding.js';
import { UnreadableFileError } from './errors.js';

/** One row of a sheet: its 1-based row number in the file (the header being row 1) and its cells as text. */
export interface SheetRow {
  rowNumber: number;
  cells: string[];
}

/**
 * A department file opened for streaming: `batches` yields the rows in order, a few hundred at a time
 * (the header row first), without ever holding the file in memory.
 */
export interface OpenedFile {
  fileName: string;
  /** bytes in the file */
  size: number;
  batches: AsyncIterable<SheetRow[]>;
  /** bytes read so far (for the progress bar) */
  bytesRead(): number;
  /** sha-256 of the bytes read (complete once `batches` is exhausted) */
  sha256(): string;
  /** the encoding detected (CSV) */
  encoding(): FileEncoding | 'xlsx' | undefined;
}

/** Rows handed on at a time (one promise per batch, not per row). */
const BATCH_ROWS = 512;

const NOT_BLANK = /[^\s\u3000\uFEFF]/;
const isBlank = (cells: string[]) => !cells.some((c) => NOT_BLANK.test(c));

async function* csvBatches(input: Readable, decoder: DecodingStream): AsyncGenerator<SheetRow[]> {
  const text = pipeline(input, decoder, () => {}) as unknown as AsyncIterable<string>;
  let rowNumber = 0;
  try {
    for await (const records of csvRecords(text)) {
      const rows: SheetRow[] = [];
      for (const cells of records) {
        rowNumber += 1;
        if (!isBlank(cells)) rows.push({ rowNumber, cells }); // an empty line still counts as a row of the file
      }
      if (rows.length > 0) yield rows;
    }
  } catch (error) {
    if (error instanceof UnterminatedQuoteError) throw new UnreadableFileError(input instanceof ReadStream ? String(input.path) : 'the file', `${error.message}, after row ${rowNumber}`);
    throw error;
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

async function* xlsxBatches(input: Readable, file: Readable): AsyncGenerator<SheetRow[]> {
  // imported when a spreadsheet is read (exceljs adds ~18 MB to a process that loads only CSV)
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // so that date-formatted cells arrive as dates
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  try {
    for await (const sheet of workbook) {
      let rows: SheetRow[] = [];
      for await (const row of sheet) {
        const values = row.values as CellValue[];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        if (!isBlank(cells)) rows.push({ rowNumber: row.number, cells });
        if (rows.length >= BATCH_ROWS) {
          yield rows;
          rows = [];
        }
      }
      if (rows.length > 0) yield rows;
      return; // the first sheet only (sources.md)
    }
  } finally {
    input.destroy();
    file.destroy();
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
  const input = createReadStream(filePath, { highWaterMark: 1 << 16 });
  let digest: string | undefined;
  const base = {
    fileName: path.basename(filePath),
    size,
    bytesRead: () => bytes,
    sha256: () => (digest ??= hash.digest('hex')),
  };
  if (extension === '.csv') {
    const decoder = new DecodingStream(count);
    return { ...base, batches: csvBatches(input, decoder), encoding: () => decoder.encoding };
  }
  const tap = new PassThrough();
  input.on('data', (chunk) => count(chunk as Buffer));
  input.on('error', (error) => tap.destroy(error));
  input.pipe(tap);
  return { ...base, batches: xlsxBatches(tap, input), encoding: () => 'xlsx' };
}
