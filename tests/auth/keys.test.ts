import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../resolvers/keys.js';
import type { TestApp } from '../support/app.js';
import { type TestDatabase, testDbMode } from '../support/db.js';
import { cliDatabase, edp } from './cli.js';
import { bearer, errorsWithCode, post, seededApp, startAuthApp, stopSeeded } from './support.js';

const WHO = `{ auditLog(first: 1) { edges { node { id } } } }`;

describe(`API keys and anonymous access (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: TestApp;
  let uscc: string;

  beforeAll(async () => {
    ({ t, app, uscc } = await seededApp());
  });
  afterAll(() => stopSeeded(t, app));

  it('stores only the sha-256 and a display prefix, and serves the key’s role', async () => {
    const created = await createApiKey(t.database, { name: '税务局征管系统', role: 'tax' });
    expect(created.key).toMatch(/^edp_[A-Za-z0-9_-]{43}$/);
    const rows = await t.database.rows<{ key_hash: string; prefix: string; n: number }>(
      sql`select key_hash, prefix, (select count(*)::int from api_keys k2 where k2.key_hash = ${created.key} or k2.prefix = ${created.key} or k2.name = ${created.key}) as n from api_keys where id = ${created.id}`,
    );
    expect(rows[0].key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(rows[0].prefix).toBe(created.key.slice(0, 12));
    expect(rows[0].n).toBe(0);

    const tax = await app.gql(
      `query ($u: String!) { enterprise(uscc: $u) { taxPayments { totalCount } } }`,
      { u: uscc },
      bearer(created.key),
    );
    expect(tax.body.errors).toBeUndefined();
    expect(tax.body.data.enterprise.taxPayments.totalCount).toBeGreaterThan(0);
    const denied = await app.gql(WHO, {}, bearer(created.key));
    expect(errorsWithCode(denied.body, 'FORBIDDEN')[0].message).toMatch(
      /角色「tax」无权读取 Query\.auditLog/,
    );
  });

  it('answers 401 with a clear message for a malformed, unknown or revoked key — revoked at once', async () => {
    const malformed = await post(app, JSON.stringify({ query: '{ __typename }' }), {
      authorization: 'Basic dXNlcjpwYXNz',
    });
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get('www-authenticate')).toBe('Bearer');
    expect(malformed.body.errors[0]).toMatchObject({
      message: expect.stringMatching(/须为 "Bearer <密钥>"/),
      extensions: { code: 'UNAUTHENTICATED' },
    });

    const unknown = await app.gql('{ __typename }', {}, bearer(`edp_${'x'.repeat(43)}`));
    expect(unknown.status).toBe(401);
    expect(unknown.body.errors[0].message).toMatch(/未知的 API 密钥/);

    const created = await createApiKey(t.database, { name: 'temporary', role: 'admin' });
    const before = await app.gql(WHO, {}, bearer(created.key));
    expect(before.status).toBe(200);
    expect(before.body.errors).toBeUndefined();
    await revokeApiKey(t.database, created.prefix);
    const after = await app.gql(WHO, {}, bearer(created.key));
    expect(after.status).toBe(401);
    expect(after.body.errors[0].message).toMatch(
      new RegExp(`该 API 密钥（${created.prefix}…，「temporary」）已被吊销`),
    );
    expect(after.body.data).toBeUndefined();
  });

  it('looks a key up once per EDP_KEY_CACHE_MS; revoked elsewhere, refused within that time', async () => {
    const ttlMs = 1500;
    const cached = await startAuthApp(t.database, { EDP_KEY_CACHE_MS: String(ttlMs) });
    const lookups: string[] = [];
    t.database.onQuery = (q) => {
      if (/from "api_keys"/i.test(q)) lookups.push(q);
    };
    try {
      const created = await createApiKey(t.database, { name: 'land bureau', role: 'analyst' });
      const asKey = () => cached.gql('{ __typename }', {}, bearer(created.key));
      // requests arriving together share one lookup, and the next ones reuse it
      const first = await Promise.all([asKey(), asKey(), asKey()]);
      expect(first.map((r) => r.status)).toEqual([200, 200, 200]);
      for (let i = 0; i < 5; i++) expect((await asKey()).status).toBe(200);
      expect(lookups).toHaveLength(1);

      // revoked by another process (the CLI, another instance): the row changes behind the cache
      const revokedAt = performance.now();
      await t.database.rows(sql`update api_keys set revoked_at = now() where id = ${created.id}`);
      let refusedAfter = -1;
      while (performance.now() - revokedAt < ttlMs + 1000) {
        const answer = await asKey();
        if (answer.status === 401) {
          refusedAfter = performance.now() - revokedAt;
          expect(answer.body.errors[0].message).toMatch(/已被吊销/);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(refusedAfter).toBeGreaterThanOrEqual(0);
      expect(refusedAfter).toBeLessThanOrEqual(ttlMs + 200);

      // an unknown key is not kept: every attempt is looked up
      lookups.length = 0;
      const unknown = bearer(`edp_${'y'.repeat(43)}`);
      for (let i = 0; i < 2; i++)
        expect((await cached.gql('{ __typename }', {}, unknown)).status).toBe(401);
      expect(lookups).toHaveLength(2);

      // revoked in this process: refused on the very next request, cache or not
      const other = await createApiKey(t.database, { name: 'power company', role: 'power' });
      expect((await cached.gql('{ __typename }', {}, bearer(other.key))).status).toBe(200);
      await revokeApiKey(t.database, String(other.id));
      expect((await cached.gql('{ __typename }', {}, bearer(other.key))).status).toBe(401);
    } finally {
      t.database.onQuery = undefined;
      await cached.stop();
    }
  });

  it('records the last use at most once a minute per key, not once per request', async () => {
    const created = await createApiKey(t.database, { name: 'dashboard wall', role: 'dashboard' });
    const updates: string[] = [];
    t.database.onQuery = (q) => {
      if (/^update "api_keys"/i.test(q)) updates.push(q);
    };
    try {
      for (let i = 0; i < 5; i++)
        expect((await app.gql('{ __typename }', {}, bearer(created.key))).status).toBe(200);
      let lastUsed: unknown = null;
      for (let i = 0; i < 50 && !lastUsed; i++) {
        [{ last_used_at: lastUsed }] = await t.database.rows<{ last_used_at: unknown }>(
          sql`select last_used_at from api_keys where id = ${created.id}`,
        );
        if (!lastUsed) await new Promise((r) => setTimeout(r, 50));
      }
      expect(lastUsed).toBeTruthy();
      expect(updates).toHaveLength(1);
    } finally {
      t.database.onQuery = undefined;
    }
  });

  it('serves anonymous callers as analyst on the embedded database (masked 法定代表人, no audit log)', async () => {
    const profile = await app.gql(
      `query ($u: String!) { enterprise(uscc: $u) { legalRepresentative taxAnnual { year } } }`,
      { u: uscc },
    );
    expect(profile.body.errors).toBeUndefined();
    expect(profile.body.data.enterprise.legalRepresentative).toBe('张*');
    const denied = await app.gql(WHO);
    expect(errorsWithCode(denied.body, 'FORBIDDEN')[0].message).toMatch(/角色「analyst」/);
  });

  it('refuses anonymous callers when DATABASE_URL is set, unless EDP_ALLOW_ANONYMOUS=1', async () => {
    const strict = await startAuthApp(t.database, {
      DATABASE_URL: 'postgres://configured.example/edp',
    });
    const open = await startAuthApp(t.database, {
      DATABASE_URL: 'postgres://configured.example/edp',
      EDP_ALLOW_ANONYMOUS: '1',
    });
    try {
      const refused = await strict.gql('{ __typename }');
      expect(refused.status).toBe(401);
      expect(refused.body.errors[0]).toMatchObject({
        message: expect.stringMatching(/需要 API 密钥/),
        extensions: { code: 'UNAUTHENTICATED' },
      });
      const served = await open.gql(`query ($u: String!) { enterprise(uscc: $u) { name } }`, {
        u: uscc,
      });
      expect(served.status).toBe(200);
      expect(served.body.data.enterprise.name).toBeTruthy();
      const key = await createApiKey(t.database, { name: 'with key', role: 'market' });
      expect(
        (
          await strict.gql(
            `query ($u: String!) { enterprise(uscc: $u) { legalRepresentative } }`,
            { u: uscc },
            bearer(key.key),
          )
        ).body.data.enterprise.legalRepresentative,
      ).toBe('张三');
    } finally {
      await strict.stop();
      await open.stop();
    }
  });
});

describe(`edp keys (${testDbMode()})`, () => {
  it('creates a key printed once, lists keys without them, revokes by prefix or id', async () => {
    const target = await cliDatabase();
    try {
      const created = await edp(
        ['keys', 'create', '--name', '自然资源局', '--role', 'natural-resources'],
        target.env,
      );
      expect(created.stderr).toBe('');
      expect(created.code).toBe(0);
      const key = /\n {2}(edp_\S{43})\n/.exec(created.stdout)?.[1];
      expect(key).toBeDefined();
      expect(created.stdout).toMatch(/not shown again/);

      const bad = await edp(['keys', 'create', '--name', 'x', '--role', 'mayor'], target.env);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(
        /须为 admin、analyst、tax、natural-resources、power、market、dashboard 之一/,
      );

      const list = await edp(['keys', 'list'], target.env);
      expect(list.stdout).toContain(key!.slice(0, 12));
      expect(list.stdout).not.toContain(key!);
      expect(list.stdout).toMatch(/natural-resources\s+.*active\s+自然资源局/);

      const database = await target.open();
      const app = await startAuthApp(database);
      try {
        expect((await app.gql('{ __typename }', {}, bearer(key!))).status).toBe(200);
        await app.stop();
        await database.close(); // one process at a time on a PGlite directory
        const revoked = await edp(['keys', 'revoke', key!.slice(0, 12)], target.env);
        expect(revoked.code).toBe(0);
        expect(revoked.stdout).toMatch(/Revoked key 1 \(/);
        const again = await target.open();
        const app2 = await startAuthApp(again);
        expect((await app2.gql('{ __typename }', {}, bearer(key!))).status).toBe(401);
        await expect(revokeApiKey(again, 'edp_zz')).rejects.toThrow(
          /没有编号或前缀为 "edp_zz" 的 API 密钥/,
        );
        await expect(revokeApiKey(again, 'edp')).rejects.toThrow(
          /既不是密钥编号，也不是至少 6 个字符的密钥前缀/,
        );
        await app2.stop();
        await again.close();
      } finally {
        await app.stop().catch(() => {});
      }
    } finally {
      await target.drop();
    }
  }, 300_000);
});
