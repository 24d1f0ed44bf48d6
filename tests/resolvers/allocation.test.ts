import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allocationList,
  allocationOf,
  countyAllocation,
  surchargeByTown,
  surchargeList,
} from '../../resolvers/allocation.js';
import {
  surchargeFile,
  writeSurchargeCsv,
  writeSurchargeXlsx,
} from '../../resolvers/allocation-export.js';
import { evaluateYear, muEfficiencyOf } from '../../resolvers/evaluation.js';
import { data, run } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { CountySeed } from '../support/seed.js';

/*
 * A county built so that the D grades fall where the tests need them (规下: 亩均税收 alone, weight 100;
 * D = the last ⌈5% n⌉ positions, A = the first ⌊20% n⌋, B the next ⌊40% n⌋).
 * Every firm holds 15 亩 (10,000 m²); 35 base fillers pay 1,010,000 … 1,350,000 元 a year;
 * 5 extra fillers hold land only in 2024 and pay 2,000,001 … 2,000,005 元.
 *
 * 规下 population and its D positions:
 *   2022: 35 + X, Y, Z, W = 39 → ⌈1.95⌉ = 2 D: X (1,000 元), Y (2,000 元)
 *   2023: Y has no land (parcel ended 2023-06-30) → 35 + X, Z, W = 38 → 2 D: X (1,000), Z (1,500)
 *   2024: 35 + 5 extras + X, Y, Z, W = 44 → ⌈2.2⌉ = 3 D: X (1,000), Y (2,000), W (3,000);
 *         Z (1,005,000 元, below every filler) is position 41: A ≤ 8, B ≤ 8 + 17 = 25, D > 41 → C
 *   2025: W is 规上 (revenue 30,000,000) → 35 + X, Y, Z = 38 → 2 D: X (1,000), Z (1,500); Y pays 5,000,000 → A
 * 规上 population 2025: A1, A2 (revenue 100,000,000) and W → ⌈0.15⌉ = 1 D: W (lowest on every indicator)
 *
 * Runs and rates (0.05 / 0.10 / 0.15 元/kWh for the 1st / 2nd / 3rd+ consecutive D year):
 *   X: 2022 → 1 (0.05), 2023 → 2 (0.10), 2024 → 3 (0.15), 2025 → 4 (still 0.15)
 *   Y: 2022 → 1, 2023 not evaluated → 0, 2024 → 1 (the non-evaluated year broke the run), 2025 A → 0
 *   Z: 2023 → 1 (first D), 2024 C → 0, 2025 → 1 (the C year broke the run)
 *   W: 2024 规下 D → 1, 2025 规上 D → 2 (0.10): the run spans the move from 规下 to 规上
 * Power: X has two accounts (P0001 1,000 kWh and P0002 500 kWh a month in 2025; P0001 800 a month in 2024),
 * W one (P0100, 1,000,000 kWh in 2025-06), Z and Y none.
 * 2025 list: P0001 12,000 kWh × 0.15 = 1,800 元; P0002 6,000 × 0.15 = 900 元; P0100 1,000,000 × 0.10 = 100,000 元;
 * totals 1,018,000 kWh and 102,700 元; Z (D, no account) is listed apart with a reason.
 */
const id = (n: number) => `9137083000000${String(n).padStart(4, '0')}X`;
const X = id(1);
const Y = id(2);
const Z = id(3);
const W = id(4);
const A1 = id(5);
const A2 = id(6);

