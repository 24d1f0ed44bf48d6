import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { evaluationRuns } from '../db/decisions.js';
import { ingestBatches, manualLinks } from '../db/ingest.js';
import { sharedWork } from '../db/statement-scope.js';

/** A run of record in force: the year's final run, or a notice run (docs/decisions.md). */
export interface RunRef {
  id: string;
  year: number;
  status: 'notice' | 'final';
}

/** What derived answers depend on: the data version, and the evaluation runs in force. */
export interface DataState {
  version: string;
  runs: RunRef[];
}

/**
 * A token that changes whenever the data behind derived figures may have changed: an ingest batch
 * is started, commits or fails (max id, max finished_at, committed count), or an operator makes,
 * changes or removes a manual link (count, max linked_at). One cheap statement (index scans on
 * two small tables); caches of county-wide results are keyed by it. The same statement reads the
 * evaluation runs in force (a few rows per year), so that answering from a published run costs
 * no statement more than answering live.
 */
async function readDataState(database: Database): Promise<DataState> {
  const [row] = await database.rows<{ version: string; runs: string | null }>(sql`
    select concat_ws('/',
      (select coalesce(max(${ingestBatches.id}), 0) from ${ingestBatches}),
      (select count(*) from ${ingestBatches} where ${ingestBatches.status} = 'committed'),
      coalesce((select max(${ingestBatches.finishedAt}) from ${ingestBatches})::text, '-'),
      (select count(*) from ${manualLinks}),
      coalesce((select max(${manualLinks.linkedAt}) from ${manualLinks})::text, '-')
    ) as version,
    (select string_agg(${evaluationRuns.id} || ':' || ${evaluationRuns.year} || ':' || ${evaluationRuns.status}, ',' order by ${evaluationRuns.id})
      from ${evaluationRuns} where ${evaluationRuns.status} in ('notice', 'final')) as runs`);
  const runs = (row.runs ? row.runs.split(',') : []).map((part) => {
    const [id, year, status] = part.split(':');
    return { id, year: Number(year), status: status as RunRef['status'] };
  });
  return { version: row.version, runs };
}

/** Per database: how long a read data version may be reused (ms; 0 = read on every call). */
const ttls = new WeakMap<Database, number>();
/** Per database: bumped by `dataVersionChanged`, so that a memo from before a local write is not reused. */
const generations = new WeakMap<Database, number>();
const memos = new WeakMap<
  Database,
  { state: Promise<DataState>; at: number; generation: number }
>();

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

/** The data state, read at most once per TTL (see setDataVersionTtl); concurrent callers share one read. */
export function dataState(database: Database): Promise<DataState> {
  const ttl = ttls.get(database) ?? 0;
  if (ttl <= 0) return readDataState(database);
  const generation = generations.get(database) ?? 0;
  const now = performance.now();
  const memo = memos.get(database);
  if (memo && memo.generation === generation && now - memo.at < ttl) return memo.state;
  // read for every request within the TTL: not cancelled when the one that started it ends
  const state = sharedWork(() => readDataState(database));
  memos.set(database, { state, at: now, generation });
  state.catch(() => memos.get(database)?.state === state && memos.delete(database));
  return state;
}

/**
 * The current data version (see readDataState): one statement, or none when a version read
 * within the database's TTL (setDataVersionTtl) is still fresh.
 */
export async function dataVersion(database: Database): Promise<string> {
  return (await dataState(database)).version;
}

/** The evaluation runs in force (notice and final), oldest first, read with the data version. */
export async function runsInForce(database: Database): Promise<RunRef[]> {
  return (await dataState(database)).runs;
}
