import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../resolvers/keys.js';
import { bearer } from '../auth/support.js';
import { seedCounty } from '../schema/support.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

/** The document of the report: 30 aliases of countyAggregates over years 2060–2089. */
const THIRTY_YEARS = `{ ${Array.from(
  { length: 30 },
  (_, i) =>
    `y${2060 + i}: countyAggregates(year: ${2060 + i}) { county { enterprises taxPaidYuan } byTown { key enterprises } }`,
).join(' ')} }`;

describe(`county-wide reads of years without data (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: TestApp;
  let dashboard: string;
  let tax: string;
  let uscc: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    uscc = (await seedCounty(t.database)).A.uscc;
    dashboard = (await createApiKey(t.database, { name: 'leaders', role: 'dashboard' })).key;
    tax = (await createApiKey(t.database, { name: 'tax bureau', role: 'tax' })).key;
    app = await startTestApp(t.database, { EDP_RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(async () => {
    await app?.stop();
    await t?.drop();
  });

  const snapshotYears = async () =>
    (
      await t.database.rows<{ year: number }>(
        sql`select distinct year from enterprise_year_figures order by year`,
      )
    ).map((r) => Number(r.year));

  it('refuses the 30-year document with the years that have data, computing and storing nothing', async () => {
    const ok = await app.gql(
      '{ countyAggregates(year: 2024) { county { enterprises } } }',
      {},
      bearer(dashboard),
    );
    expect(ok.body.errors).toBeUndefined();
    const before = await snapshotYears();
    expect(before).toEqual([2024]);

    const started = Date.now();
    const [attack, profile] = await Promise.all([
      app.gql(THIRTY_YEARS, {}, bearer(dashboard)),
      (async () => {
        // another key's profile while the document is being answered
        await new Promise((r) => setTimeout(r, 50));
        const s = Date.now();
        const res = await app.gql(
          `query ($u: String!) { enterprise(uscc: $u) { name town } }`,
          { u: uscc },
          bearer(tax),
        );
        return { res, ms: Date.now() - s };
      })(),
    ]);
    expect(Date.now() - started).toBeLessThan(10_000);
    // the first refusal nulls the whole answer (the fields are non-null)
    expect(attack.body.data).toBeNull();
    expect(attack.body.errors.length).toBeGreaterThan(0);
    for (const e of attack.body.errors) {
      expect(e.extensions.code).toBe('BAD_USER_INPUT');
      expect(e.message).toMatch(
        /^20[6-8]\d 年没有可汇总的数据：全县汇总与年度指标只提供 \d{4}–20\d\d 年/,
      );
    }
    expect(profile.res.body.errors).toBeUndefined();
    expect(profile.res.body.data.enterprise.name).toBeTruthy();
    expect(profile.ms).toBeLessThan(1000);

    // reads did not grow the database: no year without data got a snapshot
    expect(await snapshotYears()).toEqual(before);
    if (testDbMode() === 'postgres') {
      await new Promise((r) => setTimeout(r, 2000));
      const [{ n }] = await t.database.rows<{ n: number }>(
        sql`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and state = 'active'`,
      );
      expect(n).toBe(0);
    }
  });

  it('refuses years before the data and after this year the same way in searches and leaders', async () => {
    for (const query of [
      '{ countyAggregates(year: 1995) { county { enterprises } } }',
      '{ muAverageTaxLeaders(year: 2090, first: 5) { uscc } }',
    ]) {
      const res = await app.gql(query, {}, bearer(dashboard));
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors[0].message).toMatch(/年没有可汇总的数据/);
    }
    expect(await snapshotYears()).toEqual([2024]);
  });
});