function county() {
  const s = new CountySeed();
  for (let i = 1; i <= 35; i++) {
    const u = id(100 + i);
    s.enterprise(u, `填充企业${i}`).parcel(u, 15, '2015-01-01');
    for (const y of [2022, 2023, 2024, 2025]) s.tax(u, y, 1_000_000 + i * 10_000);
  }
  for (let i = 1; i <= 5; i++) {
    const u = id(200 + i);
    s.enterprise(u, `临时企业${i}`)
      .parcel(u, 15, '2024-01-01', '2025-06-30')
      .tax(u, 2024, 2_000_000 + i);
  }
  s.enterprise(X, '甲企业', { town: '南旺镇' }).parcel(X, 15, '2015-01-01');
  for (const y of [2022, 2023, 2024, 2025]) s.tax(X, y, 1_000);
  s.enterprise(Y, '乙企业', { town: '南旺镇' })
    .parcel(Y, 15, '2015-01-01', '2023-06-30')
    .parcel(Y, 15, '2024-01-01');
  s.tax(Y, 2022, 2_000).tax(Y, 2023, 2_000).tax(Y, 2024, 2_000).tax(Y, 2025, 5_000_000);
  s.enterprise(Z, '丙企业', { town: '寅寺镇' }).parcel(Z, 15, '2015-01-01');
  s.tax(Z, 2022, 3_000_000).tax(Z, 2023, 1_500).tax(Z, 2024, 1_005_000).tax(Z, 2025, 1_500);
  s.enterprise(W, '丁企业', { town: '寅寺镇' }).parcel(W, 15, '2015-01-01');
  s.tax(W, 2022, 3_000_000).tax(W, 2023, 3_000_000).tax(W, 2024, 3_000).tax(W, 2025, 1_000);
  // W's returns of 2022 and 2023 (规下 either way) also make those years ones whose data is in
  for (const y of [2022, 2023, 2024])
    s.annualReturn(W, y, { revenue: 5_000_000, employees: 100, rd: 0 });
  s.annualReturn(W, 2025, { revenue: 30_000_000, employees: 100, rd: 0 });
  for (const u of [A1, A2]) {
    s.enterprise(u, `规上企业${u.slice(-2)}`)
      .parcel(u, 15, '2025-01-01')
      .tax(u, 2025, 5_000_000);
    s.annualReturn(u, 2025, { revenue: 100_000_000, employees: 100, rd: 5_000_000 });
    s.reading(u, `P02${u.slice(-3, -1)}`, '2025-06', 1_000_000);
  }
  for (let m = 1; m <= 12; m++) {
    const month = String(m).padStart(2, '0');
    s.reading(X, 'P0001', `2025-${month}`, 1_000, '甲企业一车间').reading(
      X,
      'P0002',
      `2025-${month}`,
      500,
      '甲企业二车间',
    );
    s.reading(X, 'P0001', `2024-${month}`, 800, '甲企业一车间');
  }
  s.reading(W, 'P0100', '2025-06', 1_000_000, '丁企业');
  return s;
}

