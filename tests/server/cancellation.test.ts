import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../resolvers/keys.js';
import { bearer } from '../auth/support.js';
import { seedCounty } from '../schema/support.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { holdTable } from '../support/hold.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** 20 aliases of one profile read: 20 statements on `enterprises`, no shared county work. */
const twentyProfiles = (uscc: string) =>
  `{ ${Array.from({ length: 20 }, (_, i) => `p${i}: enterprise(uscc: "${uscc}") { name town }`).join(' ')} }`;

describe(`a request that ends stops its statements (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: TestApp;
  let key: string;
  let uscc: string;
  beforeAll(async () => {
    t = await createTestDatabase({ max: 10 });
    uscc = (await seedCounty(t.database)).A.uscc;
    key = (await createApiKey(t.database, { name: 'analyst', role: 'analyst' })).key;
    app = await startTestApp(t.database, {
      EDP_RATE_LIMIT_PER_MINUTE: '0',
      EDP_REQUEST_TIMEOUT_MS: '800',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await t?.drop();
  });

  /** PostgreSQL: the app's statements waiting on the lock or running. */
  const waitingOnEnterprises = async () =>
    (
      await t.database.rows<{ n: number }>(
        sql`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid()
              and state = 'active' and query ilike '%"enterprises"%'`,
      )
    )[0].n;

  /** PGlite: when each statement handed to PGlite from now on finished (ms since the epoch). */
  function watchPglite(): { finished: number[]; stop: () => void } {
    const pglite = t.database.pglite!;
    const original = pglite.query;
    const finished: number[] = [];
    pglite.query = (async (...args: Parameters<typeof original>) => {
      const result = await original.apply(pglite, args);
      finished.push(Date.now());
      return result;
    }) as typeof original;
    return { finished, stop: () => void (pglite.query = original) };
  }

  /**
   * Runs `request` with `enterprises` held, and checks that 2 s after its answer none of its
   * statements is running or waiting (PostgreSQL), or that none but the one PGlite had already
   * taken ran after it (PGlite cannot stop a statement it has taken).
   */
  async function expectStatementsStopped(request: () => Promise<unknown>) {
    const release = await holdTable(t, 'enterprises');
    const watch = testDbMode() === 'pglite' ? watchPglite() : null;
    try {
      await request();
      const answeredAt = Date.now();
      await sleep(2000);
      if (testDbMode() === 'postgres') expect(await waitingOnEnterprises()).toBe(0);
      await release();
      await sleep(300);
      if (watch)
        expect(watch.finished.filter((at) => at > answeredAt).length).toBeLessThanOrEqual(1);
    } finally {
      watch?.stop();
      await release();
    }
    // and the service answers as before
    const again = await app.gql(twentyProfiles(uscc), {}, bearer(key));
    expect(again.body.errors).toBeUndefined();
  }

  it('cancels every statement of a request that times out', async () => {
    // the key's first use records it (bookkeeping that is nobody's request): before the test
    expect((await app.gql(twentyProfiles(uscc), {}, bearer(key))).body.errors).toBeUndefined();
    await expectStatementsStopped(async () => {
      const started = Date.now();
      const res = await app.gql(twentyProfiles(uscc), {}, bearer(key));
      expect(res.status).toBe(503);
      expect(res.body.errors[0].extensions.code).toBe('TIMEOUT');
      expect(Date.now() - started).toBeLessThan(3000);
    });
  });

  it('cancels every statement of a request whose client goes away', async () => {
    const patient = await startTestApp(t.database, { EDP_RATE_LIMIT_PER_MINUTE: '0' });
    try {
      expect(
        (await patient.gql(twentyProfiles(uscc), {}, bearer(key))).body.errors,
      ).toBeUndefined();
      await expectStatementsStopped(async () => {
        const abort = new AbortController();
        const request = fetch(`${patient.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(key) },
          body: JSON.stringify({ query: twentyProfiles(uscc) }),
          signal: abort.signal,
        }).catch((error: Error) => error);
        await sleep(400);
        abort.abort();
        expect(await request).toBeInstanceOf(Error);
      });
    } finally {
      await patient.stop();
    }
  });

  it('lets the county work that others wait on finish when the request that started it goes away', async () => {
    const dashboard = (await createApiKey(t.database, { name: 'leaders', role: 'dashboard' })).key;
    const patient = await startTestApp(t.database, { EDP_RATE_LIMIT_PER_MINUTE: '0' });
    const query = JSON.stringify({
      query: '{ countyAggregates(year: 2024) { county { enterprises } } }',
    });
    const ask = (signal?: AbortSignal) =>
      fetch(`${patient.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(dashboard) },
        body: query,
        signal,
      });
    try {
      // the years with data are read once for everyone: held up behind the lock on tax_annual
      const release = await holdTable(t, 'tax_annual');
      const abort = new AbortController();
      const first = ask(abort.signal).catch((error: Error) => error);
      await sleep(300);
      const second = ask();
      await sleep(300);
      abort.abort();
      expect(await first).toBeInstanceOf(Error);
      await sleep(300);
      await release();
      const answer = await (await second).json();
      expect(answer.errors).toBeUndefined();
      expect(answer.data.countyAggregates.county.enterprises).toBeGreaterThan(0);
    } finally {
      await patient.stop();
    }
  });
});
