import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { ingestBatches, manualLinks } from '../db/ingest.js';

/**
 * A token that changes whenever the data behind derived figures may have changed: an ingest batch
 * is started, commits or fails (max id, max finished_at, committed count), or an operator makes,
 * changes or removes a manual link (count, max linked_at). One cheap statement (index scans on
 * two small tables); caches of county-wide results are keyed by it.
 */
export async function dataVersion(database: Database): Promise<string> {
  const [row] = await database.rows<{ version: string }>(sql`
    select concat_ws('/',
      (select coalesce(max(${ingestBatches.id}), 0) from ${ingestBatches}),
      (select count(*) from ${ingestBatches} where ${ingestBatches.status} = 'committed'),
      coalesce((select max(${ingestBatches.finishedAt}) from ${ingestBatches})::text, '-'),
      (select count(*) from ${manualLinks}),
      coalesce((select max(${manualLinks.linkedAt}) from ${manualLinks})::text, '-')
    ) as version`);
  return row.version;
}
