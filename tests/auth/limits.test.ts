import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../resolvers/keys.js';
import { INTERNAL_ERROR } from '../../server/errors.js';
import type { TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { bearer, post, seededApp, startAuthApp, stopSeeded } from './support.js';

const REDIS_URL = process.env.EDP_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** An operation nested `levels` deep through Enterprise → muEfficiency → enterprise → … */
function deepQuery(uscc: string, levels: number): string {
  let inner = 'uscc';
  for (let i = 0; i < levels / 2; i++)
    inner = `muEfficiency(year: 2024) { enterprise { ${inner} } }`;
  return `{ enterprise(uscc: "${uscc}") { ${inner} } }`;
}

/** Sends the headers and half of the body, then waits: the server must not wait for ever. */
function slowRequest(url: string): Promise<{ status: number; body: any; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/graphql`,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': '100' } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(text),
            ms: Date.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.write('{"query":"{ __typ');
  });
}

describe(`abuse limits (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: TestApp;
  let uscc: string;

  beforeAll(async () => {
    ({ t, app, uscc } = await seededApp());
  });
  afterAll(() => stopSeeded(t, app));

  it('refuses a query 20 levels deep, and serves the same shape 8 deep', async () => {
    const ok = await app.gql(deepQuery(uscc, 8));
    expect(ok.body.errors).toBeUndefined();
    const deep = await app.gql(deepQuery(uscc, 20));
    expect(deep.status).toBe(400);
    expect(deep.body.data).toBeUndefined();
    expect(deep.body.errors.map((e: any) => e.message)).toEqual([
      '查询嵌套过深：最多 10 层，此查询 22 层；请分几次查询',
    ]);
  });

  it('refuses 1,000 aliases, too many directives and too many tokens', async () => {
    const aliases = await app.gql(
      `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: __typename`).join(' ')} }`,
    );
    expect(aliases.body.data).toBeUndefined();
    expect(aliases.status).toBe(400);
    expect(aliases.body.errors.map((e: any) => e.message)).toEqual([
      '别名过多：最多 30 个，此查询 1000 个',
    ]);

    const directives = await app.gql(
      `{ ${Array.from({ length: 25 }, (_, i) => `a${i}: __typename @include(if: true)`).join(' ')} }`,
    );
    expect(directives.status).toBe(400);
    expect(directives.body.errors.map((e: any) => e.message)).toEqual([
      '指令过多：最多 20 个，此查询 25 个',
    ]);

    const tokens = await app.gql(`{ ${'__typename '.repeat(6000)}}`);
    expect(tokens.status).toBe(400);
    expect(tokens.body.errors[0].message).toBe('查询过长：最多 5000 个记号；请分几次查询');
  });

  it('refuses first: 100000, literal or as a variable, with the cap in the message', async () => {
    const literal = await app.gql(`{ enterprises(first: 100000) { totalCount } }`);
    expect(literal.status).toBe(400);
    expect(literal.body.data).toBeUndefined();
    expect(literal.body.errors.map((e: any) => e.message)).toContain(
      'Query.enterprises：`first` 最大为 100（收到 100000）；请用 `after` 翻页。',
    );
    const variable = await app.gql(`query ($n: Int) { enterprises(first: $n) { totalCount } }`, {
      n: 100000,
    });
    expect(variable.status).toBe(400);
    expect(variable.body.errors[0].extensions.code).toBe('PAGE_TOO_LARGE');
    const fine = await app.gql(`query ($n: Int) { enterprises(first: $n) { totalCount } }`, {
      n: 100,
    });
    expect(fine.body.errors).toBeUndefined();
  });

  it('tells a field without `after` to narrow the query, not to page', async () => {
    const ranking = await app.gql(`{ muEfficiencyRanking(year: 2024, first: 1000) { rank } }`);
    expect(ranking.status).toBe(400);
    const message: string = ranking.body.errors[0].message;
    expect(message).toBe(
      'Query.muEfficiencyRanking：`first` 最大为 100（收到 1000）；该字段不分页：请用筛选条件（如乡镇、行业）缩小范围。',
    );
  });

  it('refuses nodes(ids:) with more ids than a page, as a variable or literal, before any lookup', async () => {
    const { data } = (
      await app.gql(`query ($u: String!) { enterprise(uscc: $u) { id } }`, { u: uscc })
    ).body;
    const id = data.enterprise.id;
    const many = Array.from({ length: 11_000 }, () => id);
    const heavy = `query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Enterprise { name taxPayments(first: 100) { nodes { amountYuan } } } } }`;
    const started = Date.now();
    const variable = await app.gql(heavy, { ids: many });
    expect(variable.status).toBe(400);
    expect(variable.body.data).toBeUndefined();
    expect(variable.body.errors[0].extensions.code).toBe('PAGE_TOO_LARGE');
    expect(variable.body.errors[0].message).toBe(
      'Query.nodes：`ids` 最多 100 项（收到 11000）；请分几次查询。',
    );
    expect(Date.now() - started).toBeLessThan(5000);
    const literal = await app.gql(
      `{ nodes(ids: [${Array.from({ length: 101 }, () => JSON.stringify(id)).join(',')}]) { id } }`,
    );
    expect(literal.status).toBe(400);
    expect(literal.body.errors[0].message).toMatch(/`ids` 最多 100 项（收到 101）/);
    const fine = await app.gql(heavy, { ids: many.slice(0, 100) });
    expect(fine.body.errors).toBeUndefined();
    expect(fine.body.data.nodes).toHaveLength(100);
  });

  it('refuses a day that does not exist and a NUL in text as the caller’s mistake, never an internal error', async () => {
    for (const day of ['2024-02-30', '0000-01-01', '2023-13-01']) {
      const literal = await app.gql(
        `{ enterprise(uscc: "${uscc}") { awardEligibility(asOf: "${day}") { code } } }`,
      );
      expect(literal.status).toBe(400);
      expect(literal.body.errors[0].message).toContain('日期须为 1900 到 9999 年间真实存在的一天');
      const variable = await app.gql(
        `query ($d: Date!, $u: String!) { enterprise(uscc: $u) { awardEligibility(asOf: $d) { code } } }`,
        { d: day, u: uscc },
      );
      expect(variable.status).toBe(400);
      expect(variable.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    const leap = await app.gql(
      `{ enterprise(uscc: "${uscc}") { awardEligibility(asOf: "2024-02-29") { code } } }`,
    );
    expect(leap.body.errors).toBeUndefined();

    const literal = await app.gql(`{ enterprise(uscc: "91\\u0000") { name } }`);
    expect(literal.status).toBe(400);
    expect(literal.body.errors[0].message).toMatch(/不能含空字符/);
    const variable = await app.gql(`query ($u: String!) { enterprise(uscc: $u) { name } }`, {
      u: 'x\u0000y',
    });
    expect(variable.status).toBe(400);
    expect(variable.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(variable.body.errors[0].message).toMatch(/不能含空字符/);
  });

  it('refuses a batch of 100 operations and a 1 MB body', async () => {
    const batch = await post(
      app,
      JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ __typename }' }))),
    );
    expect(batch.status).toBe(400);
    expect(batch.body.errors[0].message).toMatch(/^不接受批量请求/);
    expect(batch.body.errors[0].extensions.originalMessage).toMatch(/batching/i);

    const huge = await post(
      app,
      JSON.stringify({ query: `{ __typename } # ${'x'.repeat(1024 * 1024)}` }),
    );
    expect(huge.status).toBe(413);
    expect(huge.body.errors[0].message).toMatch(/^请求体超过上限 524288 字节/);
  });

  it('refuses a query above the cost limit, counting list arguments and page sizes', async () => {
    const cheap = await startAuthApp(t.database, { EDP_MAX_COST: '5' });
    try {
      const res = await cheap.gql(
        `query ($u: String!) { enterprise(uscc: $u) { name town uscc status industryCode } }`,
        { u: uscc },
      );
      expect(res.status).toBe(400);
      expect(res.body.errors[0].extensions.code).toBe('COST_LIMIT_EXCEEDED');
      expect(res.body.errors[0].message).toMatch(/^查询估算成本 6 超过上限 5：/);
    } finally {
      await cheap.stop();
    }
    // nodes(ids:) costs each id's selection, and taxPayments(first:) each page item's
    const id = (await app.gql(`query ($u: String!) { enterprise(uscc: $u) { id } }`, { u: uscc }))
      .body.data.enterprise.id;
    const heavy = `query ($ids: [ID!]!, $n: Int) { nodes(ids: $ids) { ... on Enterprise { name taxPayments(first: $n) { nodes { amountYuan } } } } }`;
    const limited = await startAuthApp(t.database, { EDP_MAX_COST: '10000' });
    try {
      const many = await limited.gql(heavy, { ids: Array(100).fill(id), n: 100 });
      expect(many.status).toBe(400);
      // 1 + 100 ids × (name + taxPayments + 100 payments × (nodes + amountYuan))
      expect(many.body.errors[0].message).toMatch(/^查询估算成本 20201 超过上限 10000/);
      const fewer = await limited.gql(heavy, { ids: Array(40).fill(id), n: 100 });
      expect(fewer.body.errors).toBeUndefined();
      const smaller = await limited.gql(heavy, { ids: Array(100).fill(id), n: 10 });
      expect(smaller.body.errors).toBeUndefined();
    } finally {
      await limited.stop();
    }
  });

  it('answers 503 when a request is not done in time (a client sending its body slowly)', async () => {
    const quick = await startAuthApp(t.database, { EDP_REQUEST_TIMEOUT_MS: '300' });
    try {
      const res = await slowRequest(quick.url);
      expect(res.status).toBe(503);
      expect(res.body.errors[0]).toMatchObject({
        message: expect.stringMatching(/^请求在 0.3 秒内没有完成/),
        extensions: { code: 'TIMEOUT' },
      });
      expect(res.ms).toBeLessThan(5000);
    } finally {
      await quick.stop();
    }
  });

  it('masks internal errors: no SQL or table names reach the client', async () => {
    await t.database.rows(sql`alter table enterprises rename to enterprises_away`);
    try {
      const res = await app.gql(`query ($u: String!) { enterprise(uscc: $u) { name } }`, {
        u: uscc,
      });
      expect(res.body.errors[0]).toMatchObject({
        message: INTERNAL_ERROR,
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      });
      expect(JSON.stringify(res.body)).not.toMatch(/enterprises|relation|select/i);
    } finally {
      await t.database.rows(sql`alter table enterprises_away rename to enterprises`);
    }
  });

  it('gives a caller’s mistake (a domain error of lib/) its message and BAD_USER_INPUT', async () => {
    const res = await app.gql(`{ countyAggregates(year: 1800) { year } }`);
    expect(res.body.errors[0]).toMatchObject({
      message: expect.stringMatching(/1990 到 2100 之间的整数，收到 1800/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('keeps Apollo’s CSRF prevention: a simple GET without a preflight header is refused', async () => {
    const res = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/);
  });

  it('hides introspection and suggestions from anonymous callers in production, not from key holders', async () => {
    const prod = await startAuthApp(t.database, { NODE_ENV: 'production' });
    const key = await createApiKey(t.database, { name: 'explorer user', role: 'analyst' });
    try {
      const introspection = `{ __schema { queryType { name } } }`;
      const anonymous = await prod.gql(introspection);
      expect(anonymous.status).toBe(403);
      expect(anonymous.body.errors[0]).toMatchObject({
        message: expect.stringMatching(/须持 API 密钥才能读取接口结构/),
        extensions: { code: 'INTROSPECTION_DISABLED' },
      });
      expect(anonymous.body.data).toBeUndefined();
      const typeLookup = await prod.gql(`{ __type(name: "Enterprise") { name } }`);
      expect(typeLookup.status).toBe(403);

      const typo = `query ($u: String!) { enterprise(uscc: $u) { nmae } }`;
      const hidden = await prod.gql(typo, { u: uscc });
      expect(hidden.body.errors[0].message).toBe('类型「Enterprise」没有字段「nmae」');

      const keyed = await prod.gql(introspection, {}, bearer(key.key));
      expect(keyed.body.data.__schema.queryType.name).toBe('Query');
      expect((await prod.gql(typo, { u: uscc }, bearer(key.key))).body.errors[0]).toMatchObject({
        message: '类型「Enterprise」没有字段「nmae」；是否想用「name」？',
        extensions: {
          originalMessage: 'Cannot query field "nmae" on type "Enterprise". Did you mean "name"?',
        },
      });
      // outside production the embedded demo's anonymous analyst may use the explorer
      expect((await app.gql(introspection)).body.data.__schema.queryType.name).toBe('Query');
    } finally {
      await prod.stop();
    }
  });
});

describe(`per-key rate limit (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.drop());

  const limits = { EDP_RATE_LIMIT_PER_MINUTE: '60', EDP_RATE_LIMIT_BURST: '3' };
  const ping = (app: TestApp, key: string) => app.gql('{ __typename }', {}, bearer(key));

  it('answers 429 with Retry-After once a key’s burst is spent, per key, refilled over time (in memory)', async () => {
    const app = await startAuthApp(t.database, limits);
    const [k1, k2] = [
      await createApiKey(t.database, { name: 'busy', role: 'dashboard' }),
      await createApiKey(t.database, { name: 'quiet', role: 'dashboard' }),
    ];
    try {
      for (let i = 0; i < 3; i++) expect((await ping(app, k1.key)).status).toBe(200);
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(k1.key) },
        body: '{"query":"{ __typename }"}',
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toEqual({
        errors: [
          {
            message: '请求过于频繁：每个密钥每分钟最多 60 次，请 1 秒后重试。',
            extensions: { code: 'RATE_LIMITED' },
          },
        ],
      });
      expect((await ping(app, k2.key)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await ping(app, k1.key)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it('shares the buckets between instances through Redis, atomically', async () => {
    const prefix = `edp:test:${randomUUID()}:`;
    const env = { ...limits, REDIS_URL, EDP_REDIS_PREFIX: prefix };
    const [one, two] = [await startAuthApp(t.database, env), await startAuthApp(t.database, env)];
    const key = await createApiKey(t.database, { name: 'shared', role: 'dashboard' });
    const redis = new Redis(REDIS_URL);
    try {
      const statuses = await Promise.all([
        ping(one, key.key),
        ping(two, key.key),
        ping(one, key.key),
        ping(two, key.key),
        ping(one, key.key),
      ]);
      expect(statuses.map((s) => s.status).sort()).toEqual([200, 200, 200, 429, 429]);
      expect(await redis.keys(`${prefix}*`)).toEqual([`${prefix}key:${key.id}`]);
      expect(Number(await redis.pttl(`${prefix}key:${key.id}`))).toBeGreaterThan(0);
    } finally {
      await one.stop();
      await two.stop();
      const left = await redis.keys(`${prefix}*`);
      if (left.length) await redis.del(...left);
      await redis.quit();
    }
  });

  it('falls back to the in-memory limit at once when Redis is down or does not answer', async () => {
    // a Redis that accepts connections and never answers, and a port where nothing listens
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const silentUrl = `redis://127.0.0.1:${(silent.address() as net.AddressInfo).port}`;
    try {
      for (const url of ['redis://127.0.0.1:1', silentUrl]) {
        const app = await startAuthApp(t.database, { ...limits, REDIS_URL: url });
        const key = await createApiKey(t.database, { name: `no redis ${url}`, role: 'dashboard' });
        try {
          const started = Date.now();
          const statuses = [];
          for (let i = 0; i < 10; i++) statuses.push((await ping(app, key.key)).status);
          // the limit still applies (3 at once), and no request waited for Redis
          expect(statuses).toEqual([200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
          expect(Date.now() - started).toBeLessThan(3000);
        } finally {
          await app.stop();
        }
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});
