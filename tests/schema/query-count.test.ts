import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setDataVersionTtl } from '../../resolvers/data-version.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
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
    const { result, queries } = await countQueries(t.database, () =>
      data(t.database, PAGE, { first, order }),
    );
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

  /** Nothing beneath the nodes but register columns, figures and grade: the page reads its rows itself. */
  const PLAIN = /* GraphQL */ `
    query ($first: Int!, $order: EnterpriseOrder, $filter: EnterpriseFilter) {
      enterprises(first: $first, orderBy: $order, filter: $filter) {
        totalCount
        nodes {
          uscc name town industryCode industryDivision status active formerNames establishedOn
          metrics(year: 2024) { landAreaMu taxPaidYuan revenueYuan muAverageTaxYuan missing }
          muEfficiency(year: 2024) { evaluated population rank score grade }
        }
      }
    }`;
  /** The same nodes with a relation beneath them, planned by the drizzle plugin. */
  const PLANNED = PLAIN.replace(
    'muEfficiency(year: 2024) { evaluated population rank score grade }',
    '$& parcels { unitNo }',
  );

  /** As the service does (EDP_DATA_VERSION_TTL_MS): the data version is read once, not per cache lookup. */
  async function withServiceTtl(work: () => Promise<void>) {
    setDataVersionTtl(t.database, 60_000);
    try {
      await work();
    } finally {
      setDataVersionTtl(t.database, 0);
    }
  }

  it('reads a page of columns and figures in two statements (page, count), 1 or 100 alike, with the answers of the planned path (in two on the register, three by a figure)', () =>
    withServiceTtl(async () => {
      const orders = [
        [null, null],
        [{ field: 'MU_AVERAGE_TAX_YUAN', year: 2024 }, null],
        [{ field: 'MU_AVERAGE_TAX_YUAN', year: 2024 }, { town: '南站镇' }],
        [{ field: 'NAME' }, { active: true }],
      ] as const;
      for (const [order, filter] of orders) {
        const counted = (source: string, first: number) =>
          countQueries(t.database, () => data(t.database, source, { first, order, filter }));
        await counted(PLANNED, 1); // the year's snapshot and evaluation, once
        const one = await counted(PLAIN, 1);
        const hundred = await counted(PLAIN, 100);
        expect({ order, filter, one: one.queries, hundred: hundred.queries }).toEqual({
          order,
          filter,
          one: 2,
          hundred: 2,
        });
        // with a relation beneath the nodes: a page on the register alone reads it in the same
        // statement (page and nodes in one), a page driven by a year's figures in one more
        const planned = await counted(PLANNED, 100);
        const onRegister = order === null || order.field === 'NAME';
        expect({ order, filter, planned: planned.queries }).toEqual({
          order,
          filter,
          planned: onRegister ? 2 : 3,
        });
        const nodes = planned.result.enterprises.nodes as Record<string, unknown>[];
        expect(nodes.some((n) => (n.parcels as unknown[]).length > 0)).toBe(true);
        expect(nodes.map(({ parcels: _parcels, ...rest }) => rest)).toEqual(
          hundred.result.enterprises.nodes,
        );
        expect(hundred.result.enterprises.totalCount).toBe(planned.result.enterprises.totalCount);
        expect(hundred.result.enterprises.nodes.length).toBeGreaterThan(0);
      }
    }));

  it('reads one profile of columns, figures and grade in one statement (a planned one when a relation is selected)', () =>
    withServiceTtl(async () => {
      const PROFILE = /* GraphQL */ `
        query ($uscc: String!) {
          enterprise(uscc: $uscc) {
            uscc name town status formerNames
            metrics(year: 2024) { landAreaMu taxPaidYuan muAverageTaxYuan }
            muEfficiency(year: 2024) { grade rank }
          }
        }`;
      const [{ uscc }] = await t.database.rows<{ uscc: string }>(
        sql`select uscc from land_parcels where uscc is not null order by uscc limit 1`,
      );
      await data(t.database, PROFILE, { uscc }); // the year's evaluation, once
      const profile = await countQueries(t.database, () => data(t.database, PROFILE, { uscc }));
      const withParcels = await countQueries(t.database, () =>
        data(t.database, PROFILE.replace('status', 'status parcels { unitNo }'), { uscc }),
      );
      expect(profile.result.enterprise.uscc).toBe(uscc);
      expect(withParcels.result.enterprise.parcels.length).toBeGreaterThan(0);
      expect(withParcels.result.enterprise.metrics).toEqual(profile.result.enterprise.metrics);
      expect({ profile: profile.queries, withParcels: withParcels.queries }).toEqual({
        profile: 1,
        withParcels: 1,
      });
    }));
});
