import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { loadConfig } from '../../lib/config.js';
import { exposureLines } from '../../server/banner.js';
import { testDbMode } from '../support/db.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/** An address of this computer that other computers use (not loopback), if it has one. */
const outside = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

/** Whether a TCP connection to address:port is accepted. */
function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * `npm start` (tsx server/index.ts) on an embedded data directory, with the environment given
 * (DATABASE_URL and HOST unset unless given): resolves with the banner once it has printed it.
 */
function startService(dataDir: string, env: Record<string, string>) {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, EDP_DATA_DIR: dataDir, PORT: '0' };
  for (const name of ['DATABASE_URL', 'HOST', 'EDP_ALLOW_ANONYMOUS']) delete childEnv[name];
  Object.assign(childEnv, { LOG_LEVEL: 'silent' }, env);
  const child: ChildProcess = spawn(TSX, ['server/index.ts'], { cwd: ROOT, env: childEnv });
  let out = '';
  let err = '';
  const banner = new Promise<{ banner: string; port: number }>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      const port = /GraphQL:\s+http:\/\/[^:]+:(\d+)\//.exec(out)?.[1];
      // the banner is written at once and ends with an empty line
      if (port && out.endsWith('\n\n')) resolve({ banner: out, port: Number(port) });
    });
    child.stderr!.on('data', (chunk) => {
      err += chunk;
    });
    child.once('exit', (code) => reject(new Error(`the service exited (${code}): ${err}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { banner, stop };
}

describe(`the interface the service listens on (${testDbMode()})`, () => {
  let dataDir: string;
  beforeAll(async () => {
    // a data directory that already holds a load, so that the service starts without the demo
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'edp-host-'));
    const database = await openDatabase({ dataDir });
    await database.migrate();
    await database.rows(
      sql`insert into ingest_batches (source, file_name, status, finished_at) values ('power', 'x.csv', 'committed', now())`,
    );
    await database.close();
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves this computer only without HOST: 127.0.0.1 answers, the network address does not', {
    timeout: 120_000,
  }, async () => {
    const service = startService(dataDir, {});
    try {
      const { banner, port } = await service.banner;
      expect(await accepts('127.0.0.1', port)).toBe(true);
      if (outside) expect(await accepts(outside, port)).toBe(false);
      expect(banner).toContain(`仅本机 this computer only (127.0.0.1:${port})`);
      expect(banner).not.toContain('WARNING');
    } finally {
      await service.stop();
    }
  });

  it('listens everywhere with HOST=0.0.0.0 and warns that anonymous callers anywhere read as analysts', {
    timeout: 120_000,
  }, async () => {
    expect(outside, 'this test needs a network address besides loopback').toBeDefined();
    const service = startService(dataDir, { HOST: '0.0.0.0' });
    try {
      const { banner, port } = await service.banner;
      expect(await accepts('127.0.0.1', port)).toBe(true);
      expect(await accepts(outside!, port)).toBe(true);
      expect(banner).toContain(`所有网络接口 every interface (0.0.0.0:${port})`);
      expect(banner).toContain(
        '警告 WARNING: 网络上任何人无需密钥即按 analyst 角色读取全部企业数据',
      );
      expect(banner).toContain('Anonymous callers anywhere on this network read as "analyst"');
      expect(banner).toContain(`http://${outside}:${port}/`);
    } finally {
      await service.stop();
    }
  });
});

describe('the default interface', () => {
  it('is 127.0.0.1 while anonymous callers are served, every interface when keys are required', () => {
    expect(loadConfig({}, {}).host).toBe('127.0.0.1');
    const pg = 'postgres://edp@db.example:5432/edp';
    expect(loadConfig({}, { DATABASE_URL: pg, EDP_ALLOW_ANONYMOUS: '1' }).host).toBe('127.0.0.1');
    expect(loadConfig({}, { DATABASE_URL: pg }).host).toBe('0.0.0.0');
    expect(loadConfig({}, { HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    expect(loadConfig({ host: '::1' }, { HOST: '0.0.0.0' }).host).toBe('::1');
  });

  it('says so in the banner: keys required, or a named address with anonymous callers', () => {
    expect(exposureLines({ host: '0.0.0.0', port: 4000, anonymous: false }).join('\n')).toContain(
      '每个请求都需要 API 密钥',
    );
    const named = exposureLines({ host: '192.0.2.7', port: 4000, anonymous: true }).join('\n');
    expect(named).toContain('警告 WARNING');
    expect(named).toContain('http://192.0.2.7:4000/');
  });
});
