import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { type Database, openDatabase } from '../../db/client.js';
import { type ReadRouter, ReadRouter as Router } from '../../db/replicas.js';
import { createApiKey } from '../../resolvers/keys.js';
import { fixture, U } from '../connectors/support.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

/**
 * A streaming replica of the test server (EDP_TEST_REPLICA_URL, started by scripts/ci/topology.sh
 * in CI): reads go to it, writes and the writer's next reads to the primary, and a replica that is
 * down or behind is left out until it is healthy again.
 */
const REPLICA_URL = process.env.EDP_TEST_REPLICA_URL;
const TOPOLOGY = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../scripts/ci/topology.sh',
);
const topology = (command: string) =>
  execFileSync('bash', [TOPOLOGY, command], { stdio: 'ignore' });

async function eventually(check: () => Promise<boolean>, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe.runIf(testDbMode() === 'postgres' && REPLICA_URL)('streaming replicas', () => {
  let t: TestDatabase;
  let replica: Database;
  let router: ReadRouter;
  let app: TestApp;
  let admin: string;
  let analyst: string;

  /** Statements each side ran while `run` ran. */
  async function servedBy(run: () => Promise<unknown>) {
    const before = { primary: t.database.stats.queries, replica: replica.stats.queries };
    await run();
    return {
      primary: t.database.stats.queries - before.primary,
      replica: replica.stats.queries - before.replica,
    };
  }
  const names = () =>
    app.gql(
      '{ enterprise(uscc: "' + U.huali + '") { name town } }',
      {},
      { authorization: `Bearer ${analyst}` },
    );

  beforeAll(async () => {
    t = await createTestDatabase();
    await ingestFile(t.database, 'market-registry', fixture('registry.csv'));
    await ingestFile(t.database, 'tax-payments', fixture('tax-payments.csv'));
    admin = (await createApiKey(t.database, { name: 'admin', role: 'admin' })).key;
    analyst = (await createApiKey(t.database, { name: 'analyst', role: 'analyst' })).key;
    const url = new URL(REPLICA_URL!);
    url.pathname = new URL(t.url!).pathname;
    replica = await openDatabase({ databaseUrl: url.toString(), max: 2 });
    replica.primary = t.database;
    // the new database reaches the replica through the WAL
    expect(
      await eventually(async () => {
        try {
          const [row] = await replica.rows<{ n: number }>(
            sql`select count(*)::int as n from enterprises`,
          );
          return row.n > 0;
        } catch {
          return false;
        }
      }),
    ).toBe(true);
    router = new Router(t.database, [{ name: 'replica', database: replica }], {
      maxLagMs: 60_000,
      checkIntervalMs: 60_000, // the tests check by hand
    });
    await router.start();
    app = await startTestApp(t.database, { EDP_RATE_LIMIT_PER_MINUTE: '0' }, { reads: router });
  });
  afterAll(async () => {
    await app?.stop();
    await router?.close();
    await t?.drop();
  });

  it('serves queries from the replica, which is in recovery', async () => {
    const [row] = await replica.rows<{ recovery: boolean }>(
      sql`select pg_is_in_recovery() as recovery`,
    );
    expect(row.recovery).toBe(true);
    expect(router.status()[0]).toMatchObject({ healthy: true, reason: null });
    let body: any;
    const served = await servedBy(async () => ({ body } = await names()));
    expect(body.data.enterprise.name).toBe('汶上县华力机电（集团）有限公司');
    expect(served.replica).toBeGreaterThan(0);
    const ready = await (await fetch(`${app.url}/readyz`)).json();
    expect(ready).toMatchObject({ status: 'ready', primary: 'ok' });
    expect(ready.replicas[0]).toMatchObject({ name: 'replica', healthy: true });
  });

  it('reads from the primary while the replica is down, and from the replica when it returns', async () => {
    topology('replica-stop');
    try {
      await router.check();
      expect(router.status()[0]).toMatchObject({ healthy: false, lagMs: null });
      let body: any;
      const served = await servedBy(async () => ({ body } = await names()));
      expect(body.data.enterprise.name).toBe('汶上县华力机电（集团）有限公司');
      expect(served.replica).toBe(0);
      expect(served.primary).toBeGreaterThan(0);
    } finally {
      topology('replica-start');
    }
    expect(
      await eventually(async () => {
        await router.check();
        return router.status()[0].healthy;
      }),
    ).toBe(true);
    const served = await servedBy(names);
    expect(served.replica).toBeGreaterThan(0);
  });

  it('leaves out a replica whose replay lags more than the allowed lag', async () => {
    const strict = new Router(t.database, [{ name: 'replica', database: replica }], {
      maxLagMs: 200,
      checkIntervalMs: 60_000,
    });
    await strict.start();
    expect(
      await eventually(async () => {
        await strict.check();
        return strict.status()[0].healthy;
      }),
    ).toBe(true);
    await replica.rows(sql`select pg_wal_replay_pause()`);
    try {
      await t.database.rows(sql`create table lag_probe (n int)`);
      expect(
        await eventually(async () => {
          // WAL the paused replica receives and does not replay
          await t.database.rows(sql`insert into lag_probe values (1)`);
          await strict.check();
          return !strict.status()[0].healthy;
        }, 10_000),
      ).toBe(true);
      expect(strict.status()[0].reason).toMatch(/复制延迟 \d+ ms，超过上限 200 ms/);
      expect(strict.reader()).toBe(t.database);
    } finally {
      await replica.rows(sql`select pg_wal_replay_resume()`);
    }
    expect(
      await eventually(async () => {
        await strict.check();
        return strict.status()[0].healthy;
      }),
    ).toBe(true);
    expect(strict.reader()).toBe(replica);
    strict.stop();
  });

  it('shows a batch committed on the primary in answers read through the replica', async () => {
    const tax = async () => {
      const { body } = await app.gql(
        `{ enterprise(uscc: "${U.huali}") { metrics(year: 2024) { taxPaidYuan } } }`,
        {},
        { authorization: `Bearer ${analyst}` },
      );
      return body.data.enterprise.metrics.taxPaidYuan as number;
    };
    const before = await tax();
    // a correction lowers receipt P01 from 1,234,567.89 to 1,234,000.00 元, among others
    await ingestFile(t.database, 'tax-payments', fixture('tax-payments-correction.csv'));
    const [primary] = await t.database.rows<{ total: string }>(
      sql`select sum(amount_yuan)::text as total from tax_payments
          where uscc = ${U.huali} and period >= '2024-01-01' and period < '2025-01-01'`,
    );
    expect(Number(primary.total)).not.toBe(before);
    expect(await eventually(async () => (await tax()) === Number(primary.total))).toBe(true);
  });

  it('lets a caller that wrote read its own write, while others still read the replica', async () => {
    const unmatched = (key: string) =>
      app.gql(
        '{ unmatchedRecords(source: "tax-payments", first: 100) { nodes { id } } }',
        {},
        { authorization: `Bearer ${key}` },
      );
    const ids = (body: any) => body.data.unmatchedRecords.nodes.map((n: any) => n.id);
    expect(ids((await unmatched(admin)).body)).toContain('tax-payments:P05');
    // the replica stays "healthy" (the allowed lag is a minute) but stops replaying
    await replica.rows(sql`select pg_wal_replay_pause()`);
    try {
      const linked = await app.gql(
        `mutation { linkRecord(id: "tax-payments:P05", uscc: "${U.sameName1}") { id } }`,
        {},
        { authorization: `Bearer ${admin}` },
      );
      expect(linked.body.errors).toBeUndefined();
      await router.check();
      expect(router.status()[0].healthy).toBe(true);
      // the writer reads the primary, which has the link
      expect(ids((await unmatched(admin)).body)).not.toContain('tax-payments:P05');
      // another caller reads the replica, which has not replayed it yet
      expect(ids((await unmatched(analyst)).body)).toContain('tax-payments:P05');
    } finally {
      await replica.rows(sql`select pg_wal_replay_resume()`);
    }
    expect(
      await eventually(async () => {
        await router.check();
        const { body } = await unmatched(admin);
        return !ids(body).includes('tax-payments:P05');
      }),
    ).toBe(true);
  });
});
