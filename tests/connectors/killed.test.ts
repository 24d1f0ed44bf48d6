import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { type Database, openDatabase } from '../../db/client.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { fixture } from './support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROWS = 400_000;

/** A power file big enough to take several seconds: ROWS readings, 12 months of ROWS / 12 accounts. */
async function writeBigPowerFile(file: string) {
  const out = createWriteStream(file);
  out.write('用电户号,户名,统一社会信用代码,抄表年月,用电量(千瓦时)\n');
  let buffer = '';
  for (let i = 0; i < ROWS; i++) {
    buffer += `37${String(Math.floor(i / 12)).padStart(8, '0')},汶上县测试企业${i % 5000}有限公司,,2024-${String((i % 12) + 1).padStart(2, '0')},${i % 9000}.5\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

/** `edp ingest power FILE` in a child process, resolving once the batch is running (its log line). */
function startIngest(
  file: string,
  env: Record<string, string>,
): { child: ChildProcess; running: Promise<number> } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'cli/index.ts'), 'ingest', 'power', file],
    {
      cwd: ROOT,
      env: { ...process.env, ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const running = new Promise<number>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const match = /"batchId":(\d+)[^\n]*"msg":"ingest running"/.exec(err);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) =>
      reject(new Error(`ingest ended (${code}) before it was killed: ${err.slice(-500)}`)),
    );
  });
  return { child, running };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`a load killed mid-way (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-killed-'));
    await writeBigPowerFile(path.join(dir, 'power-big.csv'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves no row of its batch in any table, and the next run reports the batch failed', {
    timeout: 180_000,
  }, async () => {
    const pglite = testDbMode() === 'pglite';
    const dataDir = path.join(dir, 'pglite');
    const env: Record<string, string> = pglite
      ? { EDP_DATA_DIR: dataDir, DATABASE_URL: '' }
      : { DATABASE_URL: t.url! };
    const { child, running } = startIngest(path.join(dir, 'power-big.csv'), env);
    const batchId = await running;
    await sleep(1500); // let it write a few chunks
    expect(child.exitCode).toBeNull(); // still loading
    child.kill('SIGKILL');
    await once(child, 'exit');

    let database: Database;
    if (pglite) {
      database = await openDatabase({ dataDir });
    } else {
      database = t.database;
      // The server notices the dead client and rolls its transaction back (its advisory lock goes with it).
      for (let i = 0; i < 200; i++) {
        const [{ held }] = await database.rows<{ held: number }>(
          sql`select count(*)::int as held from pg_locks where locktype = 'advisory' and objsubid = 2 and objid = ${batchId}`,
        );
        if (held === 0) break;
        await sleep(100);
      }
    }
    try {
      const counts = async () =>
        (
          await database.rows<{ power: number; quarantined: number; mine: number }>(sql`
            select (select count(*)::int from power_consumption) as power,
                   (select count(*)::int from quarantined_rows where batch_id = ${batchId}) as quarantined,
                   (select count(*)::int from power_consumption where batch_id = ${batchId}) as mine`)
        )[0];
      expect(await counts()).toEqual({ power: 0, quarantined: 0, mine: 0 });
      const batchRow = async () =>
        (
          await database.rows<{
            status: string;
            rows_read: number;
            rows_loaded: number;
            message: string | null;
          }>(
            sql`select status, rows_read, rows_loaded, message from ingest_batches where id = ${batchId}`,
          )
        )[0];
      expect((await batchRow()).status).toBe('running');

      // The next run finds the batch without a live loader and reports it failed; its rows were never counted.
      const next = await ingestFile(database, 'power', fixture('power.csv'));
      expect(next.status).toBe('committed');
      expect(await batchRow()).toMatchObject({ status: 'failed', rows_read: 0, rows_loaded: 0 });
      expect((await batchRow()).message).toMatch(/ended before the batch committed/);
      expect((await counts()).power).toBe(next.rowsLoaded + next.rowsUnmatched);
    } finally {
      if (pglite) await database.close();
    }
  });
});
