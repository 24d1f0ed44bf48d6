import type { Database } from '../../db/client.js';
import { autocommitSession, inTransaction, type Session } from './session.js';
import type { SourceName } from './source.js';

/** What one load did (docs/interface.md IngestBatch): rowsRead = rowsLoaded + rowsQuarantined + rowsUnmatched. */
export interface BatchReport {
  batchId: number;
  source: SourceName;
  fileName: string | null;
  /** committed or failed */
  status: 'committed' | 'failed';
  rowsRead: number;
  /** rows stored and linked to an enterprise (new, replacing or unchanged) */
  rowsLoaded: number;
  /** of the stored rows, those that replaced a different earlier value with the same natural key */
  rowsReplaced: number;
  rowsQuarantined: number;
  /** rows stored but linked to no enterprise, or to several (listed by `edp unmatched`) */
  rowsUnmatched: number;
  /** why a failed batch failed */
  message?: string;
  /** earlier quarantined rows of the source that this load superseded (the same file again, or a correction) */
  quarantineSuperseded?: number;
  /** the source's current quarantined rows once this load committed: each problem row once */
  quarantineCurrent?: number;
}

export type BatchCounts = Pick<
  BatchReport,
  'rowsRead' | 'rowsLoaded' | 'rowsReplaced' | 'rowsQuarantined' | 'rowsUnmatched'
>;

/** What a load left of its source's quarantine (docs/quarantine.md, reloads). */
export type QuarantineAfter = Required<
  Pick<BatchReport, 'quarantineSuperseded' | 'quarantineCurrent'>
>;

/** Advisory-lock class of "batch N is being loaded by a live connection" (PostgreSQL). */
const BATCH_LOCK_CLASS = 0x45445042; // 'EDPB'
/** Advisory lock serialising loads (the register's re-resolution touches every table). */
const INGEST_LOCK = 0x4544504c; // 'EDPL'

const DEAD_MESSAGE =
  'the loading process ended before the batch committed (killed or disconnected); nothing of it was loaded';

/** Batches this process is loading (PGlite: a data directory belongs to one process). */
const liveBatches = new Set<number>();

/**
 * Marks batches left 'running' by a process that died as failed (their rows were never committed).
 * PostgreSQL: a live load holds an advisory lock on its batch id, so a 'running' batch whose lock is
 * free has no loader. PGlite: only this process can have the directory open, so any 'running' batch
 * it is not loading itself is dead. Returns how many were marked.
 */
export async function failDeadBatches(database: Database): Promise<number> {
  const session = autocommitSession(database);
  if (database.kind === 'postgres') {
    return session.execute(
      `update ingest_batches set status = 'failed', finished_at = now(), message = $1
       where status = 'running' and pg_try_advisory_xact_lock(${BATCH_LOCK_CLASS}, id::int)`,
      [DEAD_MESSAGE],
    );
  }
  return session.execute(
    `update ingest_batches set status = 'failed', finished_at = now(), message = $1
     where status = 'running' and not (id = any($2::bigint[]))`,
    [DEAD_MESSAGE, [...liveBatches]],
  );
}

/** Records a file that was refused before any row was read (missing column, unreadable file). */
export async function recordRefusedBatch(
  database: Database,
  source: SourceName,
  fileName: string | null,
  message: string,
): Promise<number> {
  const [row] = await autocommitSession(database).query<{ id: number }>(
    `insert into ingest_batches (source, file_name, status, message, finished_at) values ($1, $2, 'failed', $3, now()) returning id::int as id`,
    [source, fileName, message],
  );
  return row.id;
}

async function markFailed(database: Database, batchId: number, message: string) {
  try {
    await autocommitSession(database).execute(
      `update ingest_batches set status = 'failed', finished_at = clock_timestamp(), message = $2 where id = $1 and status = 'running'`,
      [batchId, message.slice(0, 2000)],
    );
  } catch {
    // The database is gone: the next run marks the batch failed (failDeadBatches).
  }
}

/** Loads the rows; runs inside the batch's transaction. */
export type BatchWork = (
  session: Session,
  batchId: number,
) => Promise<BatchCounts & Partial<QuarantineAfter>>;

/**
 * Runs one load as one batch in one transaction. The batch row is committed as 'running' first (so a
 * dashboard sees the load, and a crash leaves a trace), the rows and the final counts commit together,
 * and a failure rolls every row back and marks the batch failed with its message.
 */
export async function runBatch(
  database: Database,
  source: SourceName,
  fileName: string | null,
  work: BatchWork,
  fileSha256?: () => string | null,
): Promise<BatchReport> {
  await failDeadBatches(database);
  const pool = autocommitSession(database);
  let batchId = 0;
  const insertBatch = async (id?: number) => {
    const [row] = await pool.query<{ id: number }>(
      id === undefined
        ? `insert into ingest_batches (source, file_name, status) values ($1, $2, 'running') returning id::int as id`
        : `insert into ingest_batches (id, source, file_name, status) values ($3, $1, $2, 'running') returning id::int as id`,
      id === undefined ? [source, fileName] : [source, fileName, id],
    );
    return row.id;
  };
  if (database.kind === 'pglite') {
    batchId = await insertBatch();
    liveBatches.add(batchId);
  }
  try {
    const counts = await inTransaction(database, async (session) => {
      if (session.kind === 'postgres') {
        // Lock the id before the row is visible, so that no other process takes the batch for dead.
        const [{ id }] = await session.query<{ id: number }>(
          `select nextval(pg_get_serial_sequence('ingest_batches', 'id'))::int as id`,
        );
        await session.query(`select pg_advisory_xact_lock(${BATCH_LOCK_CLASS}, $1::int)`, [id]);
        batchId = await insertBatch(id);
        await session.query(`select pg_advisory_xact_lock(${INGEST_LOCK})`);
        await session.query(`set local work_mem = '64MB'`);
      }
      const result = await work(session, batchId);
      await session.execute(
        `update ingest_batches set status = 'committed', finished_at = clock_timestamp(), rows_read = $2, rows_loaded = $3,
           rows_replaced = $4, rows_quarantined = $5, rows_unmatched = $6, file_sha256 = $7 where id = $1`,
        [
          batchId,
          result.rowsRead,
          result.rowsLoaded,
          result.rowsReplaced,
          result.rowsQuarantined,
          result.rowsUnmatched,
          fileSha256?.() ?? null,
        ],
      );
      return result;
    });
    return { batchId, source, fileName, status: 'committed', ...counts };
  } catch (error) {
    if (batchId)
      await markFailed(database, batchId, error instanceof Error ? error.message : String(error));
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { batchId });
  } finally {
    liveBatches.delete(batchId);
  }
}
