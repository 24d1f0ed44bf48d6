import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestBatches } from '../../db/ingest.js';
import { dataYearRange } from '../../resolvers/evaluable-years.js';
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

  /** Another key's profile while `work` runs: its answer and how long it took (ms). */
  async function profileDuring<T>(work: Promise<T>) {
    const [answer, profile] = await Promise.all([
      work,
      (async () => {
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
    expect(profile.res.body.errors).toBeUndefined();
    expect(profile.res.body.data.enterprise.name).toBeTruthy();
    expect(profile.ms).toBeLessThan(1000);
    console.info(`another key's profile meanwhile: ${profile.ms} ms`);
    return answer;
  }

  /** Statements other than this test's own running on the database (PostgreSQL). */
  const runningStatements = async () =>
    (
      await t.database.rows<{ query: string }>(
        sql`select query from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and state <> 'idle'`,
      )
    ).map((r) => r.query);

  it('refuses the 30-year document by its cost before computing or storing anything', async () => {
    const ok = await app.gql(
      '{ countyAggregates(year: 2024) { county { enterprises } } }',
      {},
      bearer(dashboard),
    );
    expect(ok.body.errors).toBeUndefined();
    const before = await snapshotYears();
    expect(before).toEqual([2024]);

    let ms = 0;
    const started = Date.now();
    const attack = await profileDuring(
      app.gql(THIRTY_YEARS, {}, bearer(dashboard)).finally(() => (ms = Date.now() - started)),
    );
    expect(ms).toBeLessThan(2000);
    expect(attack.status).toBe(400);
    expect(attack.body.data).toBeUndefined();
    expect(attack.body.errors).toHaveLength(1);
    expect(attack.body.errors[0].extensions.code).toBe('COST_LIMIT_EXCEEDED');
    expect(attack.body.errors[0].message).toMatch(/^查询估算成本 \d+ 超过上限 50000：/);
    console.info(`30-alias document refused in ${ms} ms`);

    // reads did not grow the database: no year without data got a snapshot
    expect(await snapshotYears()).toEqual(before);
    if (testDbMode() === 'postgres') {
      await new Promise((r) => setTimeout(r, 2000));
      const running = await runningStatements();
      console.info(`statements running 2 s after the answer: ${running.length}`);
      expect(running).toEqual([]);
    }
  });

  it('refuses 30 aliases of the years that have data the same way; ten are answered', async () => {
    const { first, last } = await dataYearRange(t.database);
    const years = Array.from({ length: 30 }, (_, i) => first + (i % (last - first + 1)));
    const doc = (ys: number[]) =>
      `{ ${ys.map((y, i) => `a${i}: countyAggregates(year: ${y}) { county { enterprises } }`).join(' ')} }`;
    const thirty = await profileDuring(app.gql(doc(years), {}, bearer(dashboard)));
    expect(thirty.status).toBe(400);
    expect(thirty.body.errors[0].extensions.code).toBe('COST_LIMIT_EXCEEDED');
    // ten fit (of a year computed already: this is about the limit, not the computing)
    const ten = await app.gql(doc(Array(10).fill(2024)), {}, bearer(dashboard));
    expect(ten.body.errors).toBeUndefined();
    expect(Object.keys(ten.body.data)).toHaveLength(10);
  });

  it('refuses years before the data and after this year the same way in searches and leaders', async () => {
    const before = await snapshotYears();
    for (const query of [
      '{ countyAggregates(year: 1995) { county { enterprises } } }',
      '{ countyAggregates(year: 2060) { county { enterprises } } }',
      '{ muAverageTaxLeaders(year: 2090, first: 5) { uscc } }',
    ]) {
      const res = await app.gql(query, {}, bearer(dashboard));
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors[0].message).toMatch(/年没有可汇总的数据/);
    }
    expect(await snapshotYears()).toEqual(before);
  });

  it('keeps one row per enterprise and year however many batches come in', async () => {
    // a data version read afresh on every request, so that each batch is seen at once
    const fresh = await startTestApp(t.database, {
      EDP_RATE_LIMIT_PER_MINUTE: '0',
      EDP_DATA_VERSION_TTL_MS: '0',
    });
    const figures = async () =>
      (
        await t.database.rows<{ rows: number; snapshots: number; versions: string }>(
          sql`select (select count(*)::int from enterprise_year_figures) as rows,
                     (select count(*)::int from metrics_snapshots) as snapshots,
                     (select string_agg(data_version, ',' order by year) from metrics_snapshots) as versions`,
        )
      )[0];
    const read = async () => {
      for (const year of [2023, 2024]) {
        const res = await fresh.gql(
          `{ countyAggregates(year: ${year}) { county { enterprises } } }`,
          {},
          bearer(dashboard),
        );
        expect(res.body.errors).toBeUndefined();
      }
    };
    try {
      await read();
      const first = await figures();
      expect(first.rows).toBeGreaterThan(0);
      let versions = first.versions;
      for (let batch = 1; batch <= 5; batch++) {
        await t.database.db.insert(ingestBatches).values({
          source: 'tax-payments',
          status: 'committed',
          finishedAt: new Date(Date.now() + batch * 1000),
        });
        await read();
        const now = await figures();
        // each batch is a new data version: the years read were computed again, in place
        expect(now.versions).not.toBe(versions);
        versions = now.versions;
        expect({ rows: now.rows, snapshots: now.snapshots }).toEqual({
          rows: first.rows,
          snapshots: first.snapshots,
        });
      }
    } finally {
      await fresh.stop();
    }
  });
});
