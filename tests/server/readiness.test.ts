import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { startTestApp, type TestApp } from '../support/app.js';
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
      expect(during.body.errors?.[0]?.extensions?.code).toBe('DATABASE_UNAVAILABLE');
      expect(during.body.errors?.[0]?.message).toMatch(/database is not answering/);

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
});
