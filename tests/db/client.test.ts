import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterprises } from '../../db/market.js';
import { createTestDatabase, testDbMode, type TestDatabase } from '../support/db.js';

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
    const [row] = await t.database.rows<{ c: string }>(sql`select registered_capital_yuan::text as c from enterprises`);
    expect(row.c).toBe('12345678901234.56');
    expect(t.database.stats.queries - before).toBe(2);
  });
});
