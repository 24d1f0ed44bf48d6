import { type Database, openDatabase } from '../db/client.js';
import { type Config, loadConfig } from '../lib/config.js';

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
