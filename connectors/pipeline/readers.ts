import type ExcelJS from 'exceljs';
import { createHash } from 'node:crypto';
import { createReadStream, ReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import { csvRecords, UnterminatedQuoteError } from './csv.js';
import iconv from 'iconv-lite';
import { DecodingStream, detectEncoding, SNIFF_BYTES, type FileEncoding } from './encoding.js';
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
export const isBlank = (cells: string[]) => !cells.some((c) => NOT_BLANK.test(c));

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

/**
 * A CSV file as UTF-8 bytes in whole lines (the header line first), for the fast reading of large
 * files (fast-lines.ts): the encoding is detected as {@link openFile} does, a BOM dropped, GB18030
 * converted. Quotes are not interpreted: a line is what ends at a newline.
 */
export interface RawCsv {
  /** buffers of whole lines (the last line of the file may lack its newline) */
  chunks: AsyncIterable<Buffer>;
  bytesRead(): number;
  /** sha-256 of the file's bytes (complete once `chunks` is exhausted) */
  sha256(): string;
  encoding(): FileEncoding | undefined;
}

/** Opens a `.csv` file for {@link RawCsv} reading (a file already checked by {@link openFile}). */
export function openRawCsv(filePath: string): RawCsv {
  const hash = createHash('sha256');
  let bytes = 0;
  let digest: string | undefined;
  let encoding: FileEncoding | undefined;
  async function* chunks(): AsyncGenerator<Buffer> {
    const input = createReadStream(filePath, { highWaterMark: 1 << 20 });
    let toUtf8: ((chunk: Buffer) => Buffer) | undefined;
    let rest: (() => Buffer) | undefined;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let carry: Buffer | null = null;
    /** whole lines of `chunk` (after what was carried), keeping the unfinished last line */
    function* lines(chunk: Buffer): Generator<Buffer> {
      let from = 0;
      if (carry) {
        // the line cut at the end of the last chunk, completed (only it is copied)
        const first = chunk.indexOf(10);
        if (first < 0) {
          carry = Buffer.concat([carry, chunk]);
          return;
        }
        yield Buffer.concat([carry, chunk.subarray(0, first + 1)]);
        carry = null;
        from = first + 1;
      }
      const newline = chunk.lastIndexOf(10);
      if (newline < from) {
        if (from < chunk.length) carry = Buffer.from(chunk.subarray(from));
        return;
      }
      if (newline + 1 < chunk.length) carry = Buffer.from(chunk.subarray(newline + 1));
      yield chunk.subarray(from, newline + 1);
    }
    function start(complete: boolean): Buffer {
      const sample = Buffer.concat(pending);
      pending = [];
      encoding = detectEncoding(sample, complete);
      if (encoding === 'gb18030') {
        const decoder = iconv.getDecoder('gb18030');
        toUtf8 = (chunk) => Buffer.from(decoder.write(chunk), 'utf8');
        rest = () => Buffer.from(decoder.end() ?? '', 'utf8');
      } else toUtf8 = (chunk) => chunk;
      return toUtf8(encoding === 'utf-8-bom' ? sample.subarray(3) : sample);
    }
    try {
      for await (const raw of input as AsyncIterable<Buffer>) {
        bytes += raw.length;
        hash.update(raw);
        if (toUtf8) {
          yield* lines(toUtf8(raw));
          continue;
        }
        pending.push(raw);
        pendingBytes += raw.length;
        if (pendingBytes >= SNIFF_BYTES) yield* lines(start(false));
      }
      if (!toUtf8) yield* lines(start(true));
      const last = rest?.();
      if (last && last.length > 0) yield* lines(last);
      if (carry) yield carry;
    } finally {
      input.destroy();
    }
  }
  return {
    chunks: chunks(),
    bytesRead: () => bytes,
    sha256: () => (digest ??= hash.digest('hex')),
    encoding: () => encoding,
  };
}
