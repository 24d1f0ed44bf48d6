import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleValues } from '../../server/static.js';
import { uscc } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { CountySeed } from '../support/seed.js';

/*
 * The explorer's example shows an enterprise whose 亩均 figures answer: of the latest year's annual
 * returns, the largest 营业收入 among firms holding land they have not leased out.
 */
const LANDLESS = uscc(1);
const LESSOR = uscc(2);
const HOLDER = uscc(3);

describe(`the explorer's example (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    const s = new CountySeed();
    s.enterprise(LANDLESS, '无地企业');
    s.enterprise(LESSOR, '出租企业').parcel(LESSOR, 20, '2015-01-01');
    s.lease(LESSOR, uscc(4), s.lastUnitNo, 20, '2020-01-01', '2039-12-31');
    s.enterprise(uscc(4), '承租企业');
    s.enterprise(HOLDER, '用地企业').parcel(HOLDER, 30, '2015-01-01');
    s.annualReturn(LANDLESS, 2024, { revenue: 9_000_000_000, employees: 10, rd: 0 });
    s.annualReturn(LESSOR, 2024, { revenue: 8_000_000_000, employees: 10, rd: 0 });
    s.annualReturn(HOLDER, 2024, { revenue: 100_000_000, employees: 10, rd: 0 });
    s.annualReturn(LANDLESS, 2023, { revenue: 1, employees: 1, rd: 0 });
    await s.insert(t.database);
  });
  afterAll(async () => t?.drop());

  it('takes the latest year and, in it, the largest 营业收入 of a firm using its own land', async () => {
    const example = await exampleValues(t.database);
    expect([example.uscc, example.year]).toEqual([HOLDER, 2024]);
  });
});
