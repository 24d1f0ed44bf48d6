import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDbMode, type TestDatabase } from '../support/db.js';
import { countQueries, data, seedCounty, seedMany } from './support.js';

/**
 * N+1 guard (style.md 5): a page of enterprises with their metrics, grade, tax and land costs the
 * same number of SQL statements for 1 enterprise as for 100. Statements are counted by the
 * database client (drizzle and raw `rows()` alike).
 */
describe(`statements per page (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await seedCounty(t.database);
    await seedMany(t.database, 120);
  });
  afterAll(() => t?.drop());

  const PAGE = /* GraphQL */ `
    query ($first: Int!, $order: EnterpriseOrder) {
      enterprises(first: $first, orderBy: $order) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes {
          uscc name town industryCode active
          metrics(year: 2024) { landAreaMu taxPaidYuan revenueYuan electricityKwh muAverageTaxYuan }
          muEfficiency(year: 2024) { evaluated population rank score grade }
          taxAnnual { year revenueYuan employees }
          taxByMonth(year: 2024) { month totalYuan }
          taxPayments(year: 2024, first: 2) { totalCount nodes { receiptNo amountYuan provenance { batchId matchMethod } } }
          parcels { unitNo areaMu }
          leasesIn { filingNo lessor { name } }
          landInUse(date: "2024-12-31") { areaMu }
          powerAccounts(year: 2024) { accountNo totalKwh }
          penalties { decisionNo }
          designations { type }
          techProjects { projectNo }
        }
      }
    }`;

  async function statements(first: number, order: object | null) {
    const { result, queries } = await countQueries(t.database, () => data(t.database, PAGE, { first, order }));
    expect(result.enterprises.nodes).toHaveLength(first);
    return queries;
  }

  it('is the same for a page of 1 and a page of 100, in USCC order and by a metric of a year', async () => {
    await statements(1, { field: 'MU_AVERAGE_TAX_YUAN', year: 2024 }); // computes the year once (snapshot, evaluation)
    for (const order of [null, { field: 'MU_AVERAGE_TAX_YUAN', year: 2024 }, { field: 'NAME' }]) {
      const one = await statements(1, order);
      const hundred = await statements(100, order);
      expect({ order, hundred }).toEqual({ order, hundred: one });
      expect(one).toBeLessThanOrEqual(16);
    }
  });
});
