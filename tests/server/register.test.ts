import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterprises } from '../../db/market.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

const rows = [
  {
    uscc: '91370830MA3C4A0010',
    name: '汶上县甲机械有限公司',
    town: '中都街道',
    industryCode: 'C3431',
  },
  {
    uscc: '91370830MA3C4A0029',
    name: '汶上县乙服装有限公司',
    town: '南站街道',
    industryCode: 'C1810',
  },
  {
    uscc: '91370830MA3C4A0037',
    name: '汶上县丙化工有限公司',
    town: '寅寺镇',
    industryCode: 'C2661',
  },
];

describe(`the service answers the register (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: TestApp;
  beforeAll(async () => {
    t = await createTestDatabase();
    await t.database.db.insert(enterprises).values(
      rows.map((r) => ({
        ...r,
        nameNorm: r.name,
        status: '存续',
        industrySection: 'C',
        industryDivision: r.industryCode.slice(0, 3),
        batchId: 1,
      })),
    );
    app = await startTestApp(t.database);
  });
  afterAll(async () => {
    await app?.stop();
    await t?.drop();
  });

  it('serves enterprise(uscc), with null for an unknown code', async () => {
    const { status, body } = await app.gql(
      `query($u: String!) { enterprise(uscc: $u) { uscc name town industryCode status } none: enterprise(uscc: "91370830MA3C4A9999") { uscc } }`,
      {
        u: rows[1].uscc,
      },
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.enterprise).toEqual({
      uscc: rows[1].uscc,
      name: rows[1].name,
      town: '南站街道',
      industryCode: 'C1810',
      status: '存续',
    });
    expect(body.data.none).toBeNull();
  });

  it('pages through enterprises(first, after) with cursors and a total count', async () => {
    const first = await app.gql(
      `{ enterprises(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { uscc } } }`,
    );
    expect(first.body.errors).toBeUndefined();
    const page1 = first.body.data.enterprises;
    expect(page1.totalCount).toBe(3);
    expect(page1.nodes).toHaveLength(2);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await app.gql(
      `query($a: String) { enterprises(first: 2, after: $a) { pageInfo { hasNextPage } nodes { uscc } } }`,
      {
        a: page1.pageInfo.endCursor,
      },
    );
    const page2 = second.body.data.enterprises;
    expect(page2.nodes).toHaveLength(1);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const seen = [...page1.nodes, ...page2.nodes].map((n: { uscc: string }) => n.uscc).sort();
    expect(seen).toEqual(rows.map((r) => r.uscc).sort());
  });

  it('answers /healthz and /readyz while the database answers', async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});
