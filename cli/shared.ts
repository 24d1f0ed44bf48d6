import os from 'node:os';
import { type Database, openDatabase } from '../db/client.js';
import { type Config, loadConfig } from '../lib/config.js';
import { CAPABILITIES, type Viewer } from '../resolvers/roles.js';

/**
 * Opens the configured database (DATABASE_URL, else PGlite in EDP_DATA_DIR), migrated, runs `work`,
 * and closes it whatever happens.
 */
export async function withDatabase<T>(
  work: (database: Database, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await database.migrate();
    return await work(database, config);
  } finally {
    await database.close();
  }
}

/** Who writes a decision of record from the command line: an administrator named by the OS user. */
export function cliViewer(): Viewer {
  return {
    role: 'admin',
    keyId: null,
    name: `cli:${os.userInfo().username}`,
    can: CAPABILITIES.admin,
  };
}
