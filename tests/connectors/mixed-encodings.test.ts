import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { testDbMode } from '../support/db.js';
import { countsOf, expectCountsAddUp, quarantinedRows, scratch, U } from './support.js';

const TAX_HEADER = '税票号码,纳税人识别号,纳税人名称,税款所属期,税种,实缴金额(元)';
const POWER_HEADER = '用电户号,户名,统一社会信用代码,抄表年月,用电量(千瓦时)';
/** Ten characters, and 增值税: their UTF-8 bytes read as GB18030 give other Chinese, without a U+FFFD. */
const TEXTILE = '山东汶上纺织有限公司';
const utf8Row = `M1,${U.textile},${TEXTILE},2024-03,增值税,100.00\n`;

const GARBLED = iconv.decode(Buffer.from(utf8Row), 'gb18030');
const MIXED_REASON = /^文件编码混杂：此行是 UTF-8，而文件其余各行是 GB18030/;
const NOT_UTF8_REASON = /^文件编码混杂：此行不是 UTF-8（按 GB18030 可以读出）/;

/** Tax rows G1…Gn in `encoding`'s bytes. */
function taxRows(count: number, from = 1): string {
  let text = '';
  for (let i = from; i < from + count; i++)
    text += `G${i},${U.huali},汶上县华力机电（集团）有限公司,2024-03,增值税,${i}.00\n`;
  return text;
}

describe(`a file in two encodings (${testDbMode()})`, () => {
  const s = scratch('edp-mixed-');

  const quarantined = (batchId: number) => quarantinedRows(s.t.database, batchId);

  const write = (name: string, ...parts: Buffer[]) => {
    const file = path.join(s.dir, name);
    writeFileSync(file, Buffer.concat(parts));
    return file;
  };

  it('quarantines the UTF-8 row of a GB18030 file, which would read as other Chinese without a replacement character', async () => {
    expect(GARBLED).not.toContain('\uFFFD'); // the premise: decoding alone cannot tell
    const file = write(
      'tax-gb-with-utf8.csv',
      iconv.encode(`${TAX_HEADER}\n${taxRows(3)}`, 'gb18030'),
      Buffer.from(utf8Row, 'utf8'),
      iconv.encode(taxRows(2, 4), 'gb18030'),
    );
    const report = await ingestFile(s.t.database, 'tax-payments', file);
    expect(countsOf(report)).toMatchObject({ read: 6, quarantined: 1 });
    await expectCountsAddUp(s.t.database, report);
    const [row] = await quarantined(report.batchId);
    expect(row.row_number).toBe(5);
    expect(row.reasons).toEqual([expect.stringMatching(MIXED_REASON)]);
    // kept as the line's own encoding reads it, for the clerk to correct
    expect(row.raw.纳税人名称).toBe(TEXTILE);
    const names = await s.t.database.rows<{ raw_name: string }>(
      sql`select distinct raw_name from tax_payments`,
    );
    expect(names).toEqual([{ raw_name: '汶上县华力机电（集团）有限公司' }]);
  });

  it('loads a UTF-8 file with a GB18030 row in its first 64 KB, quarantining that row (it was refused for its header)', async () => {
    const gbRow = `N1,${U.textile},${TEXTILE},2024-03,增值税,200.00\n`;
    const file = write(
      'tax-utf8-with-gb.csv',
      Buffer.from(`${TAX_HEADER}\n${taxRows(2, 10)}`, 'utf8'),
      iconv.encode(gbRow, 'gb18030'),
      Buffer.from(taxRows(2, 12), 'utf8'),
    );
    const report = await ingestFile(s.t.database, 'tax-payments', file);
    expect(countsOf(report)).toMatchObject({ read: 5, quarantined: 1 });
    await expectCountsAddUp(s.t.database, report);
    const [row] = await quarantined(report.batchId);
    expect(row.row_number).toBe(4);
    expect(row.reasons).toEqual([expect.stringMatching(NOT_UTF8_REASON)]);
    expect(row.raw.纳税人名称).toBe(TEXTILE);
    const [{ n }] = await s.t.database.rows<{ n: number }>(
      sql`select count(*)::int as n from tax_payments where receipt_no like 'N%'`,
    );
    expect(n).toBe(0);
  });

  it('quarantines a row that reads in neither encoding, and one with a NUL, saying so in Chinese', async () => {
    const file = write(
      'tax-broken-bytes.csv',
      Buffer.from(`${TAX_HEADER}\n${taxRows(1, 20)}B1,,汶上县`, 'utf8'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(
        `有限公司,2024-03,增值税,1.00\nB2,,汶上县\u0000公司,2024-03,增值税,1.00\n`,
        'utf8',
      ),
    );
    const report = await ingestFile(s.t.database, 'tax-payments', file);
    expect(countsOf(report)).toMatchObject({ read: 3, quarantined: 2 });
    const rows = await quarantined(report.batchId);
    expect(rows.map((r) => r.reasons)).toEqual([
      ['此行含有按 UTF-8 和 GB18030 都读不出的字节（文件可能已损坏）；没有猜测，未入库'],
      ['此行含有 NUL 字符（\\0），任何文本列都无法保存；未入库'],
    ]);
  });

  it.each([
    ['read fast', true],
    ['read by the general reader', false],
  ])(
    'power, %s: quarantines the line in the other encoding, GB18030 file or UTF-8 file',
    async (_label, fastReading) => {
      const line = (account: number, name: string, month: string) =>
        `${3700000000 + account},${name},${account === 9 ? U.textile : U.huali},${month},1000\n`;
      const rows = (month: string) =>
        [1, 2, 3].map((a) => line(a, '汶上县华力机电（集团）有限公司', month)).join('');
      const tag = fastReading ? 'fast' : 'general';
      for (const [name, file, month] of [
        [
          'GB18030 file',
          write(
            `power-gb-${tag}.csv`,
            iconv.encode(`${POWER_HEADER}\n${rows('2024-01')}`, 'gb18030'),
            Buffer.from(line(9, TEXTILE, '2024-01'), 'utf8'),
            iconv.encode(rows('2024-02'), 'gb18030'),
          ),
          MIXED_REASON,
        ],
        [
          'UTF-8 file',
          write(
            `power-utf8-${tag}.csv`,
            Buffer.from(`${POWER_HEADER}\n${rows('2024-03')}`, 'utf8'),
            iconv.encode(line(9, TEXTILE, '2024-03'), 'gb18030'),
            Buffer.from(rows('2024-04'), 'utf8'),
          ),
          NOT_UTF8_REASON,
        ],
      ] as const) {
        const report = await ingestFile(s.t.database, 'power', file, { fastReading });
        expect(countsOf(report), name).toMatchObject({ read: 7, quarantined: 1 });
        await expectCountsAddUp(s.t.database, report);
        const [row] = await quarantined(report.batchId);
        expect(row.row_number, name).toBe(5);
        expect(row.reasons, name).toEqual([expect.stringMatching(month)]);
        expect(row.raw.户名, name).toBe(TEXTILE);
      }
      const names = await s.t.database.rows<{ raw_name: string }>(
        sql`select distinct raw_name from power_holders`,
      );
      expect(names).toEqual([{ raw_name: '汶上县华力机电（集团）有限公司' }]);
      await s.t.database.rows(sql`delete from power_readings`);
      await s.t.database.rows(sql`delete from power_holders`);
    },
  );
});
