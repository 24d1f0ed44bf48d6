import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINKED_SOURCES } from '../../connectors/sources.js';
import type { Manifest } from '../../demo/manifest.js';
import { MIN_ENTERPRISES } from '../../demo/scenarios.js';
import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { demoSourceDir, loadDemoIfEmpty } from '../../server/demo.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

describe(`the demo data set through the connectors (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-demo-test-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads every file of an empty database once, and quarantines and leaves unmatched exactly the rows the generator made so', {
    timeout: 300_000,
  }, async () => {
    const config = loadConfig({ dataDir: dir, demoEnterprises: MIN_ENTERPRISES, demoSeed: 7 });
    const summary = await loadDemoIfEmpty(t.database, config, createLogger('silent'));
    const manifest = JSON.parse(
      readFileSync(path.join(demoSourceDir(config), 'manifest.json'), 'utf8'),
    ) as Manifest;
    const batches = await t.database.rows<{
      id: number;
      file_name: string;
      status: string;
      read: number;
      loaded: number;
      quarantined: number;
      unmatched: number;
    }>(sql`
      select id::int, file_name, status, rows_read as read, rows_loaded as loaded, rows_quarantined as quarantined, rows_unmatched as unmatched
      from ingest_batches order by id`);
    expect(batches.map((b) => b.file_name)).toEqual(manifest.files.map((f) => f.file));
    const total = (key: 'loaded' | 'quarantined' | 'unmatched') =>
      batches.reduce((n, b) => n + b[key], 0);
    expect(summary).toBe(
      `${manifest.files.length} files: ${total('loaded')} rows loaded, ${total('quarantined')} quarantined, ${total('unmatched')} unmatched`,
    );

    for (const [i, file] of manifest.files.entries()) {
      const batch = batches[i];
      expect(batch.status, file.file).toBe('committed');
      expect(batch.read, file.file).toBe(file.rows);
      expect(batch.read, file.file).toBe(batch.loaded + batch.quarantined + batch.unmatched);
      const quarantined = await t.database.rows<{ row_number: number }>(
        sql`select row_number from quarantined_rows where batch_id = ${batch.id} order by row_number`,
      );
      expect(
        quarantined.map((q) => q.row_number),
        `${file.file}: quarantined rows`,
      ).toEqual(file.invalidRows.map((r) => r.row).sort((a, b) => a - b));
      expect(batch.unmatched, `${file.file}: unmatched rows`).toBe(
        new Set(file.unmatchedRows.map((r) => r.row)).size,
      );
    }

    // Nothing is lost: every stored record is either linked or listed with a reason.
    for (const source of LINKED_SOURCES) {
      for (const party of source.parties) {
        const [{ loose }] = await t.database.rows<{ loose: number }>(
          sql.raw(
            `select count(*)::int as loose from ${source.table} where ${party.uscc} is null and ${party.matchReason} is null`,
          ),
        );
        expect(loose, `${source.table} ${party.party}`).toBe(0);
      }
    }
    expect(await loadDemoIfEmpty(t.database, config, createLogger('silent'))).toBeNull();
  });
});
