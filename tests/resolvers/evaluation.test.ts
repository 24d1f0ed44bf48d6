import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, rowsWithoutTimeout } from '../../db/client.js';
import { ingestBatches, manualLinks } from '../../db/ingest.js';
import { landParcels } from '../../db/land.js';
import { enterprises } from '../../db/market.js';
import { powerConsumption } from '../../db/power-view.js';
import { metricsSnapshots } from '../../db/search.js';
import { taxAnnual, taxPayments } from '../../db/tax.js';
import { setClock } from '../../lib/clock.js';
import { dataVersion } from '../../resolvers/data-version.js';
import {
  type Evaluation,
  evaluateYear,
  muEfficiencyOf,
  ranking,
} from '../../resolvers/evaluation.js';
import { evaluationMethods, parseEvaluationMethods } from '../../resolvers/evaluation-method.js';
import { ensureYearFigures } from '../../resolvers/year-figures.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

const batchId = 1;

/** An enterprise and its 2024-style records: one parcel, payments, one annual return, power readings. */
interface Firm {
  uscc: string;
  section?: string | null;
  status?: string;
  established?: string | null;
  town?: string;
  division?: string;
  /** one parcel of this many m², held from 2010 (or registered/cancelled as given) */
  landM2?: string;
  registeredOn?: string;
  cancelledOn?: string;
  /** [period, 元] */
  tax?: [string, string][];
  revenue?: string;
  rd?: string;
  employees?: number;
  year?: number;
  /** [account, month, kWh] */
  kwh?: [string, string, string][];
}

async function seed(t: TestDatabase, firms: Firm[]) {
  const db = t.database.db;
  await db.insert(enterprises).values(
    firms.map((f) => ({
      uscc: f.uscc,
      name: `企业${f.uscc.slice(-3)}`,
      nameNorm: `企业${f.uscc.slice(-3)}`,
      status: f.status ?? '存续',
      establishedOn: f.established === undefined ? '2015-01-01' : f.established,
      industrySection: f.section === undefined ? 'C' : f.section,
      industryDivision: f.division ?? 'C36',
      town: f.town ?? '南站镇',
      batchId,
    })),
  );
  const parcels = firms.filter((f) => f.landM2);
  if (parcels.length)
    await db.insert(landParcels).values(
      parcels.map((f) => ({
        unitNo: `U-${f.uscc}`,
        registeredOn: f.registeredOn ?? '2010-01-01',
        cancelledOn: f.cancelledOn ?? null,
        uscc: f.uscc,
        areaM2: f.landM2!,
        batchId,
      })),
    );
  const payments = firms.flatMap((f) =>
    (f.tax ?? []).map(([period, amountYuan], i) => ({
      receiptNo: `${f.uscc}-${period}-${i}`,
      uscc: f.uscc,
      period,
      taxType: '增值税',
      amountYuan,
      batchId,
    })),
  );
  if (payments.length) await db.insert(taxPayments).values(payments);
  const returns = firms.filter((f) => f.revenue !== undefined);
  if (returns.length)
    await db.insert(taxAnnual).values(
      returns.map((f) => ({
        identityKey: f.uscc,
        year: f.year ?? 2024,
        uscc: f.uscc,
        revenueYuan: f.revenue,
        rdExpenseYuan: f.rd,
        employees: f.employees,
        batchId,
      })),
    );
  const readings = firms.flatMap((f) =>
    (f.kwh ?? []).map(([accountNo, month, kwh]) => ({
      accountNo,
      month,
      uscc: f.uscc,
      kwh,
      batchId,
    })),
  );
  if (readings.length) await db.insert(powerConsumption).values(readings);
}

const commitBatch = (t: TestDatabase, source = 'tax-payments') =>
  t.database.db
    .insert(ingestBatches)
    .values({ source, status: 'committed', finishedAt: new Date() });

