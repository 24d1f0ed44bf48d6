import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
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
});
