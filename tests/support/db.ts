import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { inject } from 'vitest';
import { type Database, openDatabase } from '../../db/client.js';

export interface TestDatabase {
  database: Database;
  /** postgres:// URL of the test database (PostgreSQL mode only). */
  url?: string;
  /** The data directory snapshot (PGlite mode only), to open a second client on the same data. */
  drop(): Promise<void>;
}

/** Which database this run tests against: EDP_TEST_DB=postgres, else the embedded PGlite. */
export const testDbMode = (): 'pglite' | 'postgres' => inject('testDbMode');

/**
 * A fresh, migrated database of its own for one test file (call in beforeAll, drop in afterAll).
 * PGlite: loaded from the run's migrated snapshot, in memory. PostgreSQL: a new database copied
 * from the run's template on 127.0.0.1, dropped with `drop()`.
 */
export async function createTestDatabase(options: { max?: number } = {}): Promise<TestDatabase> {
  if (testDbMode() === 'pglite') {
    const snapshot = new Blob([readFileSync(inject('pgliteSnapshot'))]);
    const database = await openDatabase({ loadDataDir: snapshot });
    return { database, drop: () => database.close() };
  }
  const adminUrl = inject('pgAdminUrl');
  const name = `edp_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`create database ${name} template ${inject('pgTemplate')}`);
      break;
    } catch (error) {
      // Two files copying the template at the same instant: PostgreSQL refuses one; try again.
      if (attempt >= 20) throw error;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), max: options.max ?? 4 });
  return {
    database,
    url: url.toString(),
    drop: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
