import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/client.js';
import { edp } from '../auth/cli.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

/**
 * The embedded database is opened by one process at a time: with the service holding a data
 * directory, a command on the same directory refuses, naming the service; a lock left by a process
 * that has ended is taken over. And `edp … | head` ends quietly when the reader stops reading.
 */
describe('one process on an embedded database', () => {
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-lock-'));
    const first = await openDatabase({ dataDir: dir });
    await first.migrate();
    await first.close();
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second process while the service holds the directory, naming the service', async () => {
    const service = await openDatabase({
      dataDir: dir,
      holder: 'npm start（服务 http://127.0.0.1:4000）',
    });
    try {
      const second = await edp(['unmatched'], { EDP_DATA_DIR: dir });
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain(`嵌入式数据库 ${dir} 正由另一个进程使用`);
      expect(second.stderr).toContain(
        `npm start（服务 http://127.0.0.1:4000）（进程号 ${process.pid}`,
      );
      expect(second.stdout).toBe('');
    } finally {
      await service.close();
    }
    const after = await edp(['unmatched'], { EDP_DATA_DIR: dir });
    expect(after).toMatchObject({ code: 0, stderr: '' });
  }, 120_000);

  it('takes over a lock left by a process that no longer runs', async () => {
    writeFileSync(
      path.join(dir, 'edp.lock'),
      JSON.stringify({ pid: 2 ** 22 + 17, holder: 'npm start', since: '2026-12-01T00:00:00Z' }),
    );
    const run = await edp(['unmatched'], { EDP_DATA_DIR: dir });
    expect(run).toMatchObject({ code: 0, stderr: '' });
  }, 120_000);

  it('ends quietly with exit 0 when its reader stops reading (| head)', async () => {
    const child = spawn(TSX, ['cli/index.ts', 'unmatched'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '', EDP_DATA_DIR: dir, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // the reader is gone before the command writes its first line
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  }, 120_000);
});
