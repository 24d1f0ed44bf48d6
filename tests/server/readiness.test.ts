import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { createApiKey } from '../../resolvers/keys.js';
import { capturingLogger, startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, testDbMode } from '../support/db.js';

/** A TCP proxy to PostgreSQL that the test can cut and restore, to play a database outage. */
function outageProxy(targetPort: number) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(targetPort, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  return {
    get port() {
      return port;
    },
    up: listen,
    down: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server!.close(() => resolve());
      }),
  };
}

async function readyz(app: TestApp) {
  const res = await fetch(`${app.url}/readyz`);
  return res.status;
}

async function eventually(check: () => Promise<boolean>, ms = 15_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe(`readiness (${testDbMode()})`, () => {
  it('turns unready with a clear error while the database is gone, and ready again by itself', async () => {
    if (testDbMode() === 'pglite') {
      // The embedded database lives in this process: it can be closed, not cut off and restored.
      const t = await createTestDatabase();
      const app = await startTestApp(t.database);
      expect(await readyz(app)).toBe(200);
      await t.database.close();
      expect(await readyz(app)).toBe(503);
      await app.stop();
      return;
    }
    const t = await createTestDatabase();
    const proxy = outageProxy(5432);
    await proxy.up();
    const url = new URL(t.url!);
    url.port = String(proxy.port);
    const database = await openDatabase({ databaseUrl: url.toString(), max: 2 });
    const app = await startTestApp(database, {
      DATABASE_URL: url.toString(),
      EDP_ALLOW_ANONYMOUS: '1',
    });
    try {
      expect(await readyz(app)).toBe(200);
      await proxy.down();
      expect(await eventually(async () => (await readyz(app)) === 503)).toBe(true);
      const during = await app.gql('{ enterprises(first: 1) { totalCount } }');
      expect(during.status).toBe(503);
      expect(during.body.errors?.[0]?.extensions?.code).toBe('DATABASE_UNAVAILABLE');
      expect(during.body.errors?.[0]?.message).toMatch(/数据库暂时没有响应/);

      await proxy.up();
      expect(await eventually(async () => (await readyz(app)) === 200)).toBe(true);
      const after = await app.gql('{ enterprises(first: 1) { totalCount } }');
      expect(after.body.errors).toBeUndefined();
      expect(after.body.data.enterprises.totalCount).toBe(0);
    } finally {
      await app.stop();
      await database.close();
      await t.drop();
    }
  });

  it('answers a keyed caller 503 DATABASE_UNAVAILABLE while the database is gone, and logs the outage once', async () => {
    const t = await createTestDatabase();
    const { key } = await createApiKey(t.database, { name: 'outage', role: 'dashboard' });
    const log = capturingLogger();
    let database = t.database;
    let proxy: ReturnType<typeof outageProxy> | undefined;
    let env: Record<string, string> = {};
    if (testDbMode() === 'postgres') {
      proxy = outageProxy(5432);
      await proxy.up();
      const url = new URL(t.url!);
      url.port = String(proxy.port);
      database = await openDatabase({ databaseUrl: url.toString(), max: 2 });
      env = { DATABASE_URL: url.toString() };
    }
    const app = await startTestApp(database, env, { logger: log.logger });
    const ask = () =>
      app.gql(
        '{ countyAggregates(year: 2024) { county { enterprises } } }',
        {},
        { authorization: `Bearer ${key}` },
      );
    try {
      expect((await ask()).status).toBe(200);
      if (proxy) await proxy.down();
      else await database.close();
      const answers = [];
      const started = Date.now();
      for (let i = 0; i < 20; i++) answers.push(await ask());
      // told at once, not after the request time: the client may retry or fall back
      expect(Date.now() - started).toBeLessThan(20 * 1500);
      for (const a of answers) {
        expect(a.status).toBe(503);
        expect(a.body.errors[0].extensions.code).toBe('DATABASE_UNAVAILABLE');
        expect(a.body.errors[0].message).toMatch(/数据库暂时没有响应/);
      }
      const errors = log.lines.filter((l) => l.level >= 50);
      expect(errors).toHaveLength(1);
      expect(errors[0].msg).toMatch(/database unavailable/);
      if (proxy) {
        await proxy.up();
        expect(await eventually(async () => (await ask()).status === 200)).toBe(true);
        expect(log.lines.some((l) => /answering again/.test(l.msg))).toBe(true);
      }
    } finally {
      await app.stop();
      // the embedded database was closed: there is nothing left to drop
      if (proxy) {
        await database.close();
        await t.drop();
      }
    }
  });
});
