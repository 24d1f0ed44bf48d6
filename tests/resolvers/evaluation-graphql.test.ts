import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countQueries, data, run, seedCounty } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

// The shared schema county (tests/schema/support.ts), worked out for 2024:
// A (C3670, 存续): tax 120,000 + 80,000 − 5,000 = 195,000 元; land 20,000 − 2,000 leased out = 18,000 m² = 27 亩;
//   营业收入 30,000,000 (规上); 6,000 kWh over two accounts → 6,000 × 1.229 / 10⁴ = 0.7374 tce;
//   亩均税收 195,000 / 27 = 7,222.22; 亩均营业收入 1,111,111.11; 单位能耗营业收入 30,000,000 / 0.7374;
//   研发投入强度 900,000 / 30,000,000 = 0.03; 全员劳动生产率 30,000,000 / 120 = 250,000.
//   The only 规上 member: every value equals its benchmark → 45 + 20 + 15 + 15 + 5 = 100 points;
//   n = 1 → ⌈0.05⌉ = 1 D.
// B (C2614): 营业收入 5,000,000 (规下); 4,000 + 2,000 leased in = 6,000 m² = 9 亩; 30,000 / 9 = 3,333.33 → 100 points, D.
// C is 注销 and D is a utility (section D): not evaluated.
describe(`metrics and 亩产效益 through GraphQL (${testDbMode()})`, () => {
  let t: TestDatabase;
  let county: Awaited<ReturnType<typeof seedCounty>>;
  beforeAll(async () => {
    t = await createTestDatabase();
    county = await seedCounty(t.database);
  });
  afterAll(() => t?.drop());

  const PROFILE = /* GraphQL */ `
    query ($uscc: String!) {
      enterprise(uscc: $uscc) {
        metrics(year: 2024) {
          year landAreaMu landAreaM2 taxPaidYuan revenueYuan electricityKwh energyTce muAverageTaxYuan muAverageRevenueYuan
          revenuePerTceYuan rdExpenseYuan rdIntensity employees labourProductivityYuan missing
        }
        muEfficiency(year: 2024) {
          enterprise { uscc } year methodId evaluated population rank populationSize score grade gradeLabel reasons
          indicators { name nameZh unit value benchmark weight points }
        }
      }
    }`;

  it('serves the hand-worked metrics and grade of a profile', async () => {
    const { enterprise: a } = await data(t.database, PROFILE, { uscc: county.A.uscc });
    expect(a.metrics).toMatchObject({
      year: 2024,
      landAreaMu: 27,
      landAreaM2: 18000,
      taxPaidYuan: 195000,
      revenueYuan: 30000000,
      electricityKwh: 6000,
      energyTce: 0.7374,
      rdExpenseYuan: 900000,
      rdIntensity: 0.03,
      employees: 120,
      labourProductivityYuan: 250000,
      missing: [],
    });
    // rounded as officials write them: 元 to the fen (7,222.2222… → 7,222.22)
    expect(a.metrics.muAverageTaxYuan).toBe(7222.22);
    expect(a.metrics.muAverageRevenueYuan).toBe(1111111.11);
    expect(a.metrics.revenuePerTceYuan).toBe(40683482.51);
    expect(a.muEfficiency).toMatchObject({
      enterprise: { uscc: county.A.uscc },
      year: 2024,
      methodId: 'wenshang-mu-2019',
      evaluated: true,
      population: 'ABOVE_SCALE',
      rank: 1,
      populationSize: 1,
      grade: 'D',
      gradeLabel: '限制发展类',
    });
    expect(a.muEfficiency.score).toBe(100);
    expect(a.muEfficiency.indicators.map((i: any) => [i.name, i.nameZh, i.weight])).toEqual([
      ['muAverageTax', '亩均税收', 45],
      ['muAverageRevenue', '亩均营业收入', 20],
      ['revenuePerTce', '单位能耗营业收入', 15],
      ['rdIntensity', '研发投入强度', 15],
      ['labourProductivity', '全员劳动生产率', 5],
    ]);
    for (const i of a.muEfficiency.indicators) expect(i.benchmark).toBeCloseTo(i.value, 6);

    const { enterprise: d } = await data(t.database, PROFILE, { uscc: county.D.uscc });
    expect(d.metrics.landAreaMu).toBeNull();
    expect(d.metrics.missing).toContain('2024-12-31 无在用的土地（无宗地，也无租赁）');
    expect(d.muEfficiency).toMatchObject({
      evaluated: false,
      population: null,
      grade: null,
      indicators: [],
    });
    expect(d.muEfficiency.reasons.join()).toContain('行业门类 D 不属于工业');
  });

  it('ranks a population best first, filtered by town or division', async () => {
    const RANKING = /* GraphQL */ `
      query ($population: Population, $town: String, $first: Int) {
        muEfficiencyRanking(year: 2024, population: $population, town: $town, first: $first) { enterprise { uscc name } rank grade score }
      }`;
    const above = await data(t.database, RANKING, {});
    expect(above.muEfficiencyRanking.map((r: any) => [r.enterprise.uscc, r.rank, r.grade])).toEqual(
      [[county.A.uscc, 1, 'D']],
    );
    const below = await data(t.database, RANKING, { population: 'BELOW_SCALE' });
    expect(below.muEfficiencyRanking.map((r: any) => r.enterprise.uscc)).toEqual([county.B.uscc]);
    expect(below.muEfficiencyRanking[0].score).toBeCloseTo(100, 9);
    expect(
      (await data(t.database, RANKING, { population: 'BELOW_SCALE', town: '中都街道' }))
        .muEfficiencyRanking,
    ).toEqual([]);
    const negative = await run(t.database, RANKING, { first: -1 });
    expect(negative.errors?.[0].message).toBe('first 不能为负数');
    const badYear = await run(t.database, `{ muEfficiencyRanking(year: 20245) { rank } }`);
    expect(badYear.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reads the ranking’s enterprises in one statement, and none when they are not asked for', async () => {
    const ranking = (beneath: string) =>
      `{ muEfficiencyRanking(year: 2024, population: BELOW_SCALE) { rank ${beneath} } }`;
    await data(t.database, ranking('')); // warms the county evaluation cache
    const version = await countQueries(t.database, () => data(t.database, ranking('')));
    const named = await countQueries(t.database, () =>
      data(t.database, ranking('enterprise { uscc name town }')),
    );
    const viaFragment = await countQueries(t.database, () =>
      data(t.database, ranking('... on MuEfficiency { enterprise { name } }')),
    );
    expect(named.result.muEfficiencyRanking[0].enterprise).toEqual({
      uscc: county.B.uscc,
      name: county.B.name,
      town: county.B.town,
    });
    expect(viaFragment.result.muEfficiencyRanking[0].enterprise.name).toBe(county.B.name);
    // the ranking alone costs only the data version check(s); its enterprises one statement more
    expect(named.queries).toBe(version.queries + 1);
    expect(viaFragment.queries).toBe(version.queries + 1);
  });

  it('loads metrics and grades of a list without a statement per enterprise', async () => {
    const LIST = /* GraphQL */ `
      query ($first: Int) {
        enterprises(first: $first) { edges { node { uscc metrics(year: 2024) { taxPaidYuan } muEfficiency(year: 2024) { grade } } } }
      }`;
    await data(t.database, LIST, { first: 1 }); // warms the county evaluation cache
    const two = await countQueries(t.database, () => data(t.database, LIST, { first: 2 }));
    const four = await countQueries(t.database, () => data(t.database, LIST, { first: 4 }));
    expect(four.result.enterprises.edges).toHaveLength(4);
    expect(four.queries).toBe(two.queries);
    expect(four.result.enterprises.edges.map((e: any) => e.node.muEfficiency.grade)).toEqual(
      [county.A, county.B, county.C, county.D].map((e) =>
        e === county.A || e === county.B ? 'D' : null,
      ),
    );
  });

  it('keeps metrics and grades to roles with the shared profile', async () => {
    const denied = await run(
      t.database,
      `{ muEfficiencyRanking(year: 2024) { rank } }`,
      {},
      'dashboard',
    );
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const tax = await data(t.database, `{ muEfficiencyRanking(year: 2024) { grade } }`, {}, 'tax');
    expect(tax.muEfficiencyRanking).toEqual([{ grade: 'D' }]);
  });
});
