import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { createApiKey } from '../../resolvers/keys.js';
import { fixture, U } from '../connectors/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

/**
 * Several service instances on one PostgreSQL database, as behind a load balancer: each a process of
 * its own (`npm start`'s entry point), sharing rate-limit buckets through Redis; a load made by the
 * CLI in a third process is seen by both.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const REDIS_URL = process.env.REDIS_URL_TEST;

interface Instance {
  process: ChildProcess;
  url: string;
}

/** Starts `server/index.ts` with `env` and resolves with its URL once the banner is printed. */
function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/index.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no banner in 60 s:\n${out}`)), 60_000);
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const match = out.match(/GraphQL:\s+(http:\/\/127\.0\.0\.1:\d+)\/graphql/);
      if (match) {
        clearTimeout(timer);
        resolve({ process: child, url: match[1] });
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
}

async function gql(instance: Instance, key: string, query: string) {
  const res = await fetch(`${instance.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe.runIf(testDbMode() === 'postgres' && REDIS_URL)('several service instances', () => {
  let t: TestDatabase;
  let instances: Instance[] = [];
  let key: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    await ingestFile(t.database, 'market-registry', fixture('registry.csv'));
    key = (await createApiKey(t.database, { name: 'one key', role: 'analyst' })).key;
    const env = {
      DATABASE_URL: t.url!,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      REDIS_URL: REDIS_URL!,
      EDP_REDIS_PREFIX: `edp:test:${randomBytes(4).toString('hex')}:`,
      EDP_RATE_LIMIT_PER_MINUTE: '1',
      EDP_RATE_LIMIT_BURST: '6',
      EDP_DATA_VERSION_TTL_MS: '500',
    };
    instances = await Promise.all([startInstance(env), startInstance(env)]);
  }, 120_000);
  afterAll(async () => {
    for (const instance of instances) instance.process.kill('SIGTERM');
    await Promise.all(
      instances.map((i) => new Promise((resolve) => i.process.once('exit', resolve))),
    );
    await t?.drop();
  });

  it('answer the same, and share one rate-limit bucket per key through Redis', async () => {
    const query = `{ enterprise(uscc: "${U.huali}") { name town industryCode } }`;
    const [a, b] = await Promise.all(instances.map((i) => gql(i, key, query)));
    expect(a).toEqual(b);
    expect(a.body.data.enterprise.name).toBe('汶上县华力机电（集团）有限公司');
    // the burst is 6 for the key, wherever its requests land: 2 used above, 4 more in turn
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await gql(instances[i % 2], key, query)).status);
    expect(statuses).toEqual([200, 200, 200, 200]);
    const refused = await gql(instances[0], key, query);
    const refusedToo = await gql(instances[1], key, query);
    expect([refused.status, refusedToo.status]).toEqual([429, 429]);
    expect(refused.body.errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('see a batch loaded by the CLI in another process', async () => {
    const other = (await createApiKey(t.database, { name: 'another key', role: 'analyst' })).key;
    const query = `{ enterprise(uscc: "${U.later}") { name } }`;
    for (const instance of instances)
      expect((await gql(instance, other, query)).body.data.enterprise).toBeNull();
    await promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        'cli/index.ts',
        'ingest',
        'market-registry',
        fixture('registry-update.csv'),
      ],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: t.url! } },
    );
    // each instance reuses the data version for at most 500 ms
    await new Promise((resolve) => setTimeout(resolve, 600));
    for (const instance of instances)
      expect((await gql(instance, other, query)).body.data.enterprise).toEqual({
        name: '汶上县后来登记有限公司',
      });
  });
});
