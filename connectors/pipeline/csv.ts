import { parse } from 'csv-parse/sync';

/**
 * CSV records from decoded text, streaming. Most department rows carry no quote at all: such a line
 * is split on commas directly (the common case, and most of a big file's cost). A record with a
 * quote is delimited here (a quote opens a quoted field only at the start of a field, `""` inside it
 * is a quote, a quoted field may span lines) and its cells are read by csv-parse, whose rules are the
 * reference (RFC 4180 with relax_quotes: a quote inside an unquoted field is just a character).
 */
export class UnterminatedQuoteError extends Error {}

/** A quoted cell that runs on past the longest record allowed without being closed. */
export class RecordTooLongError extends Error {}

/**
 * A mark put before a line decoded in another encoding than its file's (encoding.ts FOREIGN_LINE):
 * at a record's start it is kept out of the quoted-cell reading, then put back before its first cell.
 */
const isForeignMark = (c: number) => c === 0xfdd0 || c === 0xfdd1;

const NEWLINE = 10;
const QUOTE = 34;
const COMMA = 44;
const CR = 13;
/** Records handed on at a time. */
const BATCH = 256;

/**
 * The index of the newline that ends the record starting at `start` (one with quotes), or -1 when
 * the text ends first (the record continues in the next chunk).
 */
function quotedRecordEnd(text: string, start: number): number {
  let inQuotes = false;
  let fieldStart = true;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c === QUOTE) {
        if (text.charCodeAt(i + 1) === QUOTE) i++;
        else if (i + 1 === text.length)
          return -1; // cannot tell "" from " yet
        else inQuotes = false;
      }
      continue;
    }
    if (c === NEWLINE) return i;
    if (c === QUOTE && fieldStart) inQuotes = true;
    fieldStart = c === COMMA;
  }
  return -1;
}

const stripCr = (line: string) =>
  line.charCodeAt(line.length - 1) === CR ? line.slice(0, -1) : line;

function parseQuoted(text: string): string[] {
  const [record] = parse(text, {
    relax_quotes: true,
    relax_column_count: true,
    record_delimiter: ['\n'],
  }) as string[][];
  return record ?? [''];
}

/** The cells of a record with quotes (`text` without its newline), a foreign-line mark kept on its first cell. */
function quotedRecord(text: string): string[] {
  if (!isForeignMark(text.charCodeAt(0))) return parseQuoted(text);
  const record = parseQuoted(text.slice(1));
  record[0] = text[0] + record[0];
  return record;
}

/** Where the cells of the record at `start` begin (after a foreign-line mark). */
const cellsStart = (text: string, start: number) =>
  isForeignMark(text.charCodeAt(start)) ? start + 1 : start;

/**
 * Splits decoded CSV text into records (arrays of cells), a batch per text chunk. An empty line is a
 * record of one empty cell (it still counts as a row of the file). Throws {@link UnterminatedQuoteError}
 * when the file ends inside a quoted field, {@link RecordTooLongError} when a record with quotes runs
 * past `maxRecordChars` (a quote never closed: the rest of the file is not held to find its end).
 */
export async function* csvRecords(
  chunks: AsyncIterable<string>,
  maxRecordChars = Number.POSITIVE_INFINITY,
): AsyncGenerator<string[][]> {
  let rest = '';
  for await (const chunk of chunks) {
    const text = rest + chunk;
    const records: string[][] = [];
    let pos = 0;
    let nextQuote = text.indexOf('"');
    for (;;) {
      const newline = text.indexOf('\n', pos);
      if (newline < 0) break;
      if (records.length >= BATCH) yield records.splice(0); // small batches: rows die young
      if (nextQuote < 0 || nextQuote > newline) {
        records.push(stripCr(text.slice(pos, newline)).split(','));
        pos = newline + 1;
        continue;
      }
      const end = quotedRecordEnd(text, cellsStart(text, pos));
      if (end < 0) break;
      records.push(quotedRecord(stripCr(text.slice(pos, end))));
      pos = end + 1;
      nextQuote = text.indexOf('"', pos);
    }
    rest = text.slice(pos);
    if (records.length > 0) yield records;
    if (rest.length > maxRecordChars)
      throw new RecordTooLongError(
        `a quoted cell runs on for more than ${maxRecordChars} characters without being closed`,
      );
  }
  if (rest.length > 0) {
    if (rest.includes('"') && quotedRecordEnd(`${rest}\n`, cellsStart(rest, 0)) < 0) {
      throw new UnterminatedQuoteError(
        'the file ends inside a quoted cell (a " that is never closed)',
      );
    }
    yield [rest.includes('"') ? quotedRecord(stripCr(rest)) : stripCr(rest).split(',')];
  }
}
