import path from 'node:path';
import { sql } from 'drizzle-orm';
import { ingestManifest } from '../connectors/index.js';
import type { Database } from '../db/client.js';
import { generateDemo } from '../demo/generate.js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';

/** Where the demo's department files are written, inside the embedded database's directory. */
export const demoSourceDir = (config: Config) => path.join(config.dataDir, 'demo-source-files');

/**
 * On an empty embedded database: generate the demo county (config.demoEnterprises enterprises,
 * config.demoSeed) as department files in `<dataDir>/demo-source-files` and load every file through
 * the real connectors, in the manifest's order. Returns a one-line summary for the banner
 * ("N files: X rows loaded, Y quarantined, Z unmatched"), or null when data was already there.
 */
export async function loadDemoIfEmpty(
  database: Database,
  config: Config,
  logger: Logger,
): Promise<string | null> {
  const [{ n }] = await database.rows<{ n: number }>(
    sql`select count(*)::int as n from ingest_batches where status = 'committed'`,
  );
  if (n > 0) return null;
  const started = Date.now();
  const dir = demoSourceDir(config);
  logger.info(
    { dir, enterprises: config.demoEnterprises, seed: config.demoSeed },
    'empty database: generating the demo data set',
  );
  await generateDemo(dir, { enterprises: config.demoEnterprises, seed: config.demoSeed });
  const reports = await ingestManifest(database, dir, { logger });
  const sum = (key: 'rowsLoaded' | 'rowsQuarantined' | 'rowsUnmatched') =>
    reports.reduce((total, r) => total + r[key], 0);
  const summary = `${reports.length} files: ${sum('rowsLoaded')} rows loaded, ${sum('rowsQuarantined')} quarantined, ${sum('rowsUnmatched')} unmatched`;
  logger.info(
    { seconds: (Date.now() - started) / 1000, files: reports.length },
    `demo data loaded: ${summary}`,
  );
  return summary;
}
