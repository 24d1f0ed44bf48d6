/**
 * File writers for the demo set. CSV rows are buffered and written in chunks with back-pressure,
 * so a 100,000-enterprise county never holds a file in memory; GB18030 chunks are encoded with
 * iconv-lite. XLSX files go through exceljs' streaming writer, after which the zip's timestamps
 * are pinned so that one seed gives byte-identical files.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'gb18030';

// Small chunks keep the row strings young: a large buffer of strings pushes them into the old
// generation and the collector then dominates the run time.
const CHUNK = 1 << 16;
const NEEDS_QUOTES = /[",\r\n]/;

const escapeCell = (cell: string): string =>
  NEEDS_QUOTES.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell;

/** A CSV file being written. Row numbers count the header as row 1, like a spreadsheet. */
export class CsvSink {
  private readonly stream: WriteStream;
  private parts: string[] = [];
  private size = 0;
  /** data rows written so far */
  rows = 0;

  constructor(
    readonly file: string,
    readonly encoding: CsvEncoding,
    readonly eol: '\n' | '\r\n' = '\n',
  ) {
    this.stream = createWriteStream(file, { highWaterMark: 1 << 20 });
    if (encoding === 'utf-8-bom') this.parts.push('\uFEFF');
  }

  header(cells: readonly string[]): void {
    this.parts.push(cells.map(escapeCell).join(',') + this.eol);
  }

  /** Appends a data row and answers its row number. */
  row(cells: readonly string[]): number {
    let line = '';
    for (let i = 0; i < cells.length; i++) line += (i ? ',' : '') + escapeCell(cells[i]);
    line += this.eol;
    this.parts.push(line);
    this.size += line.length;
    this.rows++;
    return this.rows + 1;
  }

  /** Writes the buffer out once it is large; call between enterprises. */
  async drain(): Promise<void> {
    if (this.size >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (!this.parts.length) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    const data =
      this.encoding === 'gb18030' ? iconv.encode(text, 'gb18030') : Buffer.from(text, 'utf8');
    if (!this.stream.write(data)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    await this.flush();
    this.stream.end();
    await once(this.stream, 'finish');
  }
}

export type XlsxCell = string | number | Date | null;

/** The timestamp written into every xlsx (document properties and zip entries). */
export const FIXED_TIMESTAMP = new Date(Date.UTC(2025, 11, 31, 0, 0, 0));

/** An xlsx file with one sheet, written as a stream. Date cells show as yyyy-mm-dd. */
export class XlsxSink {
  private readonly workbook: ExcelJS.stream.xlsx.WorkbookWriter;
  private readonly sheet: ExcelJS.Worksheet;
  rows = 0;

  constructor(
    readonly file: string,
    sheetName: string,
  ) {
    this.workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
      filename: file,
      useStyles: true,
      useSharedStrings: false,
    });
    this.workbook.creator = '汶上县企业大数据平台 demo';
    this.workbook.lastModifiedBy = '汶上县企业大数据平台 demo';
    this.workbook.created = FIXED_TIMESTAMP;
    this.workbook.modified = FIXED_TIMESTAMP;
    this.sheet = this.workbook.addWorksheet(sheetName);
  }

  header(cells: readonly string[]): void {
    this.sheet.addRow(cells.slice()).commit();
  }

  row(cells: readonly XlsxCell[]): number {
    const row = this.sheet.addRow(cells.slice());
    cells.forEach((value, i) => {
      if (value instanceof Date) row.getCell(i + 1).numFmt = 'yyyy-mm-dd';
    });
    row.commit();
    this.rows++;
    return this.rows + 1;
  }

  async drain(): Promise<void> {
    // exceljs' stream writer pushes committed rows on its own; yield so it can.
    if (this.rows % 5000 === 0) await new Promise((resolve) => setImmediate(resolve));
  }

  async close(): Promise<void> {
    this.sheet.commit();
    await this.workbook.commit();
    await pinZipTimestamps(this.file, FIXED_TIMESTAMP);
  }
}

/**
 * Rewrites the modification time of every entry of a zip file in place (local headers, central
 * directory and any extended-timestamp extra field): zip libraries stamp entries with the clock.
 */
export async function pinZipTimestamps(file: string, when: Date): Promise<void> {
  const dosTime =
    (when.getUTCHours() << 11) | (when.getUTCMinutes() << 5) | (when.getUTCSeconds() >> 1);
  const dosDate =
    ((when.getUTCFullYear() - 1980) << 9) | ((when.getUTCMonth() + 1) << 5) | when.getUTCDate();
  const unix = Math.floor(when.getTime() / 1000);
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 65_557);
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    let eocd = -1;
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new Error(`${file}: not a zip file (no end of central directory)`);
    const entries = tail.readUInt16LE(eocd + 10);
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    const cd = Buffer.alloc(cdSize);
    await handle.read(cd, 0, cdSize, cdOffset);
    const pinExtra = (buf: Buffer, start: number, end: number): void => {
      for (let p = start; p + 4 <= end; ) {
        const id = buf.readUInt16LE(p);
        const len = buf.readUInt16LE(p + 2);
        if (id === 0x5455) {
          for (let q = p + 5; q + 4 <= p + 4 + len; q += 4) buf.writeUInt32LE(unix, q);
        }
        p += 4 + len;
      }
    };
    let p = 0;
    for (let n = 0; n < entries; n++) {
      if (cd.readUInt32LE(p) !== 0x02014b50)
        throw new Error(`${file}: bad central directory entry`);
      cd.writeUInt16LE(dosTime, p + 12);
      cd.writeUInt16LE(dosDate, p + 14);
      const nameLength = cd.readUInt16LE(p + 28);
      const extraLength = cd.readUInt16LE(p + 30);
      const commentLength = cd.readUInt16LE(p + 32);
      pinExtra(cd, p + 46 + nameLength, p + 46 + nameLength + extraLength);
      const local = cd.readUInt32LE(p + 42);
      const header = Buffer.alloc(30);
      await handle.read(header, 0, 30, local);
      if (header.readUInt32LE(0) !== 0x04034b50) throw new Error(`${file}: bad local header`);
      header.writeUInt16LE(dosTime, 10);
      header.writeUInt16LE(dosDate, 12);
      const localName = header.readUInt16LE(26);
      const localExtra = header.readUInt16LE(28);
      const extra = Buffer.alloc(localExtra);
      if (localExtra) {
        await handle.read(extra, 0, localExtra, local + 30 + localName);
        pinExtra(extra, 0, localExtra);
        await handle.write(extra, 0, localExtra, local + 30 + localName);
      }
      await handle.write(header, 0, 30, local);
      p += 46 + nameLength + extraLength + commentLength;
    }
    await handle.write(cd, 0, cdSize, cdOffset);
  } finally {
    await handle.close();
  }
}
