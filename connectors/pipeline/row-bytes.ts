/**
 * A row's COPY text written straight into a byte buffer: no joined string per row (rows die young
 * this way; held as strings across garbage collections they were promoted and cost more than the
 * reading).
 */
import { copyField } from './copy-text.js';

const TAB = 9;
const NEWLINE = 10;
/** Joins a row's cells in the staging table (kept for a duplicate's quarantine); never inside a cell of a text file. */
export const UNIT_SEPARATOR = '\u001f';
const UNIT_SEPARATOR_BYTE = 0x1f;

/** Writes a non-negative integer's decimal digits into `buffer` at `offset`; returns the offset after them. */
export function writeDigits(buffer: Buffer, offset: number, value: number): number {
  let digits = 1;
  for (let v = value; v >= 10; v = Math.floor(v / 10)) digits += 1;
  let at = offset + digits;
  for (let v = value; at > offset; v = Math.floor(v / 10)) buffer[--at] = 48 + (v % 10);
  return offset + digits;
}

/**
 * Writes `text` as UTF-8 into `buffer` at `offset` (room checked by the caller); returns the offset
 * after it. The common case, ASCII, is copied here without a call into the runtime per row.
 */
export function writeText(buffer: Buffer, offset: number, text: string): number {
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return offset + buffer.write(text, offset);
    buffer[at++] = c;
  }
  return at;
}

/**
 * The end of a text row of one load: its own columns (as COPY text), the batch, the row number and,
 * staged, the row's cells (for a duplicate's quarantine), then the newline.
 */
export class RowTail {
  /** `\t<batch id>\t`, between a row's own columns and its row number */
  private readonly batchBytes: Buffer;

  constructor(batchId: number) {
    this.batchBytes = Buffer.from(`\t${batchId}\t`);
  }

  /** The most bytes {@link write} takes for these values and cells. */
  room(values: string, cells: readonly string[] | null): number {
    let chars = values.length;
    // A cell's escaped form is at most twice as long: 6 bytes a character at the most.
    if (cells !== null) for (let i = 0; i < cells.length; i++) chars += cells[i].length * 2 + 1;
    return chars * 3 + this.batchBytes.length + 16;
  }

  /** Writes the tail into `buffer` at `at` (room made by the caller); returns the offset after it. */
  write(
    buffer: Buffer,
    at: number,
    values: string,
    rowNumber: number,
    cells: readonly string[] | null,
  ): number {
    at = writeText(buffer, at, values);
    buffer.set(this.batchBytes, at);
    at = writeDigits(buffer, at + this.batchBytes.length, rowNumber);
    if (cells !== null) {
      // The cells joined by the unit separator, as one COPY field (written cell by cell: no joined copy).
      buffer[at++] = TAB;
      for (let i = 0; i < cells.length; i++) {
        if (i > 0) buffer[at++] = UNIT_SEPARATOR_BYTE;
        at = writeText(buffer, at, copyField(cells[i]));
      }
    }
    buffer[at++] = NEWLINE;
    return at;
  }
}
