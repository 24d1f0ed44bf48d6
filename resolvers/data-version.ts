import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { ingestBatches, manualLinks } from '../db/ingest.js';

/**
 * A token that changes whenever the data behind derived figures may have changed: an ingest batch
 * is started, commits or fails (max id, max finished_at, committed count), or an operator makes,
 * changes or removes a manual link (count, max linked_at). One cheap statement (index scans on
 * two small tables); caches of county-wide results are keyed by it.
 */
async function readDataVersion(database: Database): Promise<string> {
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

/** Per database: how long a read data version may be reused (ms; 0 = read on every call). */
const ttls = new WeakMap<Database, number>();
/** Per database: bumped by `dataVersionChanged`, so that a memo from before a local write is not reused. */
const generations = new WeakMap<Database, number>();
const memos = new WeakMap<Database, { version: Promise<string>; at: number; generation: number }>();

/**
 * Lets `dataVersion` reuse a version read less than `ms` ago (EDP_DATA_VERSION_TTL_MS; the service
 * sets it, other processes — CLI, pipeline, tests — keep the default 0: every call reads). A change
 * made by another process is then seen at most `ms` late; one made by this process is seen at once
 * when it calls `dataVersionChanged` (the service does after every mutation).
 */
export function setDataVersionTtl(database: Database, ms: number): void {
  ttls.set(database, Math.max(0, ms));
  memos.delete(database);
}

/** Call after this process committed a batch or made a link: the next `dataVersion` reads afresh. */
export function dataVersionChanged(database: Database): void {
  generations.set(database, (generations.get(database) ?? 0) + 1);
  memos.delete(database);
}

/**
 * The current data version (see readDataVersion): one statement, or none when a version read
 * within the database's TTL (setDataVersionTtl) is still fresh; concurrent callers share one read.
 */
export function dataVersion(database: Database): Promise<string> {
  const ttl = ttls.get(database) ?? 0;
  if (ttl <= 0) return readDataVersion(database);
  const generation = generations.get(database) ?? 0;
  const now = performance.now();
  const memo = memos.get(database);
  if (memo && memo.generation === generation && now - memo.at < ttl) return memo.version;
  const version = readDataVersion(database);
  memos.set(database, { version, at: now, generation });
  version.catch(() => memos.get(database)?.version === version && memos.delete(database));
  return version;
}
