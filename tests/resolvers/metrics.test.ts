import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { landLeases, landParcels } from '../../db/land.js';
import { enterprises } from '../../db/market.js';
import { powerConsumption } from '../../db/power-view.js';
import { taxAnnual, taxPayments } from '../../db/tax.js';
import type { MetricsRow } from '../../resolvers/metric-table.js';
import { metricsSql } from '../../resolvers/metrics.js';
import { metricsFor } from '../../resolvers/metrics-loader.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

// A small county for 2024. 1 亩 = 10000/15 m², so every 1000 m² is 1.5 亩.
const A = '91370830MA0000000A';
const B = '91370830MA0000000B';
const C = '91370830MA0000000C';
const D = '91370830MA0000000D';
const E = '91370830MA0000000E';
const NOBODY = '91370830MA00000NOB';

const batchId = 1;
const months = (year: number, from = 1, to = 12) =>
  Array.from(
    { length: to - from + 1 },
    (_, i) => `${year}-${String(from + i).padStart(2, '0')}-01`,
  );

describe(`metrics (${testDbMode()})`, () => {
  let t: TestDatabase;
  const rowOf = async (uscc: string, year = 2024, tcePer10kKwh?: number) => {
    const rows = await t.database.rows<MetricsRow>(
      metricsSql(year, { usccs: [uscc], tcePer10kKwh }),
    );
    expect(rows).toHaveLength(1);
    return rows[0];
  };

  beforeAll(async () => {
    t = await createTestDatabase();
    const db = t.database.db;
    await db.insert(enterprises).values(
      [A, B, C, D, E].map((uscc) => ({
        uscc,
        name: `企业${uscc.slice(-1)}`,
        nameNorm: `企业${uscc.slice(-1)}`,
        status: '存续',
        batchId,
      })),
    );
    await db.insert(landParcels).values([
      // A holds P1 (6000 m²) since 2018.
      { unitNo: 'P1', registeredOn: '2018-05-01', uscc: A, areaM2: '6000', batchId },
      // P2 changes holder: B until 2024-06-30 (注销日期 = last day held), A from 2024-07-01.
      {
        unitNo: 'P2',
        registeredOn: '2015-01-01',
        cancelledOn: '2024-06-30',
        uscc: B,
        areaM2: '2000',
        batchId,
      },
      { unitNo: 'P2', registeredOn: '2024-07-01', uscc: A, areaM2: '2000', batchId },
      { unitNo: 'P3', registeredOn: '2010-01-01', uscc: B, areaM2: '4000', batchId },
      // D holds 2000 m² and leases all of it out to E: land in use 0.
      { unitNo: 'P4', registeredOn: '2020-01-01', uscc: D, areaM2: '2000', batchId },
      // registered after the day: not held on 2024-12-31
      { unitNo: 'P5', registeredOn: '2025-01-01', uscc: C, areaM2: '9000', batchId },
      // an unmatched parcel counts for nobody
      {
        unitNo: 'P6',
        registeredOn: '2010-01-01',
        uscc: null,
        rawName: '企业A',
        areaM2: '5000',
        batchId,
      },
    ]);
    const lease = (
      filingNo: string,
      lessorUscc: string | null,
      lesseeUscc: string | null,
      areaM2: string,
      startsOn: string,
      endsOn: string,
    ) => ({
      filingNo,
      lessorUscc,
      lesseeUscc,
      areaM2,
      startsOn,
      endsOn,
      batchId,
    });
    await db.insert(landLeases).values([
      lease('L1', A, C, '1000', '2024-01-01', '2026-12-31'), // A → C, in force
      lease('L2', B, A, '500', '2023-01-01', '2024-12-31'), // B → A, 终止日期 inclusive: in force
      lease('L3', B, A, '300', '2023-01-01', '2024-12-30'), // ended the day before: not counted
      lease('L4', D, E, '2000', '2024-03-01', '2025-02-28'), // D → E
    ]);
    await db.insert(taxPayments).values([
      ...months(2024).map((period, i) => ({
        receiptNo: `A-VAT-${i}`,
        uscc: A,
        period,
        taxType: '增值税',
        amountYuan: '30000',
        batchId,
      })),
      {
        receiptNo: 'A-CIT',
        uscc: A,
        period: '2024-04-01',
        taxType: '企业所得税',
        amountYuan: '100000',
        batchId,
      },
      {
        receiptNo: 'A-REFUND',
        uscc: A,
        period: '2024-09-01',
        taxType: '增值税',
        amountYuan: '-20000.50',
        batchId,
      },
      {
        receiptNo: 'A-2023',
        uscc: A,
        period: '2023-12-01',
        taxType: '增值税',
        amountYuan: '50000',
        batchId,
      },
      {
        receiptNo: 'A-2025',
        uscc: A,
        period: '2025-01-01',
        taxType: '增值税',
        amountYuan: '70000',
        batchId,
      },
      {
        receiptNo: 'UNMATCHED',
        uscc: null,
        rawName: '企业A',
        period: '2024-05-01',
        taxType: '增值税',
        amountYuan: '99999',
        batchId,
      },
      {
        receiptNo: 'B-2023',
        uscc: B,
        period: '2023-06-01',
        taxType: '增值税',
        amountYuan: '8000',
        batchId,
      },
      {
        receiptNo: 'C-1',
        uscc: C,
        period: '2024-03-01',
        taxType: '增值税',
        amountYuan: '15000',
        batchId,
      },
      {
        receiptNo: 'D-1',
        uscc: D,
        period: '2024-03-01',
        taxType: '增值税',
        amountYuan: '5000',
        batchId,
      },
    ]);
    await db.insert(taxAnnual).values([
      {
        identityKey: A,
        year: 2024,
        uscc: A,
        revenueYuan: '90000000',
        rdExpenseYuan: '2700000',
        employees: 150,
        batchId,
      },
      {
        identityKey: A,
        year: 2023,
        uscc: A,
        revenueYuan: '1',
        rdExpenseYuan: '1',
        employees: 1,
        batchId,
      },
      {
        identityKey: B,
        year: 2024,
        uscc: B,
        revenueYuan: '10000000',
        rdExpenseYuan: null,
        employees: 0,
        batchId,
      },
    ]);
    await db.insert(powerConsumption).values([
      // A has two accounts: 12 × 100,000 kWh and 6 × 50,000 kWh in 2024
      ...months(2024).map((month) => ({
        accountNo: '0001',
        month,
        uscc: A,
        kwh: '100000',
        batchId,
      })),
      ...months(2024, 7).map((month) => ({
        accountNo: '0002',
        month,
        uscc: A,
        kwh: '50000',
        batchId,
      })),
      { accountNo: '0001', month: '2023-12-01', uscc: A, kwh: '777777', batchId },
      {
        accountNo: '0099',
        month: '2024-01-01',
        uscc: null,
        rawName: '企业A',
        kwh: '888888',
        batchId,
      },
      { accountNo: '0005', month: '2024-01-01', uscc: E, kwh: '0', batchId },
    ]);
  });
  afterAll(() => t?.drop());

  it('keeps the column contract other queries join on', async () => {
    const row = await rowOf(A);
    expect(Object.keys(row).sort()).toEqual(
      [
        'uscc',
        'year',
        'land_area_mu',
        'land_area_m2',
        'tax_paid_yuan',
        'revenue_yuan',
        'electricity_kwh',
        'energy_tce',
        'mu_average_tax_yuan',
        'mu_average_revenue_yuan',
        'revenue_per_tce_yuan',
        'rd_expense_yuan',
        'rd_intensity',
        'employees',
        'labour_productivity_yuan',
        'has_land_record',
        'tax_payment_count',
        'has_annual_return',
        'power_reading_count',
      ].sort(),
    );
    const all = await t.database.rows<MetricsRow>(metricsSql(2024));
    expect(all.map((r) => r.uscc).sort()).toEqual([A, B, C, D, E]);
  });

  it('computes A by hand: parcels changing holder, leases in and out, refunds, two power accounts', async () => {
    const row = await rowOf(A);
    // land: P1 6000 + P2 2000 (A's since 2024-07-01) − L1 1000 out + L2 500 in = 7500 m²
    //       (L3 ended 2024-12-30, the unmatched P6 counts for nobody) → 7500 × 15 / 10000 = 11.25 亩
    expect(Number(row.land_area_m2)).toBe(7500);
    expect(Number(row.land_area_mu)).toBe(11.25);
    // tax: 12 × 30,000 + 100,000 − 20,000.50 = 439,999.50 元 (2023 and 2025 and the unmatched receipt excluded)
    expect(row.tax_paid_yuan).toMatch(/^439999\.50*$/);
    expect(row.tax_payment_count).toBe(14);
    // 亩均税收 = 439,999.50 / 11.25 = 39,111.0666… 元/亩
    expect(Number(row.mu_average_tax_yuan)).toBeCloseTo(39111.066667, 5);
    // 亩均营业收入 = 90,000,000 / 11.25 = 8,000,000 元/亩
    expect(Number(row.mu_average_revenue_yuan)).toBe(8000000);
    // electricity: 12 × 100,000 + 6 × 50,000 = 1,500,000 kWh; energy = 1,500,000 × 1.229 / 10⁴ = 184.35 tce
    expect(Number(row.electricity_kwh)).toBe(1500000);
    expect(row.power_reading_count).toBe(18);
    expect(Number(row.energy_tce)).toBe(184.35);
    // 单位能耗营业收入 = 90,000,000 / 184.35 = 488,201.79…
    expect(Number(row.revenue_per_tce_yuan)).toBeCloseTo(90000000 / 184.35, 6);
    // 研发投入强度 = 2,700,000 / 90,000,000 = 0.03; 全员劳动生产率 = 90,000,000 / 150 = 600,000
    expect(Number(row.rd_intensity)).toBe(0.03);
    expect(Number(row.labour_productivity_yuan)).toBe(600000);

    const [metrics] = [...(await metricsFor(t.database, [A], 2024)).values()];
    expect(metrics).toMatchObject({
      uscc: A,
      year: 2024,
      landAreaMu: 11.25,
      taxPaidYuan: 439999.5,
      employees: 150,
      rdIntensity: 0.03,
      missing: [],
    });
  });

  it('takes the tce factor of the year from the method, or the one given', async () => {
    // 1,500,000 kWh × 2 / 10⁴ = 300 tce; 90,000,000 / 300 = 300,000 元/tce
    const row = await rowOf(A, 2024, 2);
    expect(Number(row.energy_tce)).toBe(300);
    expect(Number(row.revenue_per_tce_yuan)).toBe(300000);
  });

  it('leaves a metric null, never 0, and says which input is missing', async () => {
    const m = await metricsFor(t.database, [B, C, D, E, NOBODY], 2024);
    expect(m.has(NOBODY)).toBe(false);
    // B: P3 4000 − L2 500 out = 3500 m² = 5.25 亩 (P2 was B's only until 2024-06-30); no 2024 payment
    const b = m.get(B)!;
    expect(b.landAreaMu).toBe(5.25);
    expect(b.taxPaidYuan).toBeNull();
    expect(b.muAverageTaxYuan).toBeNull();
    expect(b.muAverageRevenueYuan).toBeCloseTo(10000000 / 5.25, 6);
    expect(b.rdIntensity).toBeNull();
    expect(b.labourProductivityYuan).toBeNull();
    expect(b.electricityKwh).toBeNull();
    expect(b.missing).toEqual(
      expect.arrayContaining([
        '2024 年无实缴税款记录',
        '2024 年无用电记录',
        '2024 年度申报未填研发费用',
        '2024 年年平均从业人数为 0',
      ]),
    );
    // C: only the 1000 m² leased in (P5 is registered in 2025) = 1.5 亩; no annual return
    const c = m.get(C)!;
    expect(c.landAreaMu).toBe(1.5);
    expect(c.muAverageTaxYuan).toBe(10000); // 15,000 / 1.5
    expect(c.revenueYuan).toBeNull();
    expect(c.missing).toContain('无 2024 年度企业所得税年度申报');
    // D: 2000 held − 2000 leased out = 0: 亩均税收 undefined although tax was paid
    const d = m.get(D)!;
    expect(d.landAreaMu).toBe(0);
    expect(d.taxPaidYuan).toBe(5000);
    expect(d.muAverageTaxYuan).toBeNull();
    expect(d.missing).toContain('用地面积为 0');
    // E: leases in 2000 m² = 3 亩; its only reading is 0 kWh: energy 0, 单位能耗营业收入 undefined
    const e = m.get(E)!;
    expect(e.landAreaMu).toBe(3);
    expect(e.electricityKwh).toBe(0);
    expect(e.revenuePerTceYuan).toBeNull();
    // a year with no records at all
    const none = (await metricsFor(t.database, [A], 2010)).get(A)!;
    expect(none.landAreaMu).toBeNull();
    expect(none.missing).toEqual(
      expect.arrayContaining([
        '2010-12-31 无在用的土地（无宗地，也无租赁）',
        '2010 年无实缴税款记录',
        '无 2010 年度企业所得税年度申报',
        '2010 年无用电记录',
      ]),
    );
  });

  it('loads any number of enterprises in one statement', async () => {
    const before = t.database.stats.queries;
    const m = await metricsFor(t.database, [A, B, C, D, E, A], 2024);
    expect(t.database.stats.queries - before).toBe(1);
    expect([...m.keys()].sort()).toEqual([A, B, C, D, E]);
    expect(await metricsFor(t.database, [], 2024)).toEqual(new Map());
  });

  it('counts an unmatched record once it is linked', async () => {
    await t.database.db
      .update(taxPayments)
      .set({ uscc: A, matchMethod: 'manual' })
      .where(eq(taxPayments.receiptNo, 'UNMATCHED'));
    const a = (await metricsFor(t.database, [A], 2024)).get(A)!;
    // 439,999.50 + 99,999 = 539,998.50
    expect(a.taxPaidYuan).toBe(539998.5);
  });
});
