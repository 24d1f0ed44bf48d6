import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taxPayments } from '../../db/tax.js';
import { viewerFor } from '../../resolvers/context.js';
import { finalizeEvaluation, publishEvaluation } from '../../resolvers/decisions/runs.js';
import { evaluateYear, muEfficiencyOf } from '../../resolvers/evaluation.js';
import {
  landRevitalizationByTown,
  landRevitalizationCases,
} from '../../resolvers/land-revitalization/cases.js';
import { batch, countQueries } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { EXPECTED_2024, filler, L, landCounty } from './land-seed.js';

const YEAR = 2024;
const all = (t: TestDatabase, filter = {}) =>
  landRevitalizationCases(t.database, { year: YEAR, ...filter }, { first: null });

describe(`land revitalization: the rules' boundaries (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await landCounty().seed.insert(t.database);
  });
  afterAll(() => t?.drop());

  it('grades the county as the seed works out', async () => {
    const grades = async (year: number) => {
      const e = await evaluateYear(t.database, year);
      return [L.DP, L.DI, L.CC, L.CB, filler(1), filler(35), filler(36)].map(
        (u) => muEfficiencyOf(e, u).grade,
      );
    };
    expect(await grades(2023)).toEqual(['A', 'A', 'C', 'C', 'A', 'D', 'D']);
    expect(await grades(2024)).toEqual(['D', 'D', 'C', 'B', 'C', 'A', 'A']);
  });

  it('lists exactly the cases the boundaries call for, largest land first then USCC', async () => {
    const page = await all(t);
    expect(page.cases.map((c) => [c.uscc, c.landAreaMu, c.categories])).toEqual(EXPECTED_2024);
    expect(page.notes).toEqual([]);
    const listed = new Set(page.cases.map((c) => c.uscc));
    // 注销 on Dec 30, 1 kWh, 1 元, established Jan 2, C then B, A then C, D then A, the lessor: no case
    for (const u of [L.R3, L.K1, L.T1, L.E0102, L.CB, filler(1), filler(36), L.LR])
      expect(listed.has(u), u).toBe(false);
  });

  it('totals equal the sum of the cases, for every filter', async () => {
    for (const filter of [
      {},
      { category: 'SUSPECTED_IDLE' as const },
      { category: 'LOW_EFFICIENCY' as const },
      { category: 'DEREGISTERED_HOLDER' as const },
      { town: '寅寺镇' },
      { town: '未登记乡镇' },
    ]) {
      const page = await all(t, filter);
      expect(page.totalCount, JSON.stringify(filter)).toBe(page.cases.length);
      expect(page.totalAreaMu, JSON.stringify(filter)).toBeCloseTo(
        page.cases.reduce((s, c) => s + c.landAreaMu, 0),
        6,
      );
    }
    const page = await all(t);
    expect(page.totalCount).toBe(12);
    expect(page.totalAreaMu).toBe(72.75);
    expect((await all(t, { category: 'LOW_EFFICIENCY' })).cases.map((c) => c.uscc)).toEqual([
      L.DP,
      L.DI,
      L.CC,
    ]);
    expect((await all(t, { town: '未登记乡镇' })).cases.map((c) => c.uscc)).toEqual([L.R4]);
  });

  it('pages with a cursor through the same list, one list statement per page', async () => {
    const whole = (await all(t)).cases.map((c) => c.uscc);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { result: page, queries } = await countQueries(t.database, () =>
        landRevitalizationCases(t.database, { year: YEAR }, { first: 5, after }),
      );
      // cache checks (the snapshot's data version; for Y and Y−1 the runs in force and the data
      // version) and the list itself: the same whatever the page size
      expect(queries).toBeLessThanOrEqual(6);
      expect(page.totalCount).toBe(12);
      seen.push(...page.cases.map((c) => c.uscc));
      if (!page.hasNextPage) break;
      after = page.cursors[page.cursors.length - 1];
    }
    expect(seen).toEqual(whole);
  });

  it('cites the figures in Chinese reasons', async () => {
    const byUscc = new Map((await all(t)).cases.map((c) => [c.uscc, c]));
    const r1 = byUscc.get(L.R1)!;
    expect(r1.landAreaM2).toBe(10_000);
    expect(r1.reasons).toHaveLength(1);
    expect(r1.reasons[0]).toContain('登记状态为“注销”');
    expect(r1.reasons[0]).toContain('15 亩（10,000.00 平方米）');
    expect(byUscc.get(L.R2)!.reasons[0]).toContain('“吊销”');
    expect(byUscc.get(L.K0)!.reasons[0]).toMatch(/^2024年用电量 0 千瓦时、无实缴税款记录；/);
    expect(byUscc.get(L.KN)!.reasons[0]).toMatch(/^2024年无用电记录、无实缴税款记录；企业在业/);
    expect(byUscc.get(L.TM1)!.reasons[0]).toContain('实缴税款 -1.00 元');
    expect(byUscc.get(L.T0)!.reasons[0]).toContain('实缴税款 0.00 元');
    expect(byUscc.get(L.E0101)!.reasons[0]).toContain('成立于 2024-01-01');
    const di = byUscc.get(L.DI)!;
    expect(di.reasons).toHaveLength(2);
    expect(di.reasons[1]).toMatch(
      /^亩产效益2024年评为D类：2024年为D类（规下，得分 0.00，实时评价），2023年为A类（规下，得分 300.00，实时评价）/,
    );
    expect(byUscc.get(L.CC)!.reasons[0]).toMatch(
      /^亩产效益2023年、2024年连续两年评为C类：2024年为C类（规下，得分 [\d.]+，实时评价），2023年为C类/,
    );
    expect(byUscc.get(L.LE)!.taxPaidYuan).toBeNull();
    expect(byUscc.get(L.K0)!.electricityKwh).toBe(0);
  });

  it('sums land by town and category; a firm in two categories counts in each', async () => {
    const towns = await landRevitalizationByTown(t.database, YEAR);
    expect(towns).toEqual(
      expect.arrayContaining([
        { town: '南旺镇', category: 'SUSPECTED_IDLE', cases: 1, areaMu: 15 },
        { town: '南旺镇', category: 'LOW_EFFICIENCY', cases: 2, areaMu: 30 },
        { town: '寅寺镇', category: 'DEREGISTERED_HOLDER', cases: 1, areaMu: 15 },
        { town: '寅寺镇', category: 'LOW_EFFICIENCY', cases: 1, areaMu: 15 },
        { town: '中都街道', category: 'DEREGISTERED_HOLDER', cases: 1, areaMu: 3 },
        { town: '中都街道', category: 'SUSPECTED_IDLE', cases: 6, areaMu: 9 },
        { town: '未登记乡镇', category: 'DEREGISTERED_HOLDER', cases: 1, areaMu: 0.75 },
      ]),
    );
    expect(towns).toHaveLength(7);
    for (const category of ['DEREGISTERED_HOLDER', 'SUSPECTED_IDLE', 'LOW_EFFICIENCY'] as const) {
      const page = await all(t, { category });
      const mine = towns.filter((r) => r.category === category);
      expect(mine.reduce((s, r) => s + r.cases, 0)).toBe(page.totalCount);
      expect(mine.reduce((s, r) => s + r.areaMu, 0)).toBeCloseTo(page.totalAreaMu, 6);
    }
  });

  it('does not judge idleness before the year has ended, and says so', async () => {
    const page = await landRevitalizationCases(
      t.database,
      { year: YEAR },
      { first: null },
      { today: '2024-12-31' },
    );
    expect(page.cases.some((c) => c.categories.includes('SUSPECTED_IDLE'))).toBe(false);
    expect(page.notes.map((n) => n.text)).toEqual([
      '2024年尚未结束，未判断疑似闲置（需全年用电量和实缴税款）',
    ]);
    expect(page.cases.map((c) => c.uscc)).toEqual([L.DP, L.DI, L.CC, L.R1, L.R2, L.R4]);
  });

  it('does not call every firm idle in a year without tax or power data', async () => {
    const page = await all(t, { year: 2021 });
    expect(page.cases.some((c) => c.categories.includes('SUSPECTED_IDLE'))).toBe(false);
    expect(page.notes.map((n) => n.text)).toContain('2021年实缴税款数据尚未载入，未判断疑似闲置');
    // holders that are no longer active are listed whatever the year's data
    const deregistered = page.cases.filter((c) => c.categories.includes('DEREGISTERED_HOLDER'));
    expect(deregistered.map((c) => c.uscc).sort()).toEqual([L.R1, L.R2, L.R3, L.R4, L.LR].sort());
  });
});

describe(`land revitalization reads the grades of record (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await landCounty().seed.insert(t.database);
  });
  afterAll(() => t?.drop());

  it('reads the notice run, then the final one, and keeps a published D after a correction that would lift it live', async () => {
    const admin = viewerFor('admin');
    const run = await publishEvaluation(t.database, admin, YEAR, '2024年度公示');
    // while only the notice run is out, the list reads it and says so
    const noticed = (await all(t, { category: 'LOW_EFFICIENCY' })).cases.find(
      (c) => c.uscc === L.DP,
    )!;
    expect(noticed.grades.current).toMatchObject({
      grade: 'D',
      source: 'notice',
      runId: String(run.id),
    });
    expect(noticed.reasons[0]).toContain(`公示结果，第 ${run.id} 号评价发布`);
    expect(noticed.grades.previous?.source, 'no run of 2023: live').toBe('live');
    await finalizeEvaluation(t.database, admin, String(run.id));
    // a late payment: DP would now be graded A live
    const b = await batch(t.database, 'tax-payments');
    await t.database.db.insert(taxPayments).values({
      receiptNo: 'LATE-1',
      uscc: L.DP,
      period: '2024-11-01',
      taxType: '增值税',
      amountYuan: '9000000.00',
      batchId: b,
    });
    expect(muEfficiencyOf(await evaluateYear(t.database, YEAR), L.DP).grade).toBe('A');
    const dp = (await all(t, { category: 'LOW_EFFICIENCY' })).cases.find((c) => c.uscc === L.DP)!;
    expect(dp.grades.current).toMatchObject({ grade: 'D', source: 'final', runId: String(run.id) });
    expect(dp.reasons[0]).toContain(`正式结果，第 ${run.id} 号评价发布`);
    // the figures are live: the late payment shows
    expect(dp.taxPaidYuan).toBe(9_001_000);
  });
});
