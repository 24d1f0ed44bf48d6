import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayOfIsoDate } from '../../connectors/pipeline/copy-binary.js';
import { type IngestOptions, ingestFile } from '../../connectors/pipeline/ingest.js';
import type { LoadPath } from '../../connectors/pipeline/load.js';
import { CellError, parseMonth, parseQuantity } from '../../connectors/pipeline/parsers.js';
import { FAST, FastLines, MISSED, NotFast, SLOW } from '../../connectors/power/fast-lines.js';
import type { Database } from '../../db/client.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { countsOf, expectCountsAddUp, fixture, U } from './support.js';

const LAYOUT = { cells: 5, account: 0, name: 1, identifier: 2, month: 3, quantity: 4 };

/** What the fast reader makes of one line: FAST with the month and quantity, or SLOW. */
function readLine(line: string) {
  const buf = Buffer.from(`${line}\n`);
  const lines = new FastLines(LAYOUT);
  if (lines.read(buf, 0, buf.length) === SLOW) return SLOW;
  // the month as binary COPY writes it is the same date
  expect(lines.monthDay).toBe(dayOfIsoDate(lines.month));
  return {
    month: lines.month,
    quantity: buf.toString('latin1', lines.quantityStart, lines.quantityEnd),
  };
}

/** What `read` makes of a line: its answer and, when FAST, every field it sets. */
function readAll(lines: FastLines, buf: Buffer, start: number, answer: number) {
  if (answer !== FAST) return { answer, next: lines.next };
  return {
    answer,
    next: lines.next,
    lineEnd: lines.lineEnd,
    cells: Array.from({ length: LAYOUT.cells }, (_, i) => [
      lines.cellStart(i) - start,
      lines.cellEnd(i) - start,
    ]),
    account: buf.toString('latin1', lines.accountStart, lines.accountEnd),
    quantity: buf.toString('latin1', lines.quantityStart, lines.quantityEnd),
    month: lines.month,
    monthDay: lines.monthDay,
    holder: [lines.holderStart - start, lines.holderEnd - start],
  };
}

const parsedOrNull = (parse: (cell: string) => string, cell: string) => {
  try {
    return parse(cell);
  } catch (error) {
    if (error instanceof CellError) return null;
    throw error;
  }
};

const MONTHS = [
  '2024-03',
  '202403',
  '2024/3',
  '2024.03',
  '2024年3月',
  '2024年03',
  '2024年3',
  '2024-3-5',
  '２０２４-03',
  '2024-13',
  '2024-00',
  '1899-12',
  '2201-01',
  '24-03',
  '2024--3',
  '2024年',
  '2024年3月5日',
  ' 2024-03',
  '2024-03 ',
  '2024-3 ',
  '2024年013月',
  '20243',
];
const QUANTITIES = [
  '0',
  '123',
  '0.5',
  '12.34',
  '12.345',
  '1,234.5',
  '-5',
  '007',
  '0.',
  '.5',
  '１２',
  '100000000000000',
  '99999999999999.99',
  '12 ',
  ' 12',
  '1e3',
  '12.3.4',
  '¥12',
  '0.00',
];

