import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../db/client.js';

/**
 * Prepares one migrated database per test run, which every test file then copies:
 * - pglite (default): a dump of a migrated PGlite data directory, loaded by each file;
 * - postgres (EDP_TEST_DB=postgres): a template database on the server, copied with
 *   CREATE DATABASE … TEMPLATE by each file, dropped when the run ends.
 */
export default async function setup(project: TestProject) {
  const mode = process.env.EDP_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
  project.provide('testDbMode', mode);
  if (mode === 'pglite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'edp-test-'));
    const database = await openDatabase();
    await database.migrate();
    const dump = await database.pglite!.dumpDataDir('none');
    await database.close();
    const file = path.join(dir, 'migrated.tar');
    writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    project.provide('pgliteSnapshot', file);
    return () => rmSync(dir, { recursive: true, force: true });
  }
  const adminUrl = process.env.EDP_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const template = `edp_tpl_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${template}`);
  const url = new URL(adminUrl);
  url.pathname = `/${template}`;
  const database = await openDatabase({ databaseUrl: url.toString(), max: 1 });
  await database.migrate();
  await database.close();
  project.provide('pgTemplate', template);
  project.provide('pgAdminUrl', adminUrl);
  return async () => {
    await admin.unsafe(`drop database if exists ${template} with (force)`);
    await admin.end();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    testDbMode: 'pglite' | 'postgres';
    pgliteSnapshot: string;
    pgTemplate: string;
    pgAdminUrl: string;
  }
}
