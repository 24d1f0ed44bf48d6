import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Whether the process is still there (signal 0 tests for existence). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts `command` and resolves with the port once the service has printed its banner. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(command, args, { cwd: ROOT, env });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c) => {
    err += c;
  });
  const ready = new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (c) => {
      out += c;
      const port = /GraphQL:\s+http:\/\/[^:]+:(\d+)\//.exec(out)?.[1];
      if (port && out.endsWith('\n\n')) resolve(Number(port));
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}): ${err}`)));
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, ready, exited };
}

/** The pid of the process listening on `port` among the descendants of `root` (the server under npm). */
async function serverPid(port: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(res.status).toBe(200);
  const { execFileSync } = await import('node:child_process');
  const line = execFileSync('ss', ['-ltnpH', `sport = :${port}`], { encoding: 'utf8' });
  return Number(/pid=(\d+)/.exec(line)![1]);
}

describe(`shutdown (${testDbMode()})`, () => {
  let t: TestDatabase | undefined;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'edp-shutdown-'));
    env = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
    delete env.DATABASE_URL;
    if (testDbMode() === 'postgres') {
      t = await createTestDatabase();
      env.DATABASE_URL = t.url!;
    } else {
      // an embedded database that already holds a load: the service starts without the demo
      const { openDatabase } = await import('../../db/client.js');
      const database = await openDatabase({ dataDir });
      await database.migrate();
      await database.rows(
        sql`insert into ingest_batches (source, file_name, status, finished_at) values ('power', 'x.csv', 'committed', now())`,
      );
      await database.close();
      env.EDP_DATA_DIR = dataDir;
    }
  }, 120_000);
  afterAll(async () => {
    await t?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves within 2 s with code 0 on SIGTERM when idle', async () => {
    const s = start(process.execPath, ['--import', 'tsx', 'server/index.ts'], env);
    const port = await s.ready;
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const sent = Date.now();
    s.child.kill('SIGTERM');
    const { code } = await s.exited;
    expect(Date.now() - sent).toBeLessThan(2000);
    expect(code).toBe(0);
  }, 60_000);

  it('npm start hands SIGTERM to the server, which leaves', async () => {
    const s = start('npm', ['start', '--silent'], env);
    const port = await s.ready;
    const pid = await serverPid(port);
    const sent = Date.now();
    s.child.kill('SIGTERM');
    await s.exited;
    while (alive(pid) && Date.now() - sent < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    expect(Date.now() - sent).toBeLessThan(2000);
  }, 60_000);
});
