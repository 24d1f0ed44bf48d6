import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../resolvers/keys.js';
import { EXPENSIVE_WAITING } from '../../server/expensive-gate.js';
import { bearer, post } from '../auth/support.js';
import { seedCounty } from '../schema/support.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { holdTable } from '../support/hold.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A county-wide read (cost 4,502: expensive) that reads the year figures table each time. */
const AGGREGATES = JSON.stringify({
  query: '{ countyAggregates(year: 2024) { county { enterprises } } }',
});

describe(`expensive requests per key (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: TestApp;
  let busy: string;
  let quiet: string;
  let tax: string;
  let uscc: string;
  beforeAll(async () => {
    t = await createTestDatabase({ max: 10 });
    uscc = (await seedCounty(t.database)).A.uscc;
    busy = (await createApiKey(t.database, { name: 'busy', role: 'dashboard' })).key;
    quiet = (await createApiKey(t.database, { name: 'quiet', role: 'dashboard' })).key;
    tax = (await createApiKey(t.database, { name: 'tax', role: 'tax' })).key;
    app = await startTestApp(t.database, { EDP_RATE_LIMIT_PER_MINUTE: '0' });
  });
  afterAll(async () => {
    await app?.stop();
    await t?.drop();
  });

  it('runs two of a key’s expensive requests at once, queues four and refuses the rest; other keys are served', async () => {
    const warm = await post(app, AGGREGATES, bearer(busy));
    expect(warm.body.errors).toBeUndefined();

    const release = await holdTable(t, 'enterprise_year_figures');
    let answers: Awaited<ReturnType<typeof post>>[] = [];
    try {
      const started = Date.now();
      const asked = Array.from({ length: 8 }, () => post(app, AGGREGATES, bearer(busy)));
      const other = post(app, AGGREGATES, bearer(quiet));
      await sleep(800);
      // the two beyond the slots and the queue are refused at once
      const settled = await Promise.all(
        asked.map((p) => Promise.race([p, sleep(10).then(() => null)])),
      );
      const refused = settled.filter((a) => a?.status === 429);
      expect(refused).toHaveLength(8 - 2 - EXPENSIVE_WAITING);
      for (const r of refused) {
        expect(r!.headers.get('retry-after')).toBe('5');
        expect(r!.body.errors[0].extensions.code).toBe('TOO_MANY_EXPENSIVE_REQUESTS');
        expect(r!.body.errors[0].message).toMatch(/^同一密钥同时进行的全县范围查询最多 2 个/);
      }
      if (testDbMode() === 'postgres') {
        // another key's profile is answered meanwhile (PGlite runs one statement at a time for all)
        const s = Date.now();
        const profile = await app.gql(
          `query ($u: String!) { enterprise(uscc: $u) { name town } }`,
          { u: uscc },
          bearer(tax),
        );
        expect(profile.body.errors).toBeUndefined();
        expect(Date.now() - s).toBeLessThan(1000);
        console.info(`another key's profile in ${Date.now() - s} ms`);
      }
      await release();
      answers = await Promise.all([...asked, other]);
    } finally {
      await release();
    }
    // the two running, the four queued and the other key's request are all answered
    const served = answers.filter((a) => a.status === 200);
    expect(served).toHaveLength(2 + EXPENSIVE_WAITING + 1);
    for (const a of served)
      expect(a.body.data.countyAggregates.county.enterprises).toBeGreaterThan(0);
  });
});
