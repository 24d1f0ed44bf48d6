import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPECTED_2024, L, landCounty } from '../resolvers/land-seed.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { data, run } from './support.js';

const LIST = /* GraphQL */ `
  query($year: Int!, $first: Int, $after: String, $category: RevitalizationCategory, $town: String) {
    landRevitalization(year: $year, first: $first, after: $after, category: $category, town: $town) {
      totalCount totalAreaMu notes
      pageInfo { hasNextPage endCursor }
      nodes {
        enterprise { uscc name }
        year categories town landAreaMu landAreaM2 reasons
        parcels { unitNo areaM2 registeredOn }
        leasesIn { filingNo unitNo areaM2 }
      }
    }
  }
`;

describe(`landRevitalization over GraphQL (${testDbMode()})`, () => {
  let t: TestDatabase;
  let leasedUnit: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    const county = landCounty();
    leasedUnit = county.leasedUnit;
    await county.seed.insert(t.database);
  });
  afterAll(() => t?.drop());

  it('pages the cases with totals, parcels and leases for the natural-resources role', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r: any = await data(
        t.database,
        LIST,
        { year: 2024, first: 5, after },
        'natural-resources',
      );
      const page = r.landRevitalization;
      expect(page.totalCount).toBe(12);
      expect(page.totalAreaMu).toBe(72.75);
      seen.push(...page.nodes.map((n: any) => n.enterprise.uscc));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(EXPECTED_2024.map((e) => e[0]));
    const r: any = await data(t.database, LIST, { year: 2024, first: 100 });
    const lessee = r.landRevitalization.nodes.find((n: any) => n.enterprise.uscc === L.LE);
    expect(lessee.parcels).toEqual([]);
    expect(lessee.leasesIn).toEqual([
      { filingNo: expect.any(String), unitNo: leasedUnit, areaM2: 1000 },
    ]);
    const r1 = r.landRevitalization.nodes.find((n: any) => n.enterprise.uscc === L.R1);
    expect(r1.parcels).toEqual([
      { unitNo: expect.any(String), areaM2: 10_000, registeredOn: '2012-01-01' },
    ]);
    expect(r1.landAreaM2).toBe(10_000);
  });

  it('filters by category and town', async () => {
    const low: any = await data(t.database, LIST, { year: 2024, category: 'LOW_EFFICIENCY' });
    expect(low.landRevitalization.nodes.map((n: any) => n.enterprise.uscc)).toEqual([
      L.DP,
      L.DI,
      L.CC,
    ]);
    expect(low.landRevitalization.totalAreaMu).toBe(45);
    const town: any = await data(t.database, LIST, { year: 2024, town: '南旺镇' });
    expect(town.landRevitalization.totalCount).toBe(2);
  });

  it('lets the dashboard read the totals by town only', async () => {
    const byTown = /* GraphQL */ `query { landRevitalizationByTown(year: 2024) { town category cases areaMu suppressed } }`;
    const all: any = await data(t.database, byTown, {}, 'analyst');
    expect(all.landRevitalizationByTown.reduce((s: number, r: any) => s + r.cases, 0)).toBe(13);
    // the dashboard reads the same rows, a town with fewer than 3 cases of a category withheld
    const towns: any = await data(t.database, byTown, {}, 'dashboard');
    expect(towns.landRevitalizationByTown.length).toBe(all.landRevitalizationByTown.length);
    for (const [i, r] of towns.landRevitalizationByTown.entries()) {
      if (all.landRevitalizationByTown[i].cases < 3) expect(r.suppressed).toBe(true);
      if (r.suppressed) expect([r.cases, r.areaMu]).toEqual([null, null]);
      else expect(r).toEqual(all.landRevitalizationByTown[i]);
    }
    const both = await run(
      t.database,
      `query { landRevitalizationByTown(year: 2024) { cases } landRevitalization(year: 2024) { totalCount } }`,
      {},
      'dashboard',
    );
    expect(both.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((both.data as any).landRevitalization).toBeNull();
    expect((both.data as any).landRevitalizationByTown.length).toBeGreaterThan(0);
    for (const role of ['tax', 'power', 'market'] as const) {
      const denied = await run(t.database, LIST, { year: 2024 }, role);
      expect(denied.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
    }
    for (const role of ['admin', 'analyst'] as const) {
      const allowed = await run(t.database, LIST, { year: 2024 }, role);
      expect(allowed.errors, role).toBeUndefined();
    }
  });

  it('refuses a page too large and a bad cursor as bad input', async () => {
    const big = await run(t.database, LIST, { year: 2024, first: 101 });
    expect(big.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const bad = await run(t.database, LIST, { year: 2024, after: 'bm90IGEgY3Vyc29y' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
