import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../resolvers/keys.js';
import { authFailureLimiter } from '../../server/auth-failures.js';
import { capturingLogger, startTestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { bearer } from './support.js';

describe('the failed-authentication buckets', () => {
  it('refill over time and write at most one line per address a minute', () => {
    const log = capturingLogger();
    let t = 0;
    const limiter = authFailureLimiter({ perMinute: 60, burst: 2, logger: log.logger }, () => t);
    expect(limiter.retryAfter('a')).toBe(0);
    limiter.failed('a', 'unknown key');
    limiter.failed('a', 'unknown key');
    expect(limiter.retryAfter('a')).toBe(1);
    expect(limiter.retryAfter('b')).toBe(0);
    t += 1000;
    expect(limiter.retryAfter('a')).toBe(0);
    limiter.failed('a', 'unknown key');
    expect(log.lines).toHaveLength(1);
    t += 60_000;
    limiter.failed('a', 'unknown key');
    expect(log.lines).toHaveLength(2);
    // the second line counts what the first window held besides its own first failure
    expect(log.lines[1]).toMatchObject({ address: 'a', failures: 3, refused: 1 });
  });
});

describe(`failed authentications (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.drop());

  it('refuses an address 429 once it has spent its failures, before any key lookup, and logs sampled', async () => {
    const log = capturingLogger();
    const { key } = await createApiKey(t.database, { name: 'good', role: 'dashboard' });
    const app = await startTestApp(
      t.database,
      {
        EDP_RATE_LIMIT_PER_MINUTE: '0',
        EDP_AUTH_FAILURES_PER_MINUTE: '6',
        EDP_AUTH_FAILURE_BURST: '5',
      },
      { logger: log.logger },
    );
    const ping = (k: string) => app.gql('{ __typename }', {}, bearer(k));
    try {
      expect((await ping(key)).status).toBe(200);
      const statuses: number[] = [];
      for (let i = 0; i < 50; i++) statuses.push((await ping(`edp_guess${i}`)).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      // one more guess is allowed every 10 s: a slow machine may see one
      expect(statuses.slice(5).filter((s) => s === 429).length).toBeGreaterThanOrEqual(44);

      const refused = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer('edp_another') },
        body: '{"query":"{ __typename }"}',
      });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await refused.json()).errors[0].message).toMatch(/认证失败次数过多，请 \d+ 秒后重试/);

      // one line for the whole burst, never one per guess, and no key in it
      const lines = log.lines.filter((l) => l.msg === 'failed authentication');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ address: '127.0.0.1', failures: 1, level: 40 });
      expect(JSON.stringify(log.lines)).not.toContain('edp_guess');
    } finally {
      await app.stop();
    }
  });

  it('refuses a blocked address without reading the database', async () => {
    const other = await createTestDatabase();
    const app = await startTestApp(other.database, {
      EDP_RATE_LIMIT_PER_MINUTE: '0',
      EDP_AUTH_FAILURES_PER_MINUTE: '1',
      EDP_AUTH_FAILURE_BURST: '2',
    });
    try {
      const stats = other.database.stats;
      let before = stats.queries;
      expect((await app.gql('{ __typename }', {}, bearer('edp_x'))).status).toBe(401);
      expect(stats.queries).toBeGreaterThan(before); // a key is looked up while the address may try
      expect((await app.gql('{ __typename }', {}, bearer('edp_x'))).status).toBe(401);
      before = stats.queries;
      expect((await app.gql('{ __typename }', {}, bearer('edp_x'))).status).toBe(429);
      expect(stats.queries).toBe(before);
    } finally {
      await app.stop();
      await other.drop();
    }
  });
});
