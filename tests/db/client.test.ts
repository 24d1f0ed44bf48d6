import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionTarget, openDatabase } from '../../db/client.js';
import { enterprises } from '../../db/market.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

describe(`database client (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.drop());

  it('is migrated, keeps money exact and counts statements', async () => {
    const before = t.database.stats.queries;
    await t.database.db.insert(enterprises).values({
      uscc: '91370830MA3C4XXX1X',
      name: '测试',
      nameNorm: '测试',
      status: '存续',
      registeredCapitalYuan: '12345678901234.56',
      batchId: 1,
    });
    const [row] = await t.database.rows<{ c: string }>(
      sql`select registered_capital_yuan::text as c from enterprises`,
    );
    expect(row.c).toBe('12345678901234.56');
    expect(t.database.stats.queries - before).toBe(2);
  });

  it('cancels a statement past statementTimeoutMs on PostgreSQL (the service passes its request timeout)', async () => {
    if (testDbMode() === 'pglite') {
      // PGlite runs in-process: the option is accepted and a long statement completes
      const embedded = await openDatabase({ statementTimeoutMs: 50 });
      await expect(embedded.rows(sql`select pg_sleep(0.2)`)).resolves.toHaveLength(1);
      await embedded.close();
      return;
    }
    const limited = await openDatabase({ databaseUrl: t.url, max: 1, statementTimeoutMs: 200 });
    try {
      const started = Date.now();
      await expect(limited.rows(sql`select pg_sleep(2)`)).rejects.toMatchObject({
        cause: { code: '57014' },
      });
      expect(Date.now() - started).toBeLessThan(1500);
      await expect(limited.rows(sql`select 1 as one`)).resolves.toEqual([{ one: 1 }]); // the connection stays usable
    } finally {
      await limited.close();
    }
    const unlimited = await openDatabase({ databaseUrl: t.url, max: 1 });
    await expect(unlimited.rows(sql`select pg_sleep(0.3)`)).resolves.toHaveLength(1);
    await unlimited.close();
  });

  it('reads a failover connection string of several hosts (pg_auto_failover) and connects to the one that answers', async () => {
    expect(
      connectionTarget(
        'postgres://edp:secret@db1:5432,db2:5433/edp?target_session_attrs=read-write',
      ),
    ).toEqual({ hosts: 'db1:5432,db2:5433', path: '/edp' });
    expect(connectionTarget('postgres://127.0.0.1/edp')).toEqual({
      hosts: '127.0.0.1',
      path: '/edp',
    });
    if (!t.url) return; // PGlite: no server to connect to
    const u = new URL(t.url);
    // the first host refuses connections, as a primary that is down would
    const url = `postgres://${u.username}@127.0.0.1:1,${u.host}${u.pathname}?target_session_attrs=read-write`;
    const failover = await openDatabase({ databaseUrl: url, max: 1 });
    try {
      const [row] = await failover.rows<{ port: number }>(sql`select inet_server_port() as port`);
      expect(row.port).toBe(Number(u.port || 5432));
    } finally {
      await failover.close();
    }
  });

  it.runIf(process.env.EDP_TEST_REPLICA_URL)(
    'with target_session_attrs=read-write, skips a hot standby listed first and writes on the primary',
    async () => {
      const u = new URL(t.url!);
      const standby = new URL(process.env.EDP_TEST_REPLICA_URL!);
      const url = `postgres://${u.username}@${standby.host},${u.host}${u.pathname}?target_session_attrs=read-write`;
      // the replica has replayed the creation of this test's database
      const deadline = Date.now() + 10_000;
      for (;;) {
        const probe = await openDatabase({
          databaseUrl: `postgres://${standby.username}@${standby.host}${u.pathname}`,
          max: 1,
        })
          .then(async (d) => {
            // opening connects to nothing yet: a statement does, and fails while the database is missing
            try {
              await d.ping();
              return true;
            } finally {
              await d.close();
            }
          })
          .catch(() => false);
        if (probe || Date.now() > deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const failover = await openDatabase({ databaseUrl: url, max: 1 });
      try {
        const [row] = await failover.rows<{ recovery: boolean; port: number }>(
          sql`select pg_is_in_recovery() as recovery, inet_server_port() as port`,
        );
        expect(row).toEqual({ recovery: false, port: Number(u.port || 5432) });
      } finally {
        await failover.close();
      }
    },
  );

  it('a query on a connection whose server process has gone is rejected, not thrown outside the caller', async () => {
    // postgres.js wrote such a query from a setImmediate after the socket was gone and crashed the
    // process (porsager/postgres#1154, #1208); patches/postgres+3.4.9.patch settles it instead. A
    // primary that is restarted or demoted during a switchover ends its connections like this.
    if (!t.url) return;
    const database = await openDatabase({ databaseUrl: t.url, max: 2 });
    try {
      const client = database.postgres!;
      const reserved = await client.reserve();
      const [{ pid }] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await client`select pg_terminate_backend(${pid})`;
      await new Promise((resolve) => setTimeout(resolve, 100));
      await expect(reserved`select 1`).rejects.toMatchObject({ code: 'CONNECTION_CLOSED' });
      reserved.release();
    } finally {
      await database.close();
    }
  });
});
