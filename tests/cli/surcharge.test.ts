import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countyToday } from '../../lib/clock.js';
import { cliDatabase, edp } from '../auth/cli.js';
import { testDbMode } from '../support/db.js';
import { CountySeed } from '../support/seed.js';

describe(`edp surcharge for a year not evaluated (${testDbMode()})`, () => {
  let db: Awaited<ReturnType<typeof cliDatabase>>;
  let dir: string;

  beforeAll(async () => {
    db = await cliDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-surcharge-cli-'));
    const database = await db.open();
    try {
      const s = new CountySeed();
      s.enterprise('91370830000000001X', '甲企业').parcel('91370830000000001X', 15, '2015-01-01');
      s.tax('91370830000000001X', 2023, 1_000).tax('91370830000000001X', 2024, 1_000);
      s.annualReturn('91370830000000001X', 2024, { revenue: 1_000_000 });
      await s.insert(database);
    } finally {
      await database.close();
    }
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a year before the data, without annual returns, current or future, with the reason and a non-zero exit', async () => {
    const before = path.join(dir, '2020.xlsx');
    const old = await edp(['surcharge', '--year', '2020', '--out', before], db.env);
    expect(old.code).not.toBe(0);
    expect(old.stderr).toContain('2020 年不评价，不生成差别电价名单');
    expect(old.stderr).toContain('税务局 2020 年实缴税款数据未入库');
    expect(existsSync(before)).toBe(false);

    // the current year has not ended, whatever is loaded
    const year = Number(countyToday().slice(0, 4));
    const current = await edp(
      ['surcharge', '--year', String(year), '--out', `${dir}/x.csv`],
      db.env,
    );
    expect(current.code).not.toBe(0);
    expect(current.stderr).toContain(`${year} 年度未结束`);

    // a future year, and a year with tax payments but no annual returns yet
    const future = await edp(
      ['surcharge', '--year', String(year + 1), '--out', `${dir}/future.csv`],
      db.env,
    );
    expect(future.code).not.toBe(0);
    expect(future.stderr).toContain(`${year + 1} 年度未结束`);
    expect(existsSync(`${dir}/future.csv`)).toBe(false);
    const noReturns = await edp(
      ['surcharge', '--year', '2023', '--out', `${dir}/2023.csv`],
      db.env,
    );
    expect(noReturns.code).not.toBe(0);
    expect(noReturns.stderr).toContain('税务局 2023 年度企业所得税年度申报数据未入库');
    expect(noReturns.stderr).not.toContain('2023 年实缴税款数据未入库');
    expect(existsSync(`${dir}/2023.csv`)).toBe(false);

    // a year with its data in is written as before
    const done = await edp(['surcharge', '--year', '2024', '--out', `${dir}/2024.csv`], db.env);
    expect(done.code, done.stderr).toBe(0);
    expect(existsSync(`${dir}/2024.csv`)).toBe(true);
  });
});
