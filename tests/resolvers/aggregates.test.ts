import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quarantinedRows } from '../../db/ingest.js';
import {
  type AggregateGroup,
  countyAggregates,
  dataFreshness,
  targetProgress,
} from '../../resolvers/aggregates.js';
import { clusterOf } from '../../resolvers/clusters.js';
import { evaluateYear } from '../../resolvers/evaluation.js';
import type { MetricsRow } from '../../resolvers/metric-table.js';
import { metricsSql } from '../../resolvers/metrics.js';
import { batch, countQueries, data, run, seedCounty, seedMany } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

describe(`county aggregates (${testDbMode()})`, () => {
  let t: TestDatabase;
  let metrics: (MetricsRow & { town: string; division: string; code: string; status: string })[];
  beforeAll(async () => {
    t = await createTestDatabase();
    await seedCounty(t.database);
    await seedMany(t.database, 30);
    const register = new Map(
      (
        await t.database.rows<{
          uscc: string;
          town: string;
          industry_division: string;
          industry_code: string;
          status: string;
        }>(
          (
            await import('drizzle-orm')
          ).sql`select uscc, town, industry_division, industry_code, status from enterprises`,
        )
      ).map((r) => [r.uscc, r]),
    );
    metrics = (await t.database.rows<MetricsRow>(metricsSql(2024))).map((m) => {
      const r = register.get(m.uscc)!;
      return {
        ...m,
        town: r.town,
        division: r.industry_division,
        code: r.industry_code,
        status: r.status,
      };
    });
  });
  afterAll(() => t?.drop());

  /** The expected totals of a group, summed in JS from metricsSql rows (an independent path). */
  function expected(members: typeof metrics) {
    const sum = (k: keyof MetricsRow) =>
      members.reduce((s, m) => s + (m[k] === null ? 0 : Number(m[k])), 0);
    const both = members.filter((m) => m.mu_average_tax_yuan !== null);
    const land = both.reduce((s, m) => s + Number(m.land_area_mu), 0);
    return {
      enterprises: members.length,
      taxPaidYuan: sum('tax_paid_yuan'),
      revenueYuan: sum('revenue_yuan'),
      landAreaMu: sum('land_area_mu'),
      electricityKwh: sum('electricity_kwh'),
      muAverageTaxYuan:
        land > 0 ? both.reduce((s, m) => s + Number(m.tax_paid_yuan), 0) / land : null,
    };
  }
  function check(group: AggregateGroup, members: typeof metrics) {
    const want = expected(members);
    expect(group.enterprises).toBe(want.enterprises);
    expect(Number(group.taxPaidYuan)).toBeCloseTo(want.taxPaidYuan, 2);
    expect(Number(group.revenueYuan)).toBeCloseTo(want.revenueYuan, 2);
    expect(Number(group.landAreaMu)).toBeCloseTo(want.landAreaMu, 6);
    expect(Number(group.electricityKwh)).toBeCloseTo(want.electricityKwh, 2);
    if (want.muAverageTaxYuan === null) expect(group.muAverageTaxYuan).toBeNull();
    else expect(Number(group.muAverageTaxYuan)).toBeCloseTo(want.muAverageTaxYuan, 6);
  }

  it('sums the county, each town, division and cluster as the metrics do', async () => {
    const a = await countyAggregates(t.database, 2024);
    check(a.county, metrics);
    expect(a.county.activeEnterprises).toBe(
      metrics.filter((m) => ['存续', '在业'].includes(m.status)).length,
    );
    expect(a.county.aboveScaleEnterprises).toBe(
      metrics.filter((m) => m.revenue_yuan !== null && Number(m.revenue_yuan) >= 20_000_000).length,
    );
    expect(a.byTown.map((g) => g.key)).toEqual([...new Set(metrics.map((m) => m.town))].sort());
    for (const g of a.byTown)
      check(
        g,
        metrics.filter((m) => m.town === g.key),
      );
    for (const g of a.byIndustryDivision)
      check(
        g,
        metrics.filter((m) => m.division === g.key),
      );
    for (const g of a.byCluster)
      check(
        g,
        metrics.filter((m) => clusterOf(m.code) === g.key),
      );
    expect(a.byCluster.reduce((s, g) => s + g.enterprises, 0)).toBe(metrics.length);
    expect(a.byCluster.find((g) => g.key === 'PHARMACEUTICALS')?.enterprises).toBe(0);
  });

  it('counts grades per population as the evaluation graded them', async () => {
    const a = await countyAggregates(t.database, 2024);
    const evaluation = await evaluateYear(t.database, 2024);
    for (const population of ['ABOVE_SCALE', 'BELOW_SCALE'] as const) {
      const members = [...evaluation.results.values()].filter((r) => r.population === population);
      const counts = a.county.grades.find((g) => g.population === population)!;
      expect(counts.evaluated).toBe(members.length);
      expect([counts.a, counts.b, counts.c, counts.d]).toEqual(
        ['A', 'B', 'C', 'D'].map((g) => members.filter((m) => m.grade === g).length),
      );
      expect(counts.d).toBeGreaterThan(0);
    }
    const town = a.byTown[0];
    const inTown = [...evaluation.results.values()].filter(
      (r) => r.town === town.key && r.population === 'ABOVE_SCALE',
    );
    expect(town.grades[0].evaluated).toBe(inTown.length);
  });

  it('sets cluster revenue beside the policy’s 2026 targets', async () => {
    const a = await countyAggregates(t.database, 2024);
    const progress = targetProgress(a);
    expect(progress.map((p) => [p.cluster, p.targetYear])).toEqual([
      ['CONSTRUCTION_MACHINERY_PARTS', 2026],
      ['AUTO_PARTS', 2026],
      ['GREEN_CHEMICALS', 2026],
      ['TEXTILES_APPAREL', 2026],
    ]);
    const chemicals = progress.find((p) => p.cluster === 'GREEN_CHEMICALS')!;
    const revenue = metrics
      .filter((m) => clusterOf(m.code) === 'GREEN_CHEMICALS')
      .reduce((s, m) => s + Number(m.revenue_yuan ?? 0), 0);
    expect(Number(chemicals.revenueYuan)).toBeCloseTo(revenue, 2);
    expect(chemicals.shareReached).toBeCloseTo(revenue / 20_000_000_000, 12);
    expect(progress.find((p) => p.cluster === 'AUTO_PARTS')!.targetRevenueYuan).toBe(
      10_000_000_000,
    );
    expect(chemicals.targetRevenueYuan).toBe(20_000_000_000);
  });

  it('answers the dashboard role through GraphQL in a fixed number of statements', async () => {
    const q = `{ countyAggregates(year: 2024) { year county { label enterprises muAverageTaxYuan grades { population a b c d } }
      byTown { key label enterprises } byIndustryDivision { key } byCluster { key label revenueYuan } clusterTargets { nameZh shareReached targetRevenueYuan } } }`;
    await data(t.database, q, {}, 'dashboard'); // the year's snapshot is in place
    const { result, queries } = await countQueries(t.database, () =>
      data(t.database, q, {}, 'dashboard'),
    );
    expect(queries).toBe(2); // the data version, the grouped statement
    expect(result.countyAggregates.county.label).toBe('全县');
    expect(result.countyAggregates.byCluster[1]).toMatchObject({
      key: 'AUTO_PARTS',
      label: '汽车零部件',
    });
    const asTax = await run(t.database, `{ countyAggregates(year: 2024) { year } }`, {}, 'tax');
    expect(asTax.errors).toBeUndefined(); // departments see aggregates too (roles.ts)
    const badYear = await run(
      t.database,
      `{ countyAggregates(year: 12) { year } }`,
      {},
      'dashboard',
    );
    expect(badYear.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reports every source’s freshness: latest batch, rows, quarantined and unmatched', async () => {
    const b = await batch(t.database, 'tax-payments', new Date('2025-06-30T10:00:00Z'));
    await t.database.db.insert(quarantinedRows).values({
      batchId: b,
      source: 'tax-payments',
      fileName: 'x.csv',
      rowNumber: 5,
      raw: { a: '1' },
      reasons: ['bad'],
    });
    const fresh = await dataFreshness(t.database);
    expect(fresh.map((s) => s.source)).toEqual([
      'market-registry',
      'market-penalties',
      'tax-payments',
      'tax-annual',
      'land-parcels',
      'land-leases',
      'power',
      'designations',
      'tech-projects',
    ]);
    const tax = fresh.find((s) => s.source === 'tax-payments')!;
    expect(tax).toMatchObject({
      latestBatchId: b,
      quarantined: 1,
      unmatched: 1,
      rows: 6 + 60,
      committedBatches: 3,
    });
    expect(new Date(tax.latestBatchAt!).toISOString()).toBe('2025-06-30T10:00:00.000Z');
    expect(fresh.find((s) => s.source === 'market-registry')).toMatchObject({
      rows: 34,
      unmatched: 0,
      committedBatches: 2,
    });
    const gql = await data(
      t.database,
      `{ dataFreshness { source latestBatchAt rows unmatched quarantined } }`,
      {},
      'dashboard',
    );
    expect(gql.dataFreshness).toHaveLength(9);
  });
});
