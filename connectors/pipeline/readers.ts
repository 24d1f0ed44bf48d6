import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, ReadStream, readSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, pipeline, type Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import { csvRecords, RecordTooLongError, UnterminatedQuoteError } from './csv.js';
import {
  DecodingStream,
  decodeLines,
  detectEncoding,
  type FileEncoding,
  formatBytes,
  LineTooLongError,
  SNIFF_BYTES,
  WholeLines,
} from './encoding.js';
import { UnreadableFileError } from './errors.js';
import { INPUT_LIMITS, type InputLimits } from './limits.js';

/** One row of a sheet: its 1-based row number in the file (the header being row 1) and its cells as text. */
export interface SheetRow {
  rowNumber: number;
  cells: string[];
  /**
   * The cells (indexes into `cells`) that are formulas the file keeps no result for: their value is
   * unknown (`cells` holds the formula, `=A2*2`).
   */
  uncalculated?: number[];
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

async function* csvBatches(
  input: Readable,
  decoder: DecodingStream,
  maxRecordChars: number,
): AsyncGenerator<SheetRow[]> {
  const text = pipeline(input, decoder, () => {}) as unknown as AsyncIterable<string>;
  let rowNumber = 0;
  const filePath = () => (input instanceof ReadStream ? String(input.path) : 'the file');
  try {
    for await (const records of csvRecords(text, maxRecordChars)) {
      const rows: SheetRow[] = [];
      for (const cells of records) {
        rowNumber += 1;
        if (!isBlank(cells)) rows.push({ rowNumber, cells }); // an empty line still counts as a row of the file
      }
      if (rows.length > 0) yield rows;
    }
  } catch (error) {
    if (error instanceof UnterminatedQuoteError)
      throw new UnreadableFileError(filePath(), `${error.message}, after row ${rowNumber}`);
    if (error instanceof RecordTooLongError)
      throw new UnreadableFileError(
        filePath(),
        `第 ${rowNumber + 1} 行起的带引号单元格超过 ${formatBytes(maxRecordChars)} 仍未闭合（引号没有配对）；整个文件未导入 (${error.message})`,
      );
    if (error instanceof LineTooLongError) throw new UnreadableFileError(filePath(), error.message);
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
  if (uncalculated(value)) return `=${formulaOf(value)}`;
  if ('result' in value) return cellText((value.result ?? null) as CellValue);
  if ('text' in value) return cellText(value.text as CellValue);
  if ('error' in value) return String(value.error);
  return String(value);
}

/**
 * A formula cell the file keeps no result for: written by a program that does not calculate, and
 * never opened and saved in a spreadsheet since. Its value is unknown, not its formula's text.
 */
function uncalculated(value: object): boolean {
  return (
    ('formula' in value || 'sharedFormula' in value) &&
    (value as { result?: unknown }).result === undefined
  );
}

const formulaOf = (value: object) => {
  const { formula, sharedFormula } = value as { formula?: string; sharedFormula?: string };
  return formula || sharedFormula || '';
};

/** The indexes (into the row's cells) of the formula cells the file keeps no result for, if any. */
function uncalculatedCells(values: CellValue[]): number[] | undefined {
  let found: number[] | undefined;
  for (let i = 1; i < values.length; i++) {
    const value = values[i];
    if (
      typeof value === 'object' &&
      value !== null &&
      !(value instanceof Date) &&
      uncalculated(value)
    )
      (found ??= []).push(i - 1);
  }
  return found;
}

/** The first sheet's rows of the xlsx file streamed by `input` (in batches). */
async function* firstSheetBatches(input: Readable): AsyncGenerator<SheetRow[]> {
  // imported when a spreadsheet is read (exceljs adds ~18 MB to a process that loads only CSV)
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // so that date-formatted cells arrive as dates
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  for await (const sheet of workbook) {
    let rows: SheetRow[] = [];
    for await (const row of sheet) {
      const values = row.values as CellValue[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      if (isBlank(cells)) continue;
      const formulas = uncalculatedCells(values);
      rows.push(
        formulas
          ? { rowNumber: row.number, cells, uncalculated: formulas }
          : { rowNumber: row.number, cells },
      );
      if (rows.length >= BATCH_ROWS) {
        yield rows;
        rows = [];
      }
    }
    if (rows.length > 0) yield rows;
    return; // the first sheet only (docs/sources.md)
  }
}

/**
 * exceljs's streaming reader at times loses the archive's last entry (exceljs/exceljs#3064: its
 * writer, and others, store `xl/workbook.xml` last; the streaming pass ends before it is handed
 * on) and then fails, before any row, on the sheet names it did not read.
 */
export const lostWorkbookEntry = (error: unknown) =>
  error instanceof TypeError && error.message.includes("reading 'sheets'");

/** How many times an xlsx file is read when exceljs loses its workbook entry (see {@link lostWorkbookEntry}). */
const XLSX_READS = 3;

/**
 * The batches of `read(n)` (the file streamed for the n-th time, from 1), read again while it fails
 * as {@link lostWorkbookEntry} before its first row (up to {@link XLSX_READS} times): a race, not the file.
 */
export async function* readAgainWhenLost<T>(
  read: (n: number) => AsyncGenerator<T>,
  canReadAgain: () => boolean = () => true,
): AsyncGenerator<T> {
  for (let n = 1; ; n++) {
    let yielded = false;
    try {
      for await (const batch of read(n)) {
        yielded = true;
        yield batch;
      }
      return;
    } catch (error) {
      if (yielded || n >= XLSX_READS || !lostWorkbookEntry(error) || !canReadAgain()) throw error;
    }
  }
}

/** A spreadsheet that reads no byte and yields no row for this long is corrupt (the reader waits for ever). */
export const XLSX_STALL_MS = 5000;

const CORRUPT_XLSX =
  'xlsx 文件不完整或已损坏，请从原系统重新导出后再导入 (the spreadsheet is truncated or corrupt)';

/**
 * An xlsx file is a zip archive whose directory is at its end: a file cut short (an interrupted
 * copy or download) has none, and is refused before any row is read. Checks the end-of-directory
 * record and that the directory it points to is where it says.
 */
export function checkZipDirectory(filePath: string, size: number): void {
  const fd = openSync(filePath, 'r');
  try {
    const tailLength = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLength);
    readSync(fd, tail, 0, tailLength, size - tailLength);
    let end = -1;
    for (let i = tailLength - 22; i >= 0; i--)
      if (tail.readUInt32LE(i) === 0x06054b50) {
        end = i;
        break;
      }
    if (end < 0)
      throw new UnreadableFileError(filePath, `${CORRUPT_XLSX}: no zip directory at its end`);
    const directorySize = tail.readUInt32LE(end + 12);
    const directoryAt = tail.readUInt32LE(end + 16);
    const head = Buffer.alloc(4);
    if (
      directoryAt + directorySize > size ||
      readSync(fd, head, 0, 4, directoryAt) !== 4 ||
      head.readUInt32LE(0) !== 0x02014b50
    )
      throw new UnreadableFileError(filePath, `${CORRUPT_XLSX}: its zip directory is damaged`);
  } finally {
    closeSync(fd);
  }
}

/**
 * The batches of `batches`, failing with {@link UnreadableFileError} when one is awaited for
 * {@link XLSX_STALL_MS} without a byte read (`progress`): exceljs's streaming reader waits for ever
 * on some damaged archives instead of failing.
 */
export async function* failWhenStalled<T>(
  filePath: string,
  batches: AsyncGenerator<T>,
  progress: () => number,
  stallMs = XLSX_STALL_MS,
): AsyncGenerator<T> {
  for (;;) {
    const next = batches.next();
    let result: IteratorResult<T>;
    for (;;) {
      const before = progress();
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<'stalled'>((resolve) => {
        timer = setTimeout(() => resolve('stalled'), stallMs);
      });
      const raced = await Promise.race([next, stalled])
        .catch((error: unknown) => {
          // exceljs and its unzipper fail on a damaged archive with bare codes (FILE_ENDED, …)
          if (error instanceof UnreadableFileError) throw error;
          throw new UnreadableFileError(
            filePath,
            `${CORRUPT_XLSX}: ${error instanceof Error ? error.message : String(error)}`,
          );
        })
        .finally(() => clearTimeout(timer));
      if (raced !== 'stalled') {
        result = raced;
        break;
      }
      if (progress() === before) {
        next.catch(() => {}); // the abandoned read may still fail once its streams are destroyed
        throw new UnreadableFileError(
          filePath,
          `${CORRUPT_XLSX}: reading stopped for ${stallMs / 1000} s without progress`,
        );
      }
    }
    if (result.done) return;
    yield result.value;
  }
}

/** `complete`: the first read has counted (and hashed) every byte of the file; the reads after it are not counted. */
async function* xlsxBatches(
  filePath: string,
  input: Readable,
  file: Readable,
  complete: () => boolean,
): AsyncGenerator<SheetRow[]> {
  const opened: Readable[] = [input, file];
  // progress is what the file streams have read (fs.ReadStream#bytesRead): a listener of our own
  // would set the streams flowing past exceljs
  const bytes = () =>
    opened.reduce((sum, s) => sum + (s instanceof ReadStream ? s.bytesRead : 0), 0);
  try {
    yield* failWhenStalled(
      filePath,
      readAgainWhenLost((n) => {
        if (n === 1) return firstSheetBatches(input);
        const again = createReadStream(filePath, { highWaterMark: 1 << 16 });
        opened.push(again);
        return firstSheetBatches(again);
      }, complete),
      bytes,
    );
  } finally {
    for (const stream of opened) stream.destroy();
  }
}

/**
 * Opens a `.csv` (UTF-8, UTF-8 with BOM or GB18030, detected) or `.xlsx` (first sheet) file for
 * streaming. Throws {@link UnreadableFileError} when the file is missing, unreadable or of another kind.
 */
export function openFile(filePath: string, limits: InputLimits = INPUT_LIMITS): OpenedFile {
  const extension = path.extname(filePath).toLowerCase();
  if (extension !== '.csv' && extension !== '.xlsx') {
    throw new UnreadableFileError(
      filePath,
      `only .csv and .xlsx files can be loaded, not "${extension || 'no extension'}"`,
    );
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
    const decoder = new DecodingStream(count, limits.maxLineBytes);
    return {
      ...base,
      batches: csvBatches(input, decoder, limits.maxLineBytes),
      encoding: () => decoder.encoding,
    };
  }
  checkZipDirectory(filePath, size);
  const tap = new PassThrough();
  input.on('data', (chunk) => count(chunk as Buffer));
  input.on('error', (error) => tap.destroy(error));
  input.pipe(tap);
  return {
    ...base,
    batches: xlsxBatches(filePath, tap, input, () => bytes === size),
    encoding: () => 'xlsx',
  };
}

/**
 * A CSV file as UTF-8 bytes in whole lines (the header line first), for the fast reading of large
 * files (connectors/power/fast-lines.ts): the encoding is detected as {@link openFile} does, a BOM dropped, GB18030
 * converted. Quotes are not interpreted: a line is what ends at a newline.
 */
export interface RawCsv {
  /** buffers of whole lines (the last line of the file may lack its newline) */
  chunks: AsyncIterable<Buffer>;
  bytesRead(): number;
  /** sha-256 of the file's bytes (complete once `chunks` is exhausted) */
  sha256(): string;
}

/** Bytes read from the file at a time by {@link openRawCsv}. */
const RAW_READ_BYTES = 1 << 20;

/**
 * Opens a `.csv` file for {@link RawCsv} reading (a file already checked by {@link openFile}). A UTF-8
 * file is read into one buffer, used again for each piece (the reader's buffers were most of what
 * the process allocated); a GB18030 file is converted as it streams. A line longer than the limit
 * fails the reading with {@link UnreadableFileError}, as {@link openFile} does.
 */
export function openRawCsv(filePath: string, limits: InputLimits = INPUT_LIMITS): RawCsv {
  const hash = createHash('sha256');
  let bytes = 0;
  let digest: string | undefined;
  const count = (raw: Buffer) => {
    bytes += raw.length;
    hash.update(raw);
  };

  async function* chunks(): AsyncGenerator<Buffer> {
    const handle = await open(filePath, 'r');
    try {
      const size = (await handle.stat()).size;
      let buf = Buffer.allocUnsafe(RAW_READ_BYTES);
      /** bytes at the start of `buf`: the unfinished last line of the previous read */
      let kept = 0;
      let first = true;
      /** a byte-order mark still at the start of `buf` */
      let bom = 0;
      for (;;) {
        if (kept === buf.length) {
          // a line longer than the buffer
          if (kept > limits.maxLineBytes) {
            const line = await lineNumberAt(handle, bytes - kept);
            throw new UnreadableFileError(
              filePath,
              new LineTooLongError(line, limits.maxLineBytes).message,
            );
          }
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, kept);
          buf = bigger;
        }
        const { bytesRead: n } = await handle.read(buf, kept, buf.length - kept, null);
        if (n === 0) break;
        count(buf.subarray(kept, kept + n));
        const end = kept + n;
        if (first) {
          first = false;
          const sample = buf.subarray(0, Math.min(end, SNIFF_BYTES));
          const encoding = detectEncoding(sample, sample.length === size);
          if (encoding === 'gb18030') {
            // converted as it streams: the bytes read so far, then the rest of the file
            yield* convertedLines(buf.subarray(0, end), handle, count, filePath, limits);
            return;
          }
          if (encoding === 'utf-8-bom') bom = 3;
        }
        const newline = buf.lastIndexOf(10, end - 1);
        if (newline < bom) {
          kept = end;
          continue;
        }
        yield buf.subarray(bom, newline + 1);
        bom = 0;
        // (the consumer is done with it: the same buffer takes the next read)
        kept = end - newline - 1;
        buf.copy(buf, 0, newline + 1, end);
      }
      if (kept > bom) yield buf.subarray(bom, kept);
    } finally {
      await handle.close();
    }
  }

  return {
    chunks: chunks(),
    bytesRead: () => bytes,
    sha256: () => (digest ??= hash.digest('hex')),
  };
}

/** The number (from 1) of the line that starts at byte `offset` of the file (counted only to tell a refusal). */
async function lineNumberAt(handle: FileHandle, offset: number): Promise<number> {
  const buf = Buffer.allocUnsafe(1 << 16);
  let line = 1;
  for (let at = 0; at < offset; ) {
    const { bytesRead: n } = await handle.read(buf, 0, Math.min(buf.length, offset - at), at);
    if (n === 0) break;
    for (let i = buf.indexOf(10); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) line += 1;
    at += n;
  }
  return line;
}

/**
 * The rest of a GB18030 file (after `head`, already read) as UTF-8 bytes in whole lines, each line
 * decoded as encoding.ts decodeLines does (a UTF-8 line is marked, not read as GB18030).
 */
async function* convertedLines(
  head: Buffer,
  handle: FileHandle,
  count: (raw: Buffer) => void,
  filePath: string,
  limits: InputLimits,
): AsyncGenerator<Buffer> {
  const whole = new WholeLines(limits.maxLineBytes);
  const utf8 = (lines: Buffer | null) =>
    lines === null ? null : Buffer.from(decodeLines(lines, 'gb18030'), 'utf8');
  try {
    const first = utf8(whole.push(head));
    if (first) yield first;
    const buf = Buffer.allocUnsafe(RAW_READ_BYTES);
    for (;;) {
      const { bytesRead: n } = await handle.read(buf, 0, buf.length, null);
      if (n === 0) break;
      count(buf.subarray(0, n));
      const lines = utf8(whole.push(buf.subarray(0, n)));
      if (lines) yield lines;
    }
    const last = utf8(whole.end());
    if (last) yield last;
  } catch (error) {
    if (error instanceof LineTooLongError) throw new UnreadableFileError(filePath, error.message);
    throw error;
  }
}
