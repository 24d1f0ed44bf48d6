import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taxPayments } from '../../db/tax.js';
import {
  countEnterprises,
  SearchInputError,
  searchEnterprises,
} from '../../resolvers/enterprise-search.js';
import { evaluateYear } from '../../resolvers/evaluation.js';
import type { MetricsRow } from '../../resolvers/metric-table.js';
import { metricsSql } from '../../resolvers/metrics.js';
import { batch, data, run, seedCounty, seedMany } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

describe(`finding enterprises (${testDbMode()})`, () => {
  let t: TestDatabase;
  let county: Awaited<ReturnType<typeof seedCounty>>;
  let metrics: MetricsRow[];
  beforeAll(async () => {
    t = await createTestDatabase();
    county = await seedCounty(t.database);
    await seedMany(t.database, 30);
    metrics = await t.database.rows<MetricsRow>(metricsSql(2024));
  });
  afterAll(() => t?.drop());

  /** Every page of a search, following the cursors. */
  async function all(filter: object, order: object | null, first = 7) {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const page = await searchEnterprises(t.database, filter, order as never, { first, after });
      seen.push(...page.edges.map((e) => e.uscc));
      if (!page.hasNextPage) return seen;
      after = page.edges[page.edges.length - 1].cursor;
    }
    throw new Error('did not end');
  }

  it('orders by 亩均税收 of a year, best first, nulls last, and pages without gaps or repeats', async () => {
    const expected = [...metrics]
      .sort((a, b) => {
        const [x, y] = [a.mu_average_tax_yuan, b.mu_average_tax_yuan];
        if (x === null || y === null)
          return x === y ? (a.uscc < b.uscc ? -1 : 1) : x === null ? 1 : -1;
        return Number(y) - Number(x) || (a.uscc < b.uscc ? -1 : 1);
      })
      .map((r) => r.uscc);
    expect(metrics.filter((r) => r.mu_average_tax_yuan === null).length).toBeGreaterThan(2);
    expect(await all({}, { field: 'MU_AVERAGE_TAX_YUAN', year: 2024 })).toEqual(expected);
    const ascending = await all(
      {},
      { field: 'MU_AVERAGE_TAX_YUAN', direction: 'ASC', year: 2024 },
      5,
    );
    const withValue = expected.filter(
      (u) => metrics.find((m) => m.uscc === u)!.mu_average_tax_yuan !== null,
    );
    expect(ascending.slice(0, withValue.length)).toEqual(
      [...withValue].reverse().sort((a, b) => {
        const va = Number(metrics.find((m) => m.uscc === a)!.mu_average_tax_yuan);
        const vb = Number(metrics.find((m) => m.uscc === b)!.mu_average_tax_yuan);
        return va - vb || (a < b ? -1 : 1);
      }),
    );
    expect(ascending).toHaveLength(expected.length);
  });

  it('orders by name and by USCC with stable cursors', async () => {
    const names = await data(
      t.database,
      `{ enterprises(first: 100, orderBy: { field: NAME }) { nodes { name } } }`,
    );
    const list = names.enterprises.nodes.map((n: any) => n.name);
    expect(list).toEqual(
      [...list].sort((a: string, b: string) => (Buffer.from(a) < Buffer.from(b) ? -1 : 1)),
    );
    const byUscc = await all({}, { field: 'USCC', direction: 'DESC' }, 4);
    expect(byUscc).toEqual(
      metrics
        .map((m) => m.uscc)
        .sort()
        .reverse(),
    );
    expect(await all({}, null, 6)).toEqual(metrics.map((m) => m.uscc).sort());
  });

  it('filters on the register: town, division, section, cluster, status, active, name', async () => {
    const q = async (filter: object) => (await all(filter, null)).sort();
    expect(await q({ town: '南站镇', industryDivision: 'c26' })).toEqual(
      (
        await t.database.rows<{ uscc: string }>(
          sql`select uscc from enterprises where town = '南站镇' and industry_division = 'C26' order by uscc`,
        )
      ).map((r) => r.uscc),
    );
    expect(await q({ cluster: 'AUTO_PARTS' })).toContain(county.A.uscc);
    const chemicals = await q({ cluster: 'GREEN_CHEMICALS' });
    const materials = await q({ cluster: 'NEW_MATERIALS' });
    const codes = new Map(
      (
        await t.database.rows<{ uscc: string; industry_code: string }>(
          sql`select uscc, industry_code from enterprises`,
        )
      ).map((r) => [r.uscc, r.industry_code]),
    );
    expect(chemicals.length).toBeGreaterThan(0);
    expect(
      chemicals.every((u) => codes.get(u)!.startsWith('C26') && !codes.get(u)!.startsWith('C265')),
    ).toBe(true);
    expect(materials.every((u) => codes.get(u)!.startsWith('C265'))).toBe(true);
    expect(materials.length).toBeGreaterThan(0);
    expect(await q({ industrySection: 'D' })).toEqual([county.D.uscc]);
    expect(await q({ status: '注销' })).toEqual([county.C.uscc]);
    expect(await q({ active: false })).toEqual([county.C.uscc]);
    expect((await q({ active: true })).length).toBe(metrics.length - 1);
    expect(await q({ name: '华力机电(集团)' })).toEqual([county.A.uscc]);
    expect(await q({ name: '华力机电（集团）' })).toEqual([county.A.uscc]);
    expect(await q({ name: '华力机械厂' })).toEqual([county.A.uscc]); // a former name
    expect(await q({ name: '测试1' })).toHaveLength(11); // 测试1, 测试10 … 测试19
    expect(await q({ name: '100%' })).toEqual([]);
  });

  it('filters on the register with a year as without one (the snapshot’s copies of town and industry), and counts them', async () => {
    const order = { field: 'MU_AVERAGE_TAX_YUAN', year: 2024 } as const;
    for (const filter of [
      { town: '南站镇' },
      { town: '南站镇', industryDivision: 'c26' },
      { industrySection: 'D' },
      { town: '南站镇', active: true },
      { status: '注销' },
    ]) {
      const plain = (await all(filter, null)).sort();
      expect(plain.length).toBeGreaterThan(0);
      expect((await all({ ...filter, year: 2024 }, order, 3)).sort()).toEqual(plain);
      expect(await countEnterprises(t.database, { ...filter, year: 2024 }, order)).toBe(
        plain.length,
      );
      expect(await countEnterprises(t.database, { ...filter, year: 2024, grade: 'A' }, order)).toBe(
        (await all({ ...filter, year: 2024, grade: 'A' }, order)).length,
      );
    }
  });

  it('filters on a year’s figures: scale, revenue and 亩均税收 ranges, grade', async () => {
    const q = async (filter: object) => (await all({ year: 2024, ...filter }, null)).sort();
    const above = metrics
      .filter((m) => m.revenue_yuan !== null && Number(m.revenue_yuan) >= 20_000_000)
      .map((m) => m.uscc)
      .sort();
    expect(above.length).toBeGreaterThan(5);
    expect(await q({ scale: 'ABOVE_SCALE' })).toEqual(above);
    expect(await q({ scale: 'BELOW_SCALE' })).toEqual(
      metrics
        .map((m) => m.uscc)
        .filter((u) => !above.includes(u))
        .sort(),
    );
    const inRange = metrics
      .filter(
        (m) =>
          m.revenue_yuan !== null &&
          Number(m.revenue_yuan) >= 10_000_000 &&
          Number(m.revenue_yuan) <= 30_000_000,
      )
      .map((m) => m.uscc)
      .sort();
    expect(await q({ revenueYuan: { min: 10_000_000, max: 30_000_000 } })).toEqual(inRange);
    const muTax = metrics
      .filter((m) => m.mu_average_tax_yuan !== null && Number(m.mu_average_tax_yuan) >= 5000)
      .map((m) => m.uscc)
      .sort();
    expect(await q({ muAverageTaxYuan: { min: 5000 } })).toEqual(muTax);
    const evaluation = await evaluateYear(t.database, 2024);
    for (const grade of ['A', 'B', 'C', 'D']) {
      const expected = [...evaluation.results.values()]
        .filter((r) => r.grade === grade)
        .map((r) => r.uscc)
        .sort();
      expect(await q({ grade })).toEqual(expected);
    }
    expect(await countEnterprises(t.database, { year: 2024, grade: 'A' })).toBeGreaterThan(0);
  });

  it('answers through GraphQL with totalCount, and refuses pages above 100 and a missing year', async () => {
    const page = await data(
      t.database,
      `{ enterprises(first: 2, filter: { town: "中都街道" }, orderBy: { field: MU_AVERAGE_TAX_YUAN, year: 2024 }) {
          totalCount edges { cursor node { uscc name town } } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(page.enterprises.totalCount).toBe(
      (await t.database.rows(sql`select 1 from enterprises where town = '中都街道'`)).length,
    );
    expect(page.enterprises.edges).toHaveLength(2);
    expect(page.enterprises.edges.every((e: any) => e.node.town === '中都街道')).toBe(true);
    const tooMany = await run(t.database, `{ enterprises(first: 101) { totalCount } }`);
    expect(tooMany.errors?.[0].message).toMatch(/最大为 100/);
    expect(tooMany.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const noYear = await run(
      t.database,
      `{ enterprises(first: 5, orderBy: { field: REVENUE_YUAN }) { nodes { uscc } } }`,
    );
    expect(noYear.errors?.[0].message).toMatch(/需要年份/);
    const badCursor = await run(
      t.database,
      `{ enterprises(first: 5, after: "nonsense") { nodes { uscc } } }`,
    );
    expect(badCursor.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    await expect(searchEnterprises(t.database, { year: 2024, grade: 'E' })).rejects.toBeInstanceOf(
      SearchInputError,
    );
  });

  it('sees new data: the year’s snapshot is recomputed when a batch commits', async () => {
    const last = (await all({}, { field: 'TAX_PAID_YUAN', year: 2024 }, 50)).indexOf(county.D.uscc);
    expect(last).toBeGreaterThan(0);
    const b = await batch(t.database, 'tax-payments', new Date('2025-04-01T00:00:00Z'));
    await t.database.db.insert(taxPayments).values({
      receiptNo: 'BIG',
      uscc: county.D.uscc,
      rawIdentifier: county.D.uscc,
      rawName: county.D.name,
      matchMethod: 'uscc',
      period: '2024-05-01',
      taxType: '增值税',
      amountYuan: '99999999.00',
      batchId: b,
    });
    const first = await searchEnterprises(
      t.database,
      {},
      { field: 'TAX_PAID_YUAN', year: 2024 },
      { first: 1 },
    );
    expect(first.edges[0].uscc).toBe(county.D.uscc);
  });
});
