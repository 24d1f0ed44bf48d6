import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvRecords, UnterminatedQuoteError } from '../../connectors/pipeline/csv.js';

/** csvRecords over `text` cut into the given chunk lengths. */
async function split(text: string, cuts: number[] = []): Promise<string[][]> {
  async function* chunks() {
    let pos = 0;
    for (const cut of cuts) {
      yield text.slice(pos, pos + cut);
      pos += cut;
    }
    yield text.slice(pos);
  }
  const records: string[][] = [];
  for await (const batch of csvRecords(chunks())) records.push(...batch);
  return records;
}

const reference = (text: string) =>
  parse(text, {
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
  }) as string[][];

describe('CSV records (csv-parse rules, fast path for lines without quotes)', () => {
  it('reads quoted cells with commas, doubled quotes and line breaks, CRLF, a last line without newline', async () => {
    const text = 'a,b,c\r\n"1,234.56","say ""hi""","two\nlines"\r\nplain,x"y,z\n\n"",last';
    expect(await split(text)).toEqual([
      ['a', 'b', 'c'],
      ['1,234.56', 'say "hi"', 'two\nlines'],
      ['plain', 'x"y', 'z'],
      [''],
      ['', 'last'],
    ]);
    // csv-parse takes the first line's ending for every line; with one ending throughout they agree.
    const lf = text.replaceAll('\r\n', '\n');
    expect(await split(lf)).toEqual(reference(lf));
  });

  it('keeps a line in another encoding quoted as it is: its mark stays on the first cell', async () => {
    // encoding.ts FOREIGN_LINE marks a line at its start, before an opening quote
    expect(await split('a,b\n\uFDD1"1,5",x\n\uFDD0"two\n\uFDD0lines",y\n')).toEqual([
      ['a', 'b'],
      ['\uFDD11,5', 'x'],
      ['\uFDD0two\n\uFDD0lines', 'y'],
    ]);
  });

  it('gives csv-parse’s records for any cells, however the text is cut into chunks', async () => {
    const cell = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', '汶', ' ', '1', ',', '.', '¥'), maxLength: 6 }),
      fc.string({ unit: fc.constantFrom('a', '"', ',', '\n', '\r\n', '上'), maxLength: 6 }),
    );
    const quote = (c: string) =>
      /[",\r\n]/.test(c) || c.startsWith('"') ? `"${c.replaceAll('"', '""')}"` : c;
    const file = fc
      .array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 })
      .map((rows) => `${rows.map((r) => r.map(quote).join(',')).join('\n')}\n`);
    await fc.assert(
      fc.asyncProperty(
        file,
        fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 12 }),
        async (text, cuts) => {
          expect(await split(text, cuts)).toEqual(reference(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a file that ends inside a quoted cell', async () => {
    await expect(split('a,b\n"never closed,1\n2,3\n')).rejects.toBeInstanceOf(
      UnterminatedQuoteError,
    );
  });
});