const id = (tag: string) => `91370830000000${tag.padStart(4, '0')}`;
const [U1, U2, U3, U4] = ['U1', 'U2', 'U3', 'U4'].map(id);
const [L1, L2, L4, L5] = ['L1', 'L2', 'L4', 'L5'].map(id);
const [N1, N2, N3, N4, N5, N6, N7] = ['N1', 'N2', 'N3', 'N4', 'N5', 'N6', 'N7'].map(id);

describe(`亩产效益 evaluation of a small county (${testDbMode()})`, () => {
  let t: TestDatabase;
  let ev: Evaluation;
  beforeAll(async () => {
    t = await createTestDatabase();
    await seed(t, [
      // 规上 (营业收入 ≥ 20,000,000 元). 1000 m² = 1.5 亩.
      {
        uscc: U1,
        landM2: '20000',
        tax: [
          ['2024-03-01', '1000000'],
          ['2024-09-01', '2000000'],
        ],
        revenue: '60000000',
        rd: '3000000',
        employees: 300,
        kwh: [
          ['A1', '2024-01-01', '4000000'],
          ['A2', '2024-02-01', '2000000'],
        ],
      },
      {
        uscc: U2,
        status: '在业',
        town: '次丘镇',
        landM2: '10000',
        tax: [['2024-05-01', '300000']],
        revenue: '30000000',
        rd: '0',
        employees: 90,
        kwh: [['B1', '2024-05-01', '1500000']],
      },
      {
        uscc: U3,
        division: 'C13',
        landM2: '10000',
        tax: [['2024-05-01', '1200000']],
        revenue: '20000000',
        rd: '100000',
        employees: 100,
      },
      {
        uscc: U4,
        tax: [['2024-05-01', '500000']],
        revenue: '90000000',
        rd: '900000',
        employees: 10,
        kwh: [['D1', '2024-05-01', '4500000']],
      },
      // 规下 (land ≥ 3 亩); L5 is inserted before L4 so that the tie is not broken by insertion order
      {
        uscc: L1,
        established: '2024-01-01',
        landM2: '2000',
        tax: [['2024-02-01', '30000']],
        revenue: '19999999.99',
      },
      { uscc: L2, landM2: '4000', tax: [['2024-02-01', '150000']] },
      { uscc: L5, landM2: '10000' },
      {
        uscc: L4,
        landM2: '3000',
        tax: [
          ['2024-02-01', '500'],
          ['2024-08-01', '-5000'],
        ],
      },
      // not evaluated (large figures, so that a wrongly included one would move the benchmarks)
      {
        uscc: N1,
        section: 'D',
        division: 'D44',
        landM2: '20000',
        tax: [['2024-02-01', '30000000']],
        revenue: '500000000',
      },
      {
        uscc: N2,
        section: 'F',
        division: 'F47',
        landM2: '20000',
        tax: [['2024-02-01', '30000000']],
      },
      {
        uscc: N3,
        status: '注销',
        landM2: '20000',
        tax: [['2024-02-01', '30000000']],
        revenue: '30000000',
      },
      {
        uscc: N4,
        established: '2024-03-01',
        landM2: '20000',
        tax: [['2024-02-01', '30000000']],
        revenue: '50000000',
      },
      { uscc: N5, landM2: '1900', tax: [['2024-02-01', '30000000']], revenue: '1000000' },
      { uscc: N6, tax: [['2024-02-01', '30000000']] },
      { uscc: N7, established: null, landM2: '20000', revenue: '50000000' },
    ]);
    await commitBatch(t);
    ev = await evaluateYear(t.database, 2024);
  });
  afterAll(() => t?.drop());

  it('scores 规上 by hand: aggregate-ratio benchmarks, the cap at 3, a missing indicator scoring 0', () => {
    // Benchmarks over the members with a value:
    //   亩均税收     (U1, U2, U3): (3,000,000 + 300,000 + 1,200,000) / (30 + 15 + 15 亩) = 75,000 元/亩  (U4 has no land)
    //   亩均营业收入 (U1, U2, U3): 110,000,000 / 60 = 1,833,333.33 元/亩
    //   单位能耗营业收入 (U1, U2, U4): 180,000,000 / (12,000,000 kWh × 1.229 / 10⁴ = 1,474.8 tce) = 122,050.45 元/tce
    //              (the factor cancels in value ÷ benchmark: U1 10 元/kWh ÷ 15 = 2/3, U2 and U4 20 ÷ 15 = 4/3)
    //   研发投入强度 (all four): (3,000,000 + 0 + 100,000 + 900,000) / 200,000,000 = 0.02
    //   全员劳动生产率 (all four): 200,000,000 / (300 + 90 + 100 + 10) = 400,000 元/人
    const u1 = ev.results.get(U1)!;
    const bench = Object.fromEntries(u1.indicators.map((i) => [i.id, i.benchmark]));
    expect(bench.muAverageTax).toBeCloseTo(75000, 6);
    expect(bench.muAverageRevenue).toBeCloseTo(110000000 / 60, 6);
    expect(bench.revenuePerTce).toBeCloseTo(180000000 / 1474.8, 6);
    expect(bench.rdIntensity).toBeCloseTo(0.02, 12);
    expect(bench.labourProductivity).toBeCloseTo(400000, 6);
    const points = (uscc: string) =>
      Object.fromEntries(ev.results.get(uscc)!.indicators.map((i) => [i.id, i.points]));
    // U1: 45 × 100,000/75,000 = 60; 20 × 12/11 = 21.818; 15 × 2/3 = 10; 15 × 0.05/0.02 = 37.5; 5 × 0.5 = 2.5 → 131.818
    expect(points(U1)).toEqual({
      muAverageTax: expect.closeTo(60, 9),
      muAverageRevenue: expect.closeTo(240 / 11, 9),
      revenuePerTce: expect.closeTo(10, 9),
      rdIntensity: expect.closeTo(37.5, 9),
      labourProductivity: expect.closeTo(2.5, 9),
    });
    expect(u1.score).toBeCloseTo(110 + 240 / 11, 9);
    // U2: 45 × 4/15 = 12; 240/11; 15 × 4/3 = 20; 研发 0 → 0; 5 × 333,333.33/400,000 = 25/6 → 57.985
    expect(ev.results.get(U2)!.score).toBeCloseTo(12 + 240 / 11 + 20 + 25 / 6, 9);
    // U3 (营业收入 exactly 20,000,000 is 规上): 45 × 16/15 = 48; 20 × 8/11; no power → 0; 15 × 0.25 = 3.75; 2.5 → 68.795
    expect(ev.results.get(U3)!.score).toBeCloseTo(48 + 160 / 11 + 3.75 + 2.5, 9);
    // U4: no land → 亩均 indicators 0; 20; 7.5; 9,000,000/400,000 = 22.5 capped at 3 → 15 → 42.5
    const u4 = ev.results.get(U4)!;
    expect(u4.score).toBeCloseTo(42.5, 9);
    expect(points(U4).labourProductivity).toBeCloseTo(15, 9);
    expect(u4.indicators.find((i) => i.id === 'muAverageTax')).toMatchObject({
      value: null,
      points: 0,
      weight: 45,
    });
    expect(u4.reasons).toContain(
      '亩均税收缺失（2024-12-31 无在用的土地（无宗地，也无租赁））：得 0 分',
    );
    expect(
      u4.reasons.some((r) => r.startsWith('全员劳动生产率为基准值的 22.5 倍：按上限 3 倍计分')),
    ).toBe(true);
    // n = 4: ⌈0.2⌉ = 1 D at the bottom, ⌊0.8⌋ = 0 A, ⌊1.6⌋ = 1 B
    expect(
      ev.ranked.get('ABOVE_SCALE')!.map((r) => [r.uscc, r.rank, r.grade, r.populationSize]),
    ).toEqual([
      [U1, 1, 'B', 4],
      [U3, 2, 'C', 4],
      [U2, 3, 'C', 4],
      [U4, 4, 'D', 4],
    ]);
    expect(u4.gradeLabel).toBe('限制发展类');
    expect(u1.reasons[0]).toBe('规上（2024 年营业收入 60,000,000.00 元 ≥ 20,000,000 元）');
  });

  it('scores 规下 on 亩均税收 alone, clips a negative ratio to 0 and breaks ties by USCC', () => {
    // members with a value: L1 30,000/3, L2 150,000/6, L4 (500 − 5,000)/4.5 → Σ 175,500 / 13.5 亩 = 13,000 元/亩
    // L1 100 × 10,000/13,000 = 76.92; L2 100 × 25,000/13,000 = 192.31; L4 −1,000 → 0; L5 no payment → 0
    const below = ev.ranked.get('BELOW_SCALE')!;
    expect(below[0].indicators[0].benchmark).toBeCloseTo(13000, 6);
    expect(below.map((r) => [r.uscc, r.grade])).toEqual([
      [L2, 'B'],
      [L1, 'C'],
      [L4, 'C'],
      [L5, 'D'],
    ]);
    expect(below[0].score).toBeCloseTo(2500 / 13, 9);
    expect(below[1].score).toBeCloseTo(1000 / 13, 9);
    expect([below[2].score, below[3].score]).toEqual([0, 0]);
    expect(below[2].indicators).toEqual([
      expect.objectContaining({ id: 'muAverageTax', value: -1000, points: 0, weight: 100 }),
    ]);
    expect(ev.results.get(L5)!.reasons).toContain('亩均税收缺失（2024 年无实缴税款记录）：得 0 分');
    // established on 2024-01-01 exactly is evaluated; 19,999,999.99 元 is below scale
    expect(ev.results.get(L1)!.population).toBe('BELOW_SCALE');
  });

  it('does not evaluate utilities, other sections, inactive, young or small enterprises, and says why', () => {
    const why = (uscc: string) => {
      const r = ev.results.get(uscc)!;
      expect(r).toMatchObject({
        evaluated: false,
        population: null,
        rank: null,
        grade: null,
        score: null,
      });
      return r.reasons.join(' | ');
    };
    expect(why(N1)).toMatch(/行业门类 D 不属于工业.*电力、热力、燃气及水生产和供应业不参评/);
    expect(why(N2)).toContain('行业门类 F 不属于工业');
    expect(why(N3)).toContain('登记状态「注销」不是正常经营');
    expect(why(N4)).toContain('T 暂不评价：成立日期 2024-03-01 晚于 2024-01-01');
    expect(why(N5)).toContain('用地面积 2.85 亩 < 3 亩');
    expect(why(N6)).toContain('用地面积 不详 < 3 亩');
    expect(why(N7)).toContain('成立日期不详');
    expect(ev.results.size).toBe(15);
    expect(muEfficiencyOf(ev, '91370830NOTHERE000').evaluated).toBe(false);
  });

  it('ranks within a town or industry division without re-ranking the county', async () => {
    const inTown = await ranking(t.database, {
      year: 2024,
      population: 'ABOVE_SCALE',
      town: '南站镇',
    });
    expect(inTown.map((r) => [r.uscc, r.rank])).toEqual([
      [U1, 1],
      [U3, 2],
      [U4, 4],
    ]);
    const c13 = await ranking(t.database, {
      year: 2024,
      population: 'ABOVE_SCALE',
      industryDivision: 'C13',
    });
    expect(c13.map((r) => r.uscc)).toEqual([U3]);
    expect(
      (await ranking(t.database, { year: 2024, population: 'BELOW_SCALE', first: 2 })).map(
        (r) => r.uscc,
      ),
    ).toEqual([L2, L1]);
  });

  it('serves a second call from the cache and recomputes when a batch commits or a record is linked', async () => {
    let before = t.database.stats.queries;
    const again = await evaluateYear(t.database, 2024);
    expect(again).toBe(ev);
    expect(t.database.stats.queries - before).toBe(1); // the data version only

    // L5 pays 130,000 元: not seen until a batch commits
    await t.database.db.insert(taxPayments).values({
      receiptNo: 'L5-late',
      uscc: L5,
      period: '2024-11-01',
      taxType: '增值税',
      amountYuan: '130000',
      batchId,
    });
    expect(await evaluateYear(t.database, 2024)).toBe(ev);
    await commitBatch(t);
    before = t.database.stats.queries;
    const fresh = await evaluateYear(t.database, 2024);
    // the data version, the years whose data is in (once per data version), the evaluation
    expect(t.database.stats.queries - before).toBe(3);
    expect(fresh.dataVersion).not.toBe(ev.dataVersion);
    // benchmark (175,500 + 130,000) / (13.5 + 15) = 10,719.30; L5 130,000 / 15 = 8,666.67 → 80.85
    expect(fresh.results.get(L5)!.score).toBeCloseTo((100 * (130000 / 15)) / (305500 / 28.5), 9);

    // an unmatched parcel of 5000 m² (7.5 亩) linked by hand to U4 gives it 亩均税收 = 500,000 / 7.5
    await t.database.db.insert(landParcels).values({
      unitNo: 'LOOSE',
      registeredOn: '2012-01-01',
      uscc: null,
      rawName: '企业 U4',
      areaM2: '5000',
      batchId,
    });
    await commitBatch(t, 'land-parcels');
    expect((await evaluateYear(t.database, 2024)).results.get(U4)!.indicators[0].value).toBeNull();
    await t.database.db
      .update(landParcels)
      .set({ uscc: U4, matchMethod: 'manual' })
      .where(eq(landParcels.unitNo, 'LOOSE'));
    await t.database.db
      .insert(manualLinks)
      .values({ source: 'land-parcels', recordKey: 'LOOSE|2012-01-01', uscc: U4 });
    const linked = await evaluateYear(t.database, 2024);
    expect(linked.results.get(U4)!.indicators[0].value).toBeCloseTo(500000 / 7.5, 6);
  });

  it('changes the data version when a running batch finishes', async () => {
    const [batch] = await t.database.db
      .insert(ingestBatches)
      .values({ source: 'power', status: 'running' })
      .returning();
    const running = await dataVersion(t.database);
    await t.database.db
      .update(ingestBatches)
      .set({ status: 'committed', finishedAt: new Date() })
      .where(eq(ingestBatches.id, batch.id));
    expect(await dataVersion(t.database)).not.toBe(running);
  });

  it('answers not evaluated for a year no method covers and no data reaches', async () => {
    const old = await evaluateYear(t.database, 2005);
    expect(old.method).toBeNull();
    expect(muEfficiencyOf(old, U1).reasons).toEqual([
      '税务局 2005 年实缴税款数据未入库（没有税款所属期在 2005 年的实缴记录）',
      '税务局 2005 年度企业所得税年度申报数据未入库（没有 2005 年度的申报）',
    ]);
  });

  it('computes a year and its figures without the statement timeout the service sets (its request timeout)', async () => {
    if (!t.url) return; // PGlite has no statement timeout
    const limited = await openDatabase({ databaseUrl: t.url, max: 2, statementTimeoutMs: 100 });
    try {
      await expect(limited.rows(sql`select pg_sleep(0.3)`)).rejects.toMatchObject({
        cause: { code: '57014' },
      });
      await expect(rowsWithoutTimeout(limited, sql`select pg_sleep(0.3)`)).resolves.toHaveLength(1);
      // the county-wide statements each follow the SET LOCAL that lifts the timeout
      const seen: string[] = [];
      limited.onQuery = (query) => seen.push(query);
      const evaluation = await evaluateYear(limited, 2024);
      expect([...evaluation.results.keys()].sort()).toEqual([...ev.results.keys()].sort());
      await limited.db.delete(metricsSnapshots).where(eq(metricsSnapshots.year, 2024));
      await ensureYearFigures(limited, 2024);
      const preceding = (pattern: RegExp) => seen[seen.findIndex((q) => pattern.test(q)) - 1];
      expect(preceding(/flagged as/)).toMatch(/set local statement_timeout = 0/);
      expect(preceding(/pg_advisory_xact_lock/)).toMatch(/set local statement_timeout = 0/);
    } finally {
      await limited.close();
    }
  });
});