describe(`differentiated allocation and the surcharge list (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await county().insert(t.database);
  });
  afterAll(() => t?.drop());

  it('grades the county as the comment works out', async () => {
    const grades = async (year: number) => {
      const e = await evaluateYear(t.database, year);
      return [X, Y, Z, W].map((u) => muEfficiencyOf(e, u).grade);
    };
    expect(await grades(2022)).toEqual(['D', 'D', 'A', 'A']);
    expect(await grades(2023)).toEqual(['D', null, 'D', 'A']);
    expect(await grades(2024)).toEqual(['D', 'D', 'C', 'D']);
    expect(await grades(2025)).toEqual(['D', 'A', 'D', 'D']);
    expect(muEfficiencyOf(await evaluateYear(t.database, 2025), W).population).toBe('ABOVE_SCALE');
  });

  it('counts runs of D years, broken by a non-evaluated year and by a C year', async () => {
    const run = async (uscc: string, year: number) => {
      const a = allocationOf(await countyAllocation(t.database, year), uscc);
      return [a.consecutiveDYears, a.surchargeYuanPerKwh];
    };
    expect(await run(X, 2022)).toEqual([1, 0.05]);
    expect(await run(X, 2023)).toEqual([2, 0.1]);
    expect(await run(X, 2024)).toEqual([3, 0.15]);
    expect(await run(X, 2025)).toEqual([4, 0.15]);
    expect(await run(Y, 2022)).toEqual([1, 0.05]);
    expect(await run(Y, 2023)).toEqual([0, null]);
    expect(await run(Y, 2024)).toEqual([1, 0.05]);
    expect(await run(Y, 2025)).toEqual([0, null]);
    expect(await run(Z, 2023)).toEqual([1, 0.05]);
    expect(await run(Z, 2024)).toEqual([0, null]);
    expect(await run(Z, 2025)).toEqual([1, 0.05]);
    expect(await run(W, 2024)).toEqual([1, 0.05]);
    expect(await run(W, 2025)).toEqual([2, 0.1]);
  });

  it('explains the rate, the accounts and the estimate', async () => {
    const x = allocationOf(await countyAllocation(t.database, 2024), X);
    expect(x.allocationLabel).toBe('严格限制');
    expect(x.appliesInYear).toBe(2025);
    expect(x.accounts.map((a) => [a.accountNo, a.kwh, a.estimatedSurchargeYuan])).toEqual([
      ['P0001', 9_600, 1_440],
      ['P0002', 0, 0],
    ]);
    expect(x.reasons[0]).toBe(
      '2022 规下D、2023 规下D、2024 规下D → 2025 年加收 0.15 元/千瓦时（连续 3 年 D 类；鲁发改价格〔2022〕56号）',
    );
    const y = allocationOf(await countyAllocation(t.database, 2024), Y);
    expect(y.reasons).toContain('连续年数自 2023 未评价 之后起算');
    const z = allocationOf(await countyAllocation(t.database, 2024), Z);
    expect(z.reasons[0]).toBe('2024 年 C 类 → 相对控制：2025 年不加收电价');
    const w = allocationOf(await countyAllocation(t.database, 2025), W);
    expect(w.reasons).toContain('连续年数跨规下、规上两类：任一类的 D 类均计入');
    expect(w.estimatedSurchargeYuan).toBe(100_000);
    const zNone = allocationOf(await countyAllocation(t.database, 2025), Z);
    expect(zNone.accounts).toEqual([]);
    expect(zNone.reasons).toContain('本企业没有关联的用电户号：加收电价无户可执行');
  });

  it('lists the utility rows by account number with totals that agree with the hand calculation', async () => {
    const county2025 = await countyAllocation(t.database, 2025);
    expect(allocationList(county2025, 'D').map((a) => a.uscc)).toEqual([X, Z, W]);
    const { rows, withoutAccounts } = surchargeList(county2025);
    expect(
      rows.map((r) => [
        r.accountNo,
        r.uscc,
        r.consecutiveDYears,
        r.rateYuanPerKwh,
        r.kwh,
        r.estimatedSurchargeYuan,
      ]),
    ).toEqual([
      ['P0001', X, 4, 0.15, 12_000, 1_800],
      ['P0002', X, 4, 0.15, 6_000, 900],
      ['P0100', W, 2, 0.1, 1_000_000, 100_000],
    ]);
    expect(rows.reduce((s, r) => s + r.kwh, 0)).toBe(1_018_000);
    expect(rows.reduce((s, r) => s + r.estimatedSurchargeYuan, 0)).toBe(102_700);
    expect(withoutAccounts.map((a) => a.uscc)).toEqual([Z]);
    expect(surchargeByTown(county2025)).toEqual([
      {
        town: '寅寺镇',
        enterprises: 2,
        accounts: 1,
        kwh: 1_000_000,
        estimatedSurchargeYuan: 100_000,
      },
      { town: '南旺镇', enterprises: 1, accounts: 2, kwh: 18_000, estimatedSurchargeYuan: 2_700 },
    ]);
  });
});

describe(`allocation over GraphQL and the utility's files (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    await county().insert(t.database);
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-surcharge-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers Enterprise.allocation and allocationList', async () => {
    const result = await data(
      t.database,
      `query($u: String!) {
        enterprise(uscc: $u) { allocation(year: 2025) { year grade allocationLabel consecutiveDYears surchargeYuanPerKwh appliesInYear accounts
          accountDetails { accountNo kwh estimatedSurchargeYuan } estimatedSurchargeYuan history { year grade population } reasons } }
        allocationList(year: 2025) { enterprise { uscc } consecutiveDYears }
        surchargeByTown(year: 2025) { town estimatedSurchargeYuan }
      }`,
      { u: X },
    );
    const a = result.enterprise.allocation;
    expect(a).toMatchObject({
      year: 2025,
      grade: 'D',
      allocationLabel: '严格限制',
      consecutiveDYears: 4,
      surchargeYuanPerKwh: 0.15,
      appliesInYear: 2026,
      accounts: ['P0001', 'P0002'],
    });
    expect(a.estimatedSurchargeYuan).toBe(2_700);
    expect(a.history.map((h: { grade: string }) => h.grade)).toEqual(['D', 'D', 'D', 'D']);
    expect(
      result.allocationList.map((r: { enterprise: { uscc: string } }) => r.enterprise.uscc),
    ).toEqual([X, Z, W]);
    expect(result.surchargeByTown[0]).toEqual({ town: '寅寺镇', estimatedSurchargeYuan: 100_000 });
  });

  it('keeps kWh detail from roles without the power scope', async () => {
    const denied = await run(
      t.database,
      `query($u: String!) { enterprise(uscc: $u) { allocation(year: 2025) { grade accountDetails { kwh } } } }`,
      { u: X },
      'tax',
    );
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(denied.errors?.[0]?.message).toMatch(/Allocation.accountDetails/);
    const allowed = await run(
      t.database,
      `query($u: String!) { enterprise(uscc: $u) { allocation(year: 2025) { grade accountDetails { kwh } } } }`,
      { u: X },
      'power',
    );
    expect(allowed.errors).toBeUndefined();
  });

  it('writes the spreadsheet and the CSV, and they read back with the hand-calculated totals', async () => {
    const file = surchargeFile(await countyAllocation(t.database, 2025));
    const xlsx = path.join(dir, 'surcharge-2025.xlsx');
    await writeSurchargeXlsx(file, xlsx);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsx);
    expect(book.worksheets.map((s) => s.name)).toEqual(['差别电价名单', '汇总', '无用电户号']);
    const list = book.getWorksheet('差别电价名单')!;
    expect(list.getRow(1).values).toEqual([
      undefined,
      '用电户号',
      '户名',
      '企业名称',
      '统一社会信用代码',
      '评价等级',
      '连续D类年数',
      '加价标准(元/千瓦时)',
      '用电量(千瓦时)',
      '预计加价金额(元)',
    ]);
    expect([2, 3, 4].map((r) => list.getRow(r).getCell(1).value)).toEqual([
      'P0001',
      'P0002',
      'P0100',
    ]);
    expect(list.getRow(4).values).toEqual([
      undefined,
      'P0100',
      '丁企业',
      '丁企业',
      W,
      'D',
      2,
      0.1,
      1_000_000,
      100_000,
    ]);
    const summary = book.getWorksheet('汇总')!;
    const totals = Object.fromEntries(
      [1, 2, 3, 4, 5, 6, 7, 8].map((r) => [
        summary.getRow(r).getCell(1).value,
        summary.getRow(r).getCell(2).value,
      ]),
    );
    expect(totals.用电户数).toBe(3);
    expect(totals.评价结果).toBe('实时评价（2025年度尚无正式评价结果）');
    expect(totals['2025年用电量合计(千瓦时)']).toBe(1_018_000);
    expect(totals['预计加价金额合计(元)']).toBe(102_700);
    expect(book.getWorksheet('无用电户号')!.getRow(2).getCell(1).value).toBe(Z);

    const csv = path.join(dir, 'surcharge-2025.csv');
    await writeSurchargeCsv(file, csv);
    const text = readFileSync(csv, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(`P0001,甲企业一车间,甲企业,${X},D,4,0.15,12000,1800.00`);
  });
});
