import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Database, openDatabase } from '../../db/client.js';
import { createTestDatabase, testDbMode } from '../support/db.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/**
 * A database the `edp` command line can open too: in PostgreSQL mode a test database (DATABASE_URL),
 * in PGlite mode a data directory of its own (EDP_DATA_DIR) — the test's in-memory PGlite lives in
 * this process only. `open()` gives the test its own connection; close it before the CLI runs
 * against a PGlite directory (one process at a time).
 */
export async function cliDatabase() {
  if (testDbMode() === 'postgres') {
    const t = await createTestDatabase();
    await t.database.close();
    const env = { DATABASE_URL: t.url! };
    return { env, open: () => openDatabase({ databaseUrl: t.url!, max: 2 }), drop: () => t.drop() };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edp-cli-'));
  const first = await openDatabase({ dataDir: dir });
  await first.migrate();
  await first.close();
  return {
    env: { EDP_DATA_DIR: dir },
    open: async (): Promise<Database> => openDatabase({ dataDir: dir }),
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Runs `npm run edp -- …args` (as tsx cli/index.ts) and returns its exit code and output. */
export async function edp(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv = {
    ...process.env,
    DATABASE_URL: '',
    EDP_DATA_DIR: '',
    LOG_LEVEL: 'silent',
    ...env,
  };
  try {
    const { stdout, stderr } = await promisify(execFile)(TSX, ['cli/index.ts', ...args], {
      cwd: ROOT,
      env: childEnv,
    });
    return { code: 0, stdout, stderr };
  } catch (error: any) {
    return { code: error.code ?? 1, stdout: error.stdout ?? '', stderr: error.stderr ?? '' };
  }
}