describe('the fast reading of a line agrees with the parsers wherever it takes the line', () => {
  it('months and quantities: taken only as parsers.ts reads them', () => {
    for (const month of MONTHS) {
      for (const quantity of QUANTITIES) {
        const fast = readLine(`3700000001,某公司,,${month},${quantity}`);
        if (fast === SLOW) continue;
        expect(fast.month, month).toBe(parsedOrNull(parseMonth, month));
        expect(fast.quantity, quantity).toBe(parsedOrNull(parseQuantity, quantity));
      }
    }
    // the common shapes are taken
    for (const month of ['2024-03', '202403', '2024/3', '2024.03', '2024年3月', '2024年03'])
      expect(readLine(`A1,某公司,,${month},12.5`)).not.toBe(SLOW);
  });

  it('one reader over many month cells: each as read on its own (a month cell is remembered by its bytes)', () => {
    const shared = new FastLines(LAYOUT);
    const months = [...MONTHS, ...MONTHS.slice().reverse(), '2024-04', '2024-03', '2024-04'];
    for (const month of months) {
      const buf = Buffer.from(`3700000001,某公司,,${month},12\n`);
      const answer = shared.read(buf, 0, buf.length);
      const alone = readLine(`3700000001,某公司,,${month},12`);
      expect(answer === SLOW ? SLOW : shared.month, month).toEqual(
        alone === SLOW ? SLOW : alone.month,
      );
      if (answer !== SLOW) expect(shared.monthDay).toBe(dayOfIsoDate(shared.month));
    }
  });

  it('any month or quantity text: never a different value from the parsers', () => {
    const text = fc.string({
      unit: fc.constantFrom(...'0123456789-/.年月 ,１２e¥'.split('')),
      maxLength: 10,
    });
    fc.assert(
      fc.property(text, text, (month, quantity) => {
        const fast = readLine(`A1,某公司,,${month},${quantity}`);
        if (fast === SLOW) return;
        expect(fast.month).toBe(parsedOrNull(parseMonth, month));
        expect(fast.quantity).toBe(parsedOrNull(parseQuantity, quantity));
      }),
      { numRuns: 2000, seed: 20261127 },
    );
  });

  it('a line read by the holder cells of a line before: as read on its own, or not taken (MISSED) when they differ', () => {
    const account = fc.constantFrom(
      '3700000001',
      'A1',
      '37',
      '3700000001',
      'A1',
      '',
      ' 37',
      '3\\7',
      '37,1',
    );
    const text = (chars: string) =>
      fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength: 5 });
    const month = fc.constantFrom(
      '2024-03',
      '202403',
      '2024年3月',
      '2024-04',
      '2024-13',
      ' 2024-03',
      '',
    );
    const quantity = fc.constantFrom('12', '0.5', '7', '1,2', '12 ', '');
    const cells = fc.tuple(account, text('某公司 　A7'), text('91X 7１'), month, quantity);
    let taken = 0;
    fc.assert(
      // the second line: any, or the first's holder cells (as they are, or one of them longer) with any month and quantity
      fc.property(
        cells,
        cells,
        fc.constantFrom('any', 'same', 'longer'),
        fc.integer({ min: 0, max: 2 }),
        fc.boolean(),
        (one, two, kind, changed, crlf) => {
          const first = one.join(',');
          const holder: string[] = kind === 'any' ? two.slice(0, 3) : one.slice(0, 3);
          if (kind === 'longer') holder[changed] += '7';
          const second = [...holder, two[3], two[4]].join(',');
          const lines = new FastLines(LAYOUT);
          expect(lines.knowsSpans).toBe(true);
          const a = Buffer.from(`${first}\n`);
          if (lines.read(a, 0, a.length) !== FAST) return;
          const known = lines.keepSpan(a);
          const span = a.subarray(lines.holderStart, lines.holderEnd);
          // the second line at an offset of a buffer holding more lines, as in a file
          const b = Buffer.from(`x,y\n${second}${crlf ? '\r\n' : '\n'}more,lines\n`);
          const start = 4;
          const byKnown = lines.readKnown(b, start, b.length, known);
          const alone = new FastLines(LAYOUT);
          const expected = readAll(alone, b, start, alone.read(b, start, b.length));
          if (byKnown === MISSED) {
            // only when the line's holder cells are not the same bytes
            if (expected.answer === FAST)
              expect(
                b.subarray(start + expected.holder![0], start + expected.holder![1]).equals(span),
              ).toBe(false);
            return;
          }
          taken += 1;
          expect(readAll(lines, b, start, byKnown)).toEqual(expected);
          expect(b.subarray(start, start + span.length).equals(span)).toBe(true);
        },
      ),
      { numRuns: 3000, seed: 20261204 },
    );
    expect(taken).toBeGreaterThan(100);
    // a holder's cells that begin another holder's are not taken for them
    const lines = new FastLines(LAYOUT);
    const a = Buffer.from('A1,某公司,,2024-03,1\n');
    expect(lines.read(a, 0, a.length)).toBe(FAST);
    const known = lines.keepSpan(a);
    for (const other of [
      'A1,某公司,91370830168297305K,2024-03,1',
      'A1,某公司分厂,,2024-03,1',
      'A12,某公司,,2024-03,1',
      'A1,某公司',
    ]) {
      const b = Buffer.from(`${other}\n`);
      expect(lines.readKnown(b, 0, b.length, known), other).toBe(MISSED);
    }
    const b = Buffer.from('A1,某公司,,2024-04,2\n');
    expect(lines.readKnown(b, 0, b.length, known)).toBe(FAST);
    expect(lines.month).toBe('2024-04-01');
  });

  it('finds the holder cells kept from an earlier line: the same bytes, never others', () => {
    const lines = new FastLines(LAYOUT);
    const rng = (
      (state: number) => () =>
        ((state = Math.imul(state ^ (state >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32
    )(5);
    /** the kept cells (text) by handle */
    const kept: string[] = [];
    const byText = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) {
      const account = `37${Math.floor(rng() * 3000)}`;
      const name =
        ['某公司', '某公司分厂', '汶上某', ''][Math.floor(rng() * 4)] +
        String(Math.floor(rng() * 5));
      const ident = rng() < 0.5 ? '' : `9137083${Math.floor(rng() * 10)}`;
      const buf = Buffer.from(
        `${account},${name},${ident},2024-0${1 + Math.floor(rng() * 9)},${i}\n`,
      );
      expect(lines.read(buf, 0, buf.length)).toBe(FAST);
      const text = `${account},${name},${ident}`;
      const found = lines.findSpan(buf);
      expect(found).toBe(byText.get(text) ?? -1);
      if (found < 0) {
        const handle = lines.keepSpan(buf);
        expect(handle).toBe(kept.length);
        kept.push(text);
        byText.set(text, handle);
      }
    }
    expect(kept.length).toBeGreaterThan(5000);
  });

  it('leaves to the general reader: cells to trim or unescape, a wrong number of cells, an empty account; stops at a quote', () => {
    for (const line of [
      '3700000001 ,某公司,,2024-03,1',
      '37000\\01,某公司,,2024-03,1',
      '3700000001,某公司,,2024-03',
      '3700000001,某公司,,2024-03,1,x',
      ',某公司,,2024-03,1',
      '',
      ' , , , , ',
      '3700000001,某公司,,2024-03,\t1',
    ]) {
      expect(readLine(line), line).toBe(SLOW);
    }
    expect(readLine(' 3700000001,  某公司 ,91370830168297305K ,2024-03,1')).toBe(SLOW);
    expect(readLine('3700000001,  某公司 ,91370830168297305K ,2024-03,1')).not.toBe(SLOW); // holder cells are checked per holder
    expect(() => readLine('3700000001,"某公司",,2024-03,1')).toThrow(NotFast);
    const crlf = Buffer.from('A1,某公司,,2024-03,7\r\n');
    const lines = new FastLines(LAYOUT);
    expect(lines.read(crlf, 0, crlf.length)).toBe(FAST);
    expect(crlf.toString('latin1', lines.quantityStart, lines.quantityEnd)).toBe('7');
  });
});

/** The power rows and the quarantine, without what differs between two loads (batch ids, times). */
async function contents(database: Database) {
  const power = await database.rows<Record<string, unknown>>(
    sql`select account_no, month::text, raw_identifier, raw_name, name_norm, uscc, match_method, match_reason, match_candidates, kwh::text, source_row
        from power_consumption order by account_no, month`,
  );
  const quarantined = await database.rows(
    sql`select row_number, reasons, raw from quarantined_rows where source = 'power' order by batch_id, row_number`,
  );
  return { power, quarantined };
}

/** A messy power file: every variation of docs/sources.md the fast reading must take or leave alone. */
function powerFile(
  rng: () => number,
  names: { name: string; uscc: string }[],
  /**
   * `ordered`: month by month, each account in turn, an account mostly keeping its identity (as the
   * power company exports: most lines name the holder the same place in the previous month named);
   * otherwise accounts and identities at random.
   */
  options: {
    rows: number;
    months: [number, number];
    duplicates: boolean;
    quotes: boolean;
    accounts?: number;
    ordered?: boolean;
  },
): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rng() * list.length)];
  const idents = () => {
    const e = pick(names);
    return pick([
      [e.name, e.uscc],
      [e.name, ''],
      [e.name.replace(/（/g, '(').replace(/）/g, ')'), ''],
      [` ${e.name}　`, ` ${e.uscc.toLowerCase()}`],
      [e.name, `370830${e.uscc.slice(8, 17)}`], // a legacy tax number
      [e.name, `${e.uscc.slice(0, 17)}${e.uscc[17] === '0' ? '1' : '0'}`], // the check fails
      ['不存在的公司', ''],
      ['', ''],
      [e.name, '91370830MA3C4A1B9X'],
    ] as const);
  };
  const lines: string[] = [];
  const keys = new Set<string>();
  const accounts = options.accounts ?? 40;
  const identities = new Map<string, readonly [string, string]>();
  for (let i = 0; lines.length < options.rows && i < options.rows * 10; i++) {
    const account = `37${String(options.ordered ? i % accounts : Math.floor(rng() * accounts)).padStart(8, '0')}`;
    const m = options.ordered
      ? options.months[0] + Math.floor(i / accounts)
      : options.months[0] + Math.floor(rng() * (options.months[1] - options.months[0] + 1));
    if (m > options.months[1]) break;
    const year = 2022 + Math.floor(m / 12);
    const month = (m % 12) + 1;
    const key = `${account}|${year}-${month}`;
    if (keys.has(key) && !options.duplicates) continue;
    keys.add(key);
    const mm = String(month).padStart(2, '0');
    const monthText =
      rng() < 0.85
        ? pick([
            `${year}-${mm}`,
            `${year}${mm}`,
            `${year}/${month}`,
            `${year}年${month}月`,
            `${year}.${mm}`,
          ])
        : pick([
            `${year}-${mm}-05`,
            `２０２${year - 2020}-${mm}`,
            ` ${year}-${mm}`,
            `${year}-13`,
            '',
          ]);
    const kwh =
      rng() < 0.85
        ? String(Math.floor(rng() * 100000) / (rng() < 0.5 ? 1 : 100))
        : pick(QUANTITIES.concat(['', '-1', 'abc']));
    const known = options.ordered ? identities.get(account) : undefined;
    const [name, ident] = known !== undefined && rng() < 0.95 ? known : idents();
    if (options.ordered) identities.set(account, [name, ident]);
    const acc = rng() < 0.95 ? account : pick([` ${account}`, '', `${account}　`]);
    const cells = [acc, name, ident, monthText, kwh];
    if (options.quotes && rng() < 0.05) cells[1] = `"${name},分厂"`;
    lines.push(rng() < 0.02 ? cells.slice(0, 4).join(',') : cells.join(','));
    if (rng() < 0.01) lines.push(rng() < 0.5 ? '' : ' , , , , ');
  }
  return `${lines.join('\n')}\n`;
}

