/**
 * The bulk path (load.ts LoadPath `bulk`): into empty tables, their indexes dropped first and built
 * again, sorted, at the end: far cheaper than maintaining them row by row.
 */
import { type IndexDefinition, indexesOf } from './catalog.js';
import type { Session } from './session.js';

/** How long the bulk path waits for its lock on the table (readers hold it) before it keeps the indexes. */
const BULK_LOCK_TIMEOUT = '2s';
const LOCK_NOT_AVAILABLE = '55P03';

/**
 * The table is empty and nobody holds it: its indexes go. Returns the indexes to build, or null when
 * the table is in use (readers hold it) or not empty: then the indexes stay.
 */
async function dropIndexes(session: Session, table: string): Promise<IndexDefinition[] | null> {
  try {
    return await session.savepoint(async (s) => {
      await s.query(`set local lock_timeout = '${BULK_LOCK_TIMEOUT}'`);
      await s.query(`lock table ${table} in access exclusive mode`);
      await s.query(`set local lock_timeout = 0`);
      const [{ empty }] = await s.query<{ empty: boolean }>(
        `select not exists (select 1 from ${table}) as empty`,
      );
      if (!empty) return null;
      const indexes = await indexesOf(s, table);
      for (const index of indexes) {
        await s.query(
          index.constraint
            ? `alter table ${table} drop constraint "${index.constraint}"`
            : `drop index ${index.name}`,
        );
      }
      return indexes;
    });
  } catch (error) {
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return null;
    throw error;
  }
}

/**
 * Starts the bulk path on `tables` (the rows' table first, then tables the load fills beside it, e.g.
 * power's holders): the indexes of the first are dropped if it is empty and free, then those of each
 * other one that is empty too. Returns the indexes to build again, or null: not the bulk path.
 */
export async function startBulk(
  session: Session,
  tables: readonly string[],
): Promise<IndexDefinition[] | null> {
  const [first, ...others] = tables;
  const indexes = await dropIndexes(session, first);
  if (indexes === null) return null;
  for (const table of others) indexes.push(...((await dropIndexes(session, table)) ?? []));
  return indexes;
}

/** Ends the bulk path: the dropped indexes built again. */
export async function finishBulk(session: Session, indexes: readonly IndexDefinition[]) {
  if (session.kind === 'postgres') await session.query(`set local maintenance_work_mem = '256MB'`);
  for (const index of indexes) await session.query(index.create);
}
