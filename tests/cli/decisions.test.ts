import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliDatabase, edp } from '../auth/cli.js';
import { addDesignation } from '../resolvers/awards-seed.js';
import { decisionsCounty } from '../resolvers/decisions-support.js';
import { batch } from '../schema/support.js';
import { testDbMode } from '../support/db.js';

const FACTORY = '91370830MA3C00001Y';

describe(`edp evaluation and edp awards: runs and rounds from the command line (${testDbMode()})`, () => {
  let db: Awaited<ReturnType<typeof cliDatabase>>;
  let dir: string;
  beforeAll(async () => {
    db = await cliDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-decisions-cli-'));
    const database = await db.open();
    try {
      await batch(database, 'market-registry');
      const county = decisionsCounty();
      county.enterprise(FACTORY, '汶上县戊智能装备有限公司');
      await county.insert(database);
      await addDesignation(database, FACTORY, '省级智能工厂', '2024-03-10');
    } finally {
      await database.close();
    }
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('publishes and finalizes a year, and lists its runs', async () => {
    const published = await edp(
      ['evaluation', 'publish', '--year', '2024', '--note', '汶亩效〔2025〕1号'],
      db.env,
    );
    expect(published.stderr).toBe('');
    expect(published.stdout).toMatch(
      /^published run (\d+): the 2024 evaluation as a notice \(公示\)/,
    );
    const id = /run (\d+)/.exec(published.stdout)![1];
    expect((await edp(['evaluation', 'finalize', '--run', id], db.env)).stdout).toBe(
      `run ${id} (2024) is final\n`,
    );
    const runs = await edp(['evaluation', 'runs', '--year', '2024'], db.env);
    expect(runs.stdout).toMatch(new RegExp(`^${id}\\t2024\\tfinal\\t.*\\tcli:`));
  });

  it('approves a round, records payments once per voucher, and lists both', async () => {
    const approved = await edp(
      [
        'awards',
        'approve',
        '--as-of',
        '2024-12-31',
        '--code',
        'SMART_FACTORY',
        '--note',
        '汶财字〔2025〕3号',
      ],
      db.env,
    );
    expect(approved.stderr).toBe('');
    expect(approved.stdout).toMatch(
      /^approved round (\d+) as of 2024-12-31: 1 lines, total 50,000 元/,
    );
    const lineId = approved.stdout.split('\n')[1].trim().split('\t')[0];
    const file = path.join(dir, 'payments.csv');
    writeFileSync(
      file,
      `\uFEFF轮次行号,支付日期,金额(元),凭证号,冲销原因\n${lineId},2025-03-01,"50,000.00",记-2025-0301,\n${lineId},2025-03-05,-50000,记-2025-0305,重复支付冲回\n${lineId},2025-03-06,50000,记-2025-0306,\n`,
    );
    const paid = await edp(['awards', 'paid', '--file', file], db.env);
    expect(paid.code).toBe(0);
    expect(paid.stdout).toContain('recorded 3 of 3 payments');
    // the same file again: every voucher is already recorded, nothing is paid twice
    const again = await edp(['awards', 'paid', '--file', file], db.env);
    expect(again.code).not.toBe(0);
    expect(again.stdout).toContain('recorded 0 of 3 payments');
    expect(again.stderr).toContain('凭证号 记-2025-0301 已于 2025-03-01 登记');

    const out = path.join(dir, 'awards.csv');
    const list = await edp(
      ['awards', '--as-of', '2025-06-30', '--code', 'SMART_FACTORY', '--out', out],
      db.env,
    );
    expect(list.stdout).toContain('wrote 0 candidates over 1 award codes as of 2025-06-30');
    expect(list.stdout).toContain('and 1 lines already approved in rounds');
    const row = readFileSync(out, 'utf8').split('\r\n')[1];
    expect(row).toContain(`,第1轮（2024-12-31）,${lineId},50000.00,`);

    const database = await db.open();
    try {
      const audit = await database.rows<{ action: string; role: string; key_name: string }>(
        sql`select action, role, key_name from audit_log where action is not null order by id`,
      );
      expect(audit.map((a) => a.action)).toEqual([
        'publishEvaluation',
        'finalizeEvaluation',
        'approveAwardRound',
        'recordAwardPayment',
        'recordAwardPayment',
        'recordAwardPayment',
      ]);
      expect(
        audit.every((a) => a.role === 'admin' && a.key_name === `cli:${os.userInfo().username}`),
      ).toBe(true);
    } finally {
      await database.close();
    }
  });
});