describe(`grade boundaries (${testDbMode()})`, () => {
  // G01…G40 each hold 3 亩 and pay k × 1,000 元 a year, so G40 is best; parcels are cancelled so
  // that the 规下 population has n = 40 in 2030, 21 in 2031, 20 in 2032, 4 in 2033 and 1 in 2034.
  let t: TestDatabase;
  const g = (k: number) => id(`G${String(k).padStart(2, '0')}`);
  const cancelled = (k: number) =>
    k === 1
      ? undefined
      : k <= 4
        ? '2033-12-31'
        : k <= 20
          ? '2032-12-31'
          : k === 21
            ? '2031-12-31'
            : '2030-12-31';
  beforeAll(async () => {
    // the years graded here must have ended
    setClock(() => new Date('2040-01-01T00:00:00Z'));
    t = await createTestDatabase();
    // a utility (not evaluated) files the annual returns that make 2030–2034 years with data
    await seed(
      t,
      [2030, 2031, 2032, 2033, 2034].map((year) => ({
        uscc: id(`X${year - 2000}`),
        section: 'D',
        revenue: '1000000',
        year,
      })),
    );
    await seed(
      t,
      Array.from({ length: 40 }, (_, i) => ({
        uscc: g(i + 1),
        established: '2020-01-01',
        landM2: '2000',
        registeredOn: '2030-06-01',
        cancelledOn: cancelled(i + 1),
        tax: [2030, 2031, 2032, 2033, 2034].map(
          (y) => [`${y}-06-01`, String((i + 1) * 1000)] as [string, string],
        ),
      })),
    );
    await commitBatch(t);
  });
  afterAll(async () => {
    setClock(null);
    await t?.drop();
  });

  const grades = async (year: number) => {
    const below = await ranking(t.database, { year, population: 'BELOW_SCALE' });
    // best first: the largest k first, every rank once
    expect(below.map((r) => r.uscc)).toEqual(below.map((_, p) => g(below.length - p)));
    expect(below.map((r) => r.rank)).toEqual(below.map((_, p) => p + 1));
    return below.map((r) => r.grade).join('');
  };

  it('follows ⌊20%⌋ A, the next ⌊40%⌋ B and ⌈5%⌉ D for n = 1, 4, 20, 21, 40', async () => {
    expect(await grades(2034)).toBe('D'); // n = 1: ⌈0.05⌉ = 1 D
    expect(await grades(2033)).toBe('BCCD'); // n = 4: 0 A, 1 B, 1 D
    expect(await grades(2032)).toBe(`AAAA${'B'.repeat(8)}${'C'.repeat(7)}D`); // n = 20: 4 A, 8 B, ⌈1⌉ = 1 D
    expect(await grades(2031)).toBe(`AAAA${'B'.repeat(8)}${'C'.repeat(7)}DD`); // n = 21: 4 A, 8 B, ⌈1.05⌉ = 2 D
    expect(await grades(2030)).toBe(`${'A'.repeat(8) + 'B'.repeat(16) + 'C'.repeat(14)}DD`); // n = 40: 8 A, 16 B, 2 D
  });

  it('applies a later method from configuration, not code', async () => {
    const [current] = evaluationMethods();
    const methods = parseEvaluationMethods({
      methods: [
        { ...current, effectiveYears: { from: 2019, to: 2029 } },
        {
          ...current,
          id: 'wenshang-mu-2030',
          effectiveYears: { from: 2030, to: null },
          grades: { ...current.grades, aMaxShare: 0.5, bShare: 0.25 },
        },
      ],
    });
    const later = await evaluateYear(t.database, 2030, { methods });
    expect(later.method!.id).toBe('wenshang-mu-2030');
    // n = 40: ⌊20⌋ A, ⌊10⌋ B, 2 D
    expect(
      later.ranked
        .get('BELOW_SCALE')!
        .map((r) => r.grade)
        .join(''),
    ).toBe(`${'A'.repeat(20) + 'B'.repeat(10) + 'C'.repeat(8)}DD`);
    expect(() =>
      parseEvaluationMethods({ methods: [current, { ...current, id: 'overlapping' }] }),
    ).toThrow(/overlap/);
  });
});
