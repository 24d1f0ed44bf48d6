import { execFile } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { databaseErrorMessage } from '../../db/client.js';
import { ConfigError, loadConfig } from '../../lib/config.js';
import { createTestDatabase, testDbMode } from '../support/db.js';
import { englishWords } from '../support/english.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** `npm start` with `env`: its exit code and what it wrote to stderr (it must stop by itself). */
async function start(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const result = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', 'server/index.ts'],
    {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'silent', ...env },
      timeout: 60_000,
    },
  ).then(
    () => ({ code: 0, stderr: '' }),
    (e: { code: number; stderr: string }) => e,
  );
  return { code: result.code, stderr: result.stderr };
}

/** The configuration mistakes a person setting up the service makes, and what it says to each. */
describe('configuration errors at start-up are Chinese', () => {
  it.each([
    [{ PORT: 'abc' }, '环境变量「PORT」须为 0 到 65535 之间的整数，收到「abc」。'],
    [{ PORT: '70000' }, '环境变量「PORT」须为 0 到 65535 之间的整数，收到「70000」。'],
    [{ EDP_MAX_COST: '-1' }, '环境变量「EDP_MAX_COST」须为非负整数，收到「-1」。'],
    [
      { EDP_POOLER_MODE: 'pool' },
      '环境变量「EDP_POOLER_MODE」须为「transaction」或「session」，收到「pool」。',
    ],
    [
      { DATABASE_URL: 'mysql://admin:secret@db/edp' },
      '环境变量「DATABASE_URL」须为 PostgreSQL 连接串，写作「postgres://用户:密码@主机:端口/库名」，收到「mysql://admin:***@db/edp」。',
    ],
    [
      { DATABASE_URL: 'postgres://u@db:port/edp' },
      '环境变量「DATABASE_URL」须为 PostgreSQL 连接串，写作「postgres://用户:密码@主机:端口/库名」，收到「postgres://u@db:port/edp」。',
    ],
  ])('%o', (env, message) => {
    expect(() => loadConfig({}, env)).toThrow(ConfigError);
    expect(() => loadConfig({}, env)).toThrow(message);
    expect(englishWords(message)).toEqual([]);
  });

  it('takes what postgres.js takes: failover hosts, no host, several replicas', () => {
    const failover = 'postgres://u:p@db1:5432,db2:5432/edp?target_session_attrs=read-write';
    expect(loadConfig({}, { DATABASE_URL: failover }).databaseUrl).toBe(failover);
    expect(loadConfig({}, { DATABASE_URL: 'postgresql:///edp' }).databaseUrl).toBe(
      'postgresql:///edp',
    );
    expect(
      loadConfig(
        {},
        { DATABASE_URL: failover, DATABASE_READ_URLS: 'postgres://r1/edp, postgres://r2/edp' },
      ).databaseReadUrls,
    ).toEqual(['postgres://r1/edp', 'postgres://r2/edp']);
  });

  it('says why the database cannot be reached, in words to act on', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    const password = Object.assign(new Error('password authentication failed for user "x"'), {
      code: '28P01',
    });
    const noDatabase = Object.assign(new Error('database "edp" does not exist'), { code: '3D000' });
    const url = 'postgres://x:y@127.0.0.1:1/edp';
    for (const error of [refused, password, noDatabase]) {
      const message = databaseErrorMessage(error, url)!;
      expect(message).toMatch(/^(无法连接|无法登录|数据库)/);
      expect(englishWords(message), message).toEqual([]);
    }
    expect(databaseErrorMessage(new Error('something else'), url)).toBeNull();
  });

  it('npm start exits non-zero with the Chinese message: a bad PORT, an unreachable database, a port in use', async () => {
    const badPort = await start({ PORT: 'abc' });
    expect(badPort.code).toBe(1);
    expect(badPort.stderr.trim()).toBe(
      'edp：无法启动：环境变量「PORT」须为 0 到 65535 之间的整数，收到「abc」。',
    );

    const closed = await start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/edp' });
    expect(closed.code).toBe(1);
    expect(closed.stderr.trim()).toMatch(
      /^edp：无法启动：无法连接数据库 127\.0\.0\.1:1：连接被拒绝/,
    );
    expect(englishWords(closed.stderr.replace(/^edp/, ''))).toEqual([]); // the program's name aside

    // a port in use: reached after the database opens, so on PostgreSQL only (the embedded one
    // would first load the demo county)
    if (testDbMode() !== 'postgres') return;
    const t = await createTestDatabase();
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const inUse = await start({ PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: t.url! });
      expect(inUse.code).toBe(1);
      expect(inUse.stderr).toContain(`edp：无法启动：端口 ${port} 已被占用`);
    } finally {
      busy.close();
      await t.drop();
    }
  }, 180_000);
});
