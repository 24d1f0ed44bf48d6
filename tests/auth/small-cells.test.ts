import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suppressSmallCells } from '../../resolvers/small-cells.js';
import { run, seedCounty, seedMany } from '../schema/support.js';
import type { TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { bearer, keysForEveryRole, startAuthApp } from './support.js';

describe('suppressSmallCells', () => {
  const rows = (...firms: number[]) => firms.map((n, i) => ({ key: `t${i}`, firms: n }));
  const withheld = (firms: number[], min = 3, applies = true) =>
    suppressSmallCells(rows(...firms), (r) => r.firms, min, applies)
      .filter((r) => r.suppressed)
      .map((r) => r.key);

  it('withholds every cell over 1 … min − 1 firms, never an empty one', () => {
    expect(withheld([10, 2, 0, 1, 7])).toEqual(['t1', 't3']);
    expect(withheld([10, 3, 0])).toEqual([]);
  });

  it('withholds the smallest shown cell too while the withheld ones hold fewer than min firms', () => {
    // t1 alone (1 firm) would be the county total minus the others: t2 (4 firms) goes with it
    expect(withheld([10, 1, 4, 0])).toEqual(['t1', 't2']);
    expect(withheld([1])).toEqual(['t0']);
  });

  it('withholds nothing for analyst and admin, or when the minimum is 0 or 1', () => {
    expect(withheld([1, 2, 10], 3, false)).toEqual([]);
    expect(withheld([1, 2, 10], 1)).toEqual([]);
    expect(withheld([1, 2, 10], 0)).toEqual([]);
  });
});

describe(`small cells by town, industry and cluster (${testDbMode()})`, () => {
  let t: TestDatabase;

  beforeAll(async () => {
    t = await createTestDatabase();
    await seedCounty(t.database);
    // twelve more firms over three towns and six industry divisions: some divisions hold one or two
    await seedMany(t.database, 12);
  }, 120_000);
  afterAll(() => t?.drop());

  const aggregates = `{ countyAggregates(year: 2024) {
    county { suppressed taxPaidYuan }
    byTown { key suppressed note taxPaidYuan revenueYuan landAreaMu electricityKwh muAverageTaxYuan aboveScaleEnterprises grades { evaluated } }
    byIndustryDivision { key suppressed taxPaidYuan }
    byCluster { key suppressed revenueYuan }
    clusterTargets { cluster suppressed revenueYuan shareReached }
  } }`;

  it('withholds a by-town or by-industry figure over fewer than 3 firms from roles below analyst', async () => {
    const analyst = (await run(t.database, aggregates, {}, 'analyst')).data!.countyAggregates;
    // analysts read every cell
    expect(analyst.byIndustryDivision.some((g: any) => g.suppressed)).toBe(false);
    for (const role of ['dashboard', 'tax', 'power'] as const) {
      const result = await run(t.database, aggregates, {}, role);
      expect(result.errors, role).toBeUndefined();
      const view = result.data!.countyAggregates;
      expect(view.county.suppressed, role).toBe(false);
      const small = view.byIndustryDivision.filter((g: any) => g.suppressed);
      expect(small.length, role).toBeGreaterThan(0);
      for (const g of small) expect(g.taxPaidYuan, `${role} ${g.key}`).toBeNull();
      for (const g of view.byTown.filter((x: any) => x.suppressed)) {
        expect(g.note, role).toMatch(/涉及企业少于 3 家/);
        expect(
          [
            g.taxPaidYuan,
            g.revenueYuan,
            g.landAreaMu,
            g.electricityKwh,
            g.muAverageTaxYuan,
            g.aboveScaleEnterprises,
            g.grades,
          ],
          role,
        ).toEqual([null, null, null, null, null, null, null]);
      }
      // a cluster withheld is withheld in its target's revenue too
      for (const target of view.clusterTargets)
        if (view.byCluster.find((g: any) => g.key === target.cluster)?.suppressed)
          expect([target.suppressed, target.revenueYuan, target.shareReached]).toEqual([
            true,
            null,
            null,
          ]);
      // what is shown agrees with the analyst's figures
      for (const g of view.byIndustryDivision.filter((x: any) => !x.suppressed))
        expect(g.taxPaidYuan).toBe(
          analyst.byIndustryDivision.find((a: any) => a.key === g.key).taxPaidYuan,
        );
    }
  });

  it('withholds a town with fewer than 3 surcharged firms from roles below analyst', async () => {
    const query = `{ surchargeByTown(year: 2024) { town enterprises accounts kwh estimatedSurchargeYuan suppressed note } }`;
    const analyst = (await run(t.database, query, {}, 'analyst')).data!.surchargeByTown;
    // the seeded county's D-class firms are spread thin: some town has fewer than 3
    expect(analyst.some((r: any) => r.enterprises < 3)).toBe(true);
    expect(analyst.every((r: any) => !r.suppressed && r.note === null)).toBe(true);
    const dashboard = (await run(t.database, query, {}, 'dashboard')).data!.surchargeByTown;
    expect(dashboard.map((r: any) => r.town)).toEqual(analyst.map((r: any) => r.town));
    const held = analyst.filter((_: unknown, i: number) => dashboard[i].suppressed) as {
      enterprises: number;
    }[];
    for (const [i, r] of dashboard.entries()) {
      if (analyst[i].enterprises < 3) expect(r.suppressed, r.town).toBe(true);
      if (r.suppressed)
        expect([r.enterprises, r.accounts, r.kwh, r.estimatedSurchargeYuan]).toEqual([
          null,
          null,
          null,
          null,
        ]);
      else expect(r).toEqual(analyst[i]);
    }
    // together the withheld towns hold at least 3 firms, or every town is withheld
    const total = held.reduce((s, r) => s + r.enterprises, 0);
    expect(total >= 3 || held.length === analyst.length).toBe(true);
  });

  it('follows EDP_MIN_CELL_FIRMS (1 turns suppression off)', async () => {
    const query = `{ countyAggregates(year: 2024) { byIndustryDivision { key suppressed } } surchargeByTown(year: 2024) { suppressed } }`;
    const suppressed = (body: any) =>
      [...body.data.countyAggregates.byIndustryDivision, ...body.data.surchargeByTown].filter(
        (g: any) => g.suppressed,
      ).length;
    let app: TestApp | undefined;
    try {
      app = await startAuthApp(t.database, { EDP_MIN_CELL_FIRMS: '1' });
      const keys = await keysForEveryRole(t.database);
      const off = await app.gql(query, {}, bearer(keys.dashboard));
      expect(off.body.errors).toBeUndefined();
      expect(suppressed(off.body)).toBe(0);
      await app.stop();
      app = await startAuthApp(t.database, {});
      const on = await app.gql(query, {}, bearer(keys.dashboard));
      expect(suppressed(on.body)).toBeGreaterThan(0);
    } finally {
      await app?.stop();
    }
  });
});