describe(`the fast reading loads exactly what the general reader loads (${testDbMode()})`, () => {
  let fast: TestDatabase;
  let general: TestDatabase;
  let dir: string;
  let names: { name: string; uscc: string }[];

  const load = async (database: Database, file: string, options: IngestOptions) => {
    let loadPath: LoadPath | undefined;
    const report = await ingestFile(database, 'power', file, {
      ...options,
      bulkMinBytes: 0,
      onPath: (p) => (loadPath = p),
    });
    await expectCountsAddUp(database, report);
    return { counts: countsOf(report), path: loadPath };
  };

  beforeAll(async () => {
    fast = await createTestDatabase();
    general = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-fast-'));
    for (const t of [fast, general])
      await ingestFile(t.database, 'market-registry', fixture('registry.csv'));
    names = await fast.database.rows(sql`select name, uscc from enterprises order by uscc`);
    expect(names.map((n) => n.uscc)).toContain(U.huali);
  });
  afterAll(async () => {
    await Promise.all([fast?.drop(), general?.drop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const variants = [
    {
      header: '用电户号,户名,统一社会信用代码,抄表年月,用电量(千瓦时)',
      encoding: 'utf-8',
      newline: '\n',
    },
    {
      header: '\uFEFF用电户号,户名,统一社会信用代码,抄表年月,用电量(千瓦时)',
      encoding: 'utf-8',
      newline: '\r\n',
    },
    {
      header: '抄表年月,用电量（千瓦时）,户名,用电户号,统一社会信用代码',
      encoding: 'gb18030',
      newline: '\n',
      reorder: [3, 4, 1, 0, 2],
    },
  ] as const;

  it('on random messy files of every layout and encoding, into an empty table and on top of it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.constantFrom(...variants),
        fc.boolean(),
        async (seed, variant, quotes) => {
          let state = seed;
          const rng = () =>
            ((state = Math.imul(state ^ (state >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32;
          const files = [
            powerFile(rng, names, { rows: 400, months: [0, 11], duplicates: false, quotes }),
            powerFile(rng, names, {
              rows: 300,
              months: [10, 23],
              duplicates: rng() < 0.5,
              quotes: false,
            }),
            powerFile(rng, names, {
              rows: 600,
              months: [24, 35],
              duplicates: false,
              quotes: false,
              ordered: true,
            }),
          ];
          for (const t of [fast, general]) {
            await t.database.db.execute(sql`delete from power_readings`);
            await t.database.db.execute(sql`delete from power_holders`);
            await t.database.db.execute(sql`delete from manual_links`);
          }
          for (const [i, body] of files.entries()) {
            const rows = body.split('\n').map((line) => {
              if (!('reorder' in variant) || !line) return line;
              const cells = line.split(',');
              if (cells.length !== 5) return line;
              return variant.reorder.map((k) => cells[k]).join(',');
            });
            const text = `${variant.header}${variant.newline}${rows.join(variant.newline)}`;
            const file = path.join(dir, `power-${seed}-${i}.csv`);
            writeFileSync(
              file,
              variant.encoding === 'gb18030'
                ? iconv.encode(text, 'gb18030')
                : Buffer.from(text, 'utf8'),
            );
            const a = await load(fast.database, file, {});
            const b = await load(general.database, file, { fastReading: false });
            expect(a.counts).toEqual(b.counts);
            expect(a.path).toBe(b.path);
          }
          const [x, y] = [await contents(fast.database), await contents(general.database)];
          expect(x.power.length).toBeGreaterThan(0);
          expect(x).toEqual(y);
        },
      ),
      { numRuns: 6, seed: 7 },
    );
  });

  it('a quote after rows were sent: the open COPY is abandoned, and the file is read again by the general reader', async () => {
    // 6,000 rows month by month (as the power company exports them): about 350 KB of COPY, sent in
    // pieces of 64 KB, so that the COPY is open when the quote in the last line is met.
    const lines = ['用电户号,户名,统一社会信用代码,抄表年月,用电量(千瓦时)'];
    for (let m = 0; m < 60; m++) {
      for (let a = 0; a < 100; a++) {
        const e = names[a % names.length];
        lines.push(
          `37${String(a).padStart(8, '0')},${e.name},${a % 3 === 0 ? '' : e.uscc},${2020 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')},${a * 100 + m}.5`,
        );
      }
    }
    lines.push('3799999999,"某公司,分厂",,2024-01,5');
    const file = path.join(dir, 'power-quote-late.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    for (const t of [fast, general]) {
      await t.database.db.execute(sql`delete from power_readings`);
      await t.database.db.execute(sql`delete from power_holders`);
    }
    const a = await load(fast.database, file, {});
    const b = await load(general.database, file, { fastReading: false });
    expect(a.counts).toEqual(b.counts);
    expect(a.counts.read).toBe(6001);
    expect(a.path).toBe('bulk');
    const [x, y] = [await contents(fast.database), await contents(general.database)];
    expect(x.power).toHaveLength(6001);
    expect(x).toEqual(y);
  });

  it('with thousands of holders (written while the file is read) and a quote in its last line (read again)', async () => {
    let state = 99;
    const rng = () =>
      ((state = Math.imul(state ^ (state >>> 15), 2246822507) + 0x6d2b79f5) >>> 0) / 2 ** 32;
    const body = powerFile(rng, names, {
      rows: 9000,
      months: [0, 2],
      duplicates: false,
      quotes: false,
      accounts: 4000,
    });
    const header = '用电户号,户名,统一社会信用代码,抄表年月,用电量(千瓦时)\n';
    for (const [i, text] of [
      `${header}${body}`,
      `${header}${body}3799999999,"某公司,分厂",,2024-01,5\n`,
    ].entries()) {
      for (const t of [fast, general]) {
        await t.database.db.execute(sql`delete from power_readings`);
        await t.database.db.execute(sql`delete from power_holders`);
      }
      const file = path.join(dir, `power-many-${i}.csv`);
      writeFileSync(file, text);
      const a = await load(fast.database, file, {});
      const b = await load(general.database, file, { fastReading: false });
      expect(a.counts).toEqual(b.counts);
      expect(a.counts.read).toBeGreaterThan(8000);
      const [x, y] = [await contents(fast.database), await contents(general.database)];
      expect(x).toEqual(y);
      const [{ holders }] = await fast.database.rows<{ holders: number }>(
        sql`select count(*)::int as holders from power_holders`,
      );
      expect(holders).toBeGreaterThan(2048);
    }
  });
});
