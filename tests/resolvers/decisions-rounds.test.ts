import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awardExport, awardsCsv, writeAwardsXlsx } from '../../resolvers/awards/export.js';
import { data, run } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { addDesignation, addEnterprise, addProject } from './awards-seed.js';

const APPROVE = /* GraphQL */ `
  mutation ($asOf: Date!, $codes: [AwardCode!], $note: String) {
    approveAwardRound(asOf: $asOf, codes: $codes, note: $note) {
      id asOf codes note approvedBy
      lines { id lineNo uscc code clause ruleSet amountYuan eventDate project paidYuan reasons }
    }
  }`;

const PAY = /* GraphQL */ `
  mutation ($line: ID!, $on: Date!, $yuan: Float!, $voucher: String!, $reason: String) {
    recordAwardPayment(lineId: $line, paidOn: $on, amountYuan: $yuan, voucherNo: $voucher, reason: $reason) {
      id paidYuan payments { amountYuan voucherNo reason paidOn }
    }
  }`;

const ELIGIBILITY = /* GraphQL */ `
  query ($uscc: String!, $asOf: Date!) {
    enterprise(uscc: $uscc) { awardEligibility(asOf: $asOf) { code clause eligible amountYuan eventDate reasons } }
  }`;

describe(`award rounds: approve, pay, granted once (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  let factory: string; // 省级智能工厂 2024-03-10
  let workshop: string; // 省级数字化车间 2024-04-01
  let upgrader: string; // two smart-upgrade projects, one accepted after the first round
  let later: string; // 省级智能工厂 2025-02-01, after the first round
  let first: any;
  let second: any;
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-rounds-'));
    factory = await addEnterprise(t.database, { name: '汶上县甲智能装备有限公司' });
    await addDesignation(t.database, factory, '省级智能工厂', '2024-03-10');
    workshop = await addEnterprise(t.database, { name: '汶上县乙纺织有限公司' });
    await addDesignation(t.database, workshop, '省级数字化车间', '2024-04-01');
    upgrader = await addEnterprise(t.database, { name: '汶上县丙机械有限公司' });
    await addProject(t.database, upgrader, {
      no: 'ZNGZ-2024-01',
      equipment: '1800000.00',
      software: '200000.00',
      acceptedOn: '2024-05-06',
    });
    await addProject(t.database, upgrader, {
      no: 'ZNGZ-2025-07',
      equipment: '900000.00',
      software: '300000.00',
      acceptedOn: '2025-03-01',
    });
    later = await addEnterprise(t.database, { name: '汶上县丁电子有限公司' });
    await addDesignation(t.database, later, '省级智能工厂', '2025-02-01');
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const eligibility = async (uscc: string, asOf: string, code: string) =>
    (await data(t.database, ELIGIBILITY, { uscc, asOf })).enterprise.awardEligibility.find(
      (a: any) => a.code === code,
    );

  it('refuses every role but admin, and writes nothing', async () => {
    for (const role of ['analyst', 'market', 'dashboard'] as const) {
      const approve = await run(t.database, APPROVE, { asOf: '2024-12-31' }, role);
      expect(approve.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const pay = await run(
        t.database,
        PAY,
        { line: '1', on: '2025-01-15', yuan: 1, voucher: 'V' },
        role,
      );
      expect(pay.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const written = await t.database.rows(
      sql`select 1 from award_rounds union all select 1 from award_payments union all select 1 from audit_log where action is not null`,
    );
    expect(written).toEqual([]);
  });

  it('approves a round: the eligible answers at its date as numbered lines, one per project', async () => {
    first = (
      await data(t.database, APPROVE, { asOf: '2024-12-31', note: '汶财字〔2025〕3号' }, 'admin')
    ).approveAwardRound;
    expect(first).toMatchObject({ asOf: '2024-12-31', codes: null, note: '汶财字〔2025〕3号' });
    expect(
      first.lines.map((l: any) => [l.lineNo, l.uscc, l.code, l.amountYuan, l.project, l.paidYuan]),
    ).toEqual([
      [1, upgrader, 'SMART_UPGRADE_SUBSIDY', 100_000, 'ZNGZ-2024-01', 0],
      [2, factory, 'SMART_FACTORY', 50_000, null, 0],
      [3, workshop, 'DIGITAL_WORKSHOP', 50_000, null, 0],
    ]);
    expect(first.lines[1]).toMatchObject({ clause: '9', eventDate: '2024-03-10' });
    expect(first.lines[0].reasons.join('\n')).toContain('ZNGZ-2024-01');
  });

  it('later eligibility answers a granted code not eligible, naming the round and clause', async () => {
    const granted = await eligibility(factory, '2025-06-30', 'SMART_FACTORY');
    expect(granted).toMatchObject({ eligible: false, amountYuan: null });
    expect(granted.reasons[0]).toContain(`已在第${first.id}轮（2024-12-31）核定`);
    expect(granted.reasons[0]).toContain('第9条');
    // an award no round holds is untouched
    expect(await eligibility(later, '2025-06-30', 'SMART_FACTORY')).toMatchObject({
      eligible: true,
      amountYuan: 50_000,
    });
    const { awardCandidates } = await data(
      t.database,
      '{ awardCandidates(code: SMART_FACTORY, asOf: "2025-06-30") { uscc } }',
    );
    expect(awardCandidates.map((c: any) => c.uscc)).toEqual([later]);
  });

  it('smart-upgrade: only the project no round holds counts', async () => {
    const answer = await eligibility(upgrader, '2025-06-30', 'SMART_UPGRADE_SUBSIDY');
    // 5 % of 1,200,000 for the new project alone, not + 100,000 for the one already granted
    expect(answer).toMatchObject({ eligible: true, amountYuan: 60_000, eventDate: '2025-03-01' });
    const text = answer.reasons.join('\n');
    expect(text).toMatch(new RegExp(`ZNGZ-2024-01.*已在第${first.id}轮（2024-12-31）核定`));
    const { awardCandidates } = await data(
      t.database,
      '{ awardCandidates(code: SMART_UPGRADE_SUBSIDY, asOf: "2025-06-30") { uscc amountYuan } }',
    );
    expect(awardCandidates).toEqual([{ uscc: upgrader, amountYuan: 60_000 }]);

    second = (await data(t.database, APPROVE, { asOf: '2025-06-30' }, 'admin')).approveAwardRound;
    expect(second.lines.map((l: any) => [l.uscc, l.code, l.amountYuan, l.project])).toEqual([
      [upgrader, 'SMART_UPGRADE_SUBSIDY', 60_000, 'ZNGZ-2025-07'],
      [later, 'SMART_FACTORY', 50_000, null],
    ]);
    // with both projects held, the award is not eligible at all
    const none = await eligibility(upgrader, '2025-09-30', 'SMART_UPGRADE_SUBSIDY');
    expect(none.eligible).toBe(false);
    expect(none.reasons.join('\n')).toContain(`已在第${second.id}轮（2025-06-30）核定`);
  });

  it('refuses a round with nothing left to approve, and an unknown or future date', async () => {
    const again = await run(t.database, APPROVE, { asOf: '2025-06-30' }, 'admin');
    expect(again.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(again.errors?.[0]?.message).toContain('没有尚未核定');
    const future = await run(t.database, APPROVE, { asOf: '2099-01-01' }, 'admin');
    expect(future.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('payments and a reversing line add up per line; overpaying is refused', async () => {
    const line = first.lines[1].id; // SMART_FACTORY, 50,000
    const pay = (vars: Record<string, unknown>) =>
      run(t.database, PAY, { line, on: '2025-01-15', ...vars }, 'admin');
    expect(
      (await pay({ yuan: 30_000, voucher: '记-2025-0101' })).data?.recordAwardPayment,
    ).toMatchObject({
      paidYuan: 30_000,
    });
    expect(
      (await pay({ yuan: 20_000, voucher: '记-2025-0102' })).data?.recordAwardPayment.paidYuan,
    ).toBe(50_000);
    const over = await pay({ yuan: 0.01, voucher: '记-2025-0103' });
    expect(over.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(over.errors?.[0]?.message).toContain('超过核定金额');
    const unexplained = await pay({ yuan: -20_000, voucher: '记-2025-0201' });
    expect(unexplained.errors?.[0]?.message).toContain('原因');
    const reversed = (
      await pay({
        yuan: -20_000,
        voucher: '记-2025-0201',
        reason: '凭证 记-2025-0102 重复支付，冲回',
      })
    ).data?.recordAwardPayment;
    expect(reversed.paidYuan).toBe(30_000);
    expect(reversed.payments.map((p: any) => p.amountYuan)).toEqual([30_000, 20_000, -20_000]);
    const early = await pay({ on: '2024-12-01', yuan: 1, voucher: '记-2024-9999' });
    expect(early.errors?.[0]?.message).toContain('早于');
    // another line is paid on its own
    expect(
      (
        await run(
          t.database,
          PAY,
          { line: first.lines[2].id, on: '2025-02-01', yuan: 50_000, voucher: '记-2025-0150' },
          'admin',
        )
      ).data?.recordAwardPayment.paidYuan,
    ).toBe(50_000);
    const { awardRounds } = await data(t.database, '{ awardRounds { id lines { id paidYuan } } }');
    expect(awardRounds.map((r: any) => r.id)).toEqual([second.id, first.id]);
    expect(awardRounds[1].lines.map((l: any) => l.paidYuan)).toEqual([0, 30_000, 50_000]);
  });

  it('the award spreadsheet shows the round and paid columns', async () => {
    const list = await awardExport(t.database, '2025-09-30', {
      codes: ['SMART_FACTORY', 'SMART_UPGRADE_SUBSIDY'],
    });
    expect(
      list.rows.map((r) => [r.uscc, r.code, r.project, r.round, r.paidYuan, r.amountYuan]),
    ).toEqual([
      [
        upgrader,
        'SMART_UPGRADE_SUBSIDY',
        'ZNGZ-2024-01',
        `第${first.id}轮（2024-12-31）`,
        0,
        100_000,
      ],
      [factory, 'SMART_FACTORY', null, `第${first.id}轮（2024-12-31）`, 30_000, 50_000],
      [
        upgrader,
        'SMART_UPGRADE_SUBSIDY',
        'ZNGZ-2025-07',
        `第${second.id}轮（2025-06-30）`,
        0,
        60_000,
      ],
      [later, 'SMART_FACTORY', null, `第${second.id}轮（2025-06-30）`, 0, 50_000],
    ]);
    const csv = awardsCsv(list).split('\r\n');
    expect(csv[0]).toContain('已核定轮次');
    expect(csv[0]).toContain('已兑现金额');
    expect(csv.find((l) => l.includes(factory))).toContain(
      `第${first.id}轮（2024-12-31）,${first.lines[1].id},30000.00`,
    );

    const file = path.join(dir, 'awards.xlsx');
    await writeAwardsXlsx(list, file);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.getWorksheet('获得省级智能工厂（SMART_FACTORY）')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const col = (name: string) => header.indexOf(name) + 1;
    expect(col('已核定轮次')).toBeGreaterThan(0);
    expect(col('已兑现金额(元)')).toBeGreaterThan(0);
    expect(sheet.getRow(2).getCell(col('统一社会信用代码')).value).toBe(factory);
    expect(sheet.getRow(2).getCell(col('已核定轮次')).value).toBe(`第${first.id}轮（2024-12-31）`);
    expect(sheet.getRow(2).getCell(col('已兑现金额(元)')).value).toBe(30_000);
    const summary = book.getWorksheet('汇总')!;
    const sHeader = (summary.getRow(1).values as unknown[]).slice(1);
    const factoryRow = summary
      .getRows(2, summary.rowCount - 1)!
      .find((r) => r.getCell(sHeader.indexOf('奖励代码') + 1).value === 'SMART_FACTORY')!;
    expect(factoryRow.getCell(sHeader.indexOf('已核定(行)') + 1).value).toBe(2);
    expect(factoryRow.getCell(sHeader.indexOf('已兑现金额(元)') + 1).value).toBe(30_000);
  });

  it('writes every write once in the audit log, with who and what', async () => {
    const rows = await t.database.rows<{
      action: string;
      role: string;
      key_name: string;
      detail: any;
      enterprises: string[];
    }>(
      sql`select action, role, key_name, detail, enterprises from audit_log where action is not null order by id`,
    );
    expect(rows.map((r) => r.action)).toEqual([
      'approveAwardRound',
      'approveAwardRound',
      'recordAwardPayment',
      'recordAwardPayment',
      'recordAwardPayment',
      'recordAwardPayment',
    ]);
    expect(rows.every((r) => r.role === 'admin' && r.key_name)).toBe(true);
    expect(rows[0].detail).toMatchObject({
      roundId: Number(first.id),
      asOf: '2024-12-31',
      lines: 3,
      totalAmountYuan: '200000.00',
      note: '汶财字〔2025〕3号',
    });
    expect(rows[0].enterprises).toEqual([factory, workshop, upgrader].sort());
    expect(rows[4].detail).toMatchObject({
      lineId: Number(first.lines[1].id),
      amountYuan: '-20000.00',
      reason: '凭证 记-2025-0102 重复支付，冲回',
      paidAfterYuan: '30000.00',
    });
    expect(rows[4].enterprises).toEqual([factory]);
  });
});
