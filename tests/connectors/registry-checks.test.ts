import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { industryCodeProblem } from '../../connectors/market/industry.js';
import { chinaToday } from '../../connectors/market/registry.js';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { countsOf, expectCountsAddUp, U } from './support.js';

const HEADER =
  '统一社会信用代码,企业名称,曾用名,法定代表人,企业类型,注册资本(万元),成立日期,登记状态,住所,所属乡镇,行业代码';

/** A register row with the given 注册资本(万元), 成立日期 and 行业代码. */
const row = (uscc: string, name: string, capital: string, established: string, code: string) =>
  `${uscc},${name},,,,${capital},${established},存续,,中都街道,${code}`;

const addDays = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe(`the register's impossible values are quarantined (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-register-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Loads the rows as a register file; returns the report and each quarantined row's reasons. */
  async function load(name: string, rows: string[]) {
    const file = path.join(dir, name);
    writeFileSync(file, `${[HEADER, ...rows].join('\n')}\n`);
    const report = await ingestFile(t.database, 'market-registry', file);
    await expectCountsAddUp(t.database, report);
    const quarantined = await t.database.rows<{ row_number: number; reasons: string[] }>(
      sql`select row_number, reasons from quarantined_rows where batch_id = ${report.batchId} order by row_number`,
    );
    return { report, reasons: new Map(quarantined.map((q) => [q.row_number, q.reasons])) };
  }

  const stored = (uscc: string) =>
    t.database.rows<{ capital: string | null; established: string | null; code: string | null }>(
      sql`select registered_capital_yuan::text as capital, established_on::text as established,
        industry_code as code from enterprises where uscc = ${uscc}`,
    );

  it('a negative 注册资本 is quarantined with its reason; zero and positive capital load', async () => {
    const { report, reasons } = await load('capital.csv', [
      row(U.huali, '汶上县华力机电有限公司', '-500', '2010-05-01', 'C3670'),
      row(U.textile, '汶上县纺织有限公司', '0', '2012-03-04', 'C1711'),
      row(U.xinhua, '汶上县新华有限公司', '"1,200.5"', '2015-06-07', 'C3484'),
    ]);
    expect(countsOf(report)).toMatchObject({ read: 3, loaded: 2, quarantined: 1 });
    expect(reasons.get(2)).toEqual(['注册资本 "-500" 为负数（-5000000 元）：注册资本不能小于零']);
    expect(await stored(U.huali)).toEqual([]);
    expect(await stored(U.xinhua)).toEqual([
      { capital: '12005000.00', established: '2015-06-07', code: 'C3484' },
    ]);
  });

  it('an establishment date after today is quarantined; today itself loads', async () => {
    const today = chinaToday();
    const tomorrow = addDays(today, 1);
    const { report, reasons } = await load('established.csv', [
      row(U.hongda, '汶上县宏达有限公司', '100', tomorrow, 'C3431'),
      row(U.yan, '汶上县䶮有限公司', '100', '2099年1月1日', 'C3431'),
      row(U.runtong, '汶上县润通有限公司', '100', today, 'C3431'),
    ]);
    expect(countsOf(report)).toMatchObject({ read: 3, loaded: 1, quarantined: 2 });
    expect(reasons.get(2)).toEqual([
      `成立日期 ${tomorrow} 晚于今天（${today}）：企业不能在未来成立`,
    ]);
    expect(reasons.get(3)).toEqual([
      `成立日期 2099-01-01 晚于今天（${today}）：企业不能在未来成立`,
    ]);
    expect(await stored(U.runtong)).toMatchObject([{ established: today }]);
  });

  it('an industry code that is no GB/T 4754-2017 class is quarantined with the reason', async () => {
    const { report, reasons } = await load('industry.csv', [
      row(U.dongfang, '汶上县东方有限公司', '100', '2011-01-01', 'B3670'),
      row(U.later, '汶上县后来有限公司', '100', '2011-01-01', 'C9912'),
      row(U.newco, '汶上县新公司有限公司', '100', '2011-01-01', 'C367'),
      row(U.fushi, '汶上县富士有限公司', '100', '2011-01-01', 'd4416'),
    ]);
    expect(countsOf(report)).toMatchObject({ read: 4, loaded: 1, quarantined: 3 });
    expect(reasons.get(2)).toEqual([
      '行业代码 "B3670" 不是 GB/T 4754-2017 的行业：大类 36（汽车制造业）属于门类 C，不属于门类 B',
    ]);
    expect(reasons.get(3)).toEqual(['行业代码 "C9912" 不是 GB/T 4754-2017 的行业：大类 99 不存在']);
    expect(reasons.get(4)).toEqual([
      '行业代码 "C367" 格式不对：应为门类字母加四位数字（如 C3670）',
    ]);
    expect(await stored(U.fushi)).toMatchObject([{ code: 'D4416' }]);
  });

  it('a row with several impossible values carries every reason', async () => {
    const { reasons } = await load('several.csv', [
      row(U.sameName1, '汶上县同名有限公司', '¥-1.00', '2099-01-01', 'Z0101'),
    ]);
    expect(reasons.get(2)).toHaveLength(3);
    expect(reasons.get(2)!.join('\n')).toMatch(/行业代码 "Z0101"[\s\S]*注册资本[\s\S]*成立日期/);
  });
});

describe('the GB/T 4754-2017 table', () => {
  it('knows the first and last division of every section', () => {
    for (const code of ['A0111', 'A0519', 'B0610', 'B1200', 'C1310', 'C4390', 'D4411', 'D4690']) {
      expect(industryCodeProblem(code), code).toBeNull();
    }
    for (const code of ['E4710', 'F5299', 'G6090', 'K7010', 'P8310', 'S9100', 'T9700']) {
      expect(industryCodeProblem(code), code).toBeNull();
    }
    expect(industryCodeProblem('A0011')).toContain('大类 00 不存在');
    expect(industryCodeProblem('T9800')).toContain('大类 98 不存在');
    expect(industryCodeProblem('D4311')).toContain('属于门类 C，不属于门类 D');
  });
});
