/**
 * The direct path (load.ts LoadPath `direct`): rows COPYed straight into the table, its indexes kept.
 * Before anything is sent the first row's key is looked up: found, the file is a reload or a
 * correction, and the staging path takes it.
 */
import { columnTypes } from './catalog.js';
import type { CopyValue } from './copy-text.js';
import type { Session } from './session.js';
import type { SourceDefinition } from './source.js';

/** Thrown when the first row's key is already in the table: the direct path gives way to the staging path. */
export class KeyExists extends Error {}

/** Whether a row with this key is in the source's table already (an index look-up). */
export async function keyExists(
  session: Session,
  source: SourceDefinition,
  key: readonly CopyValue[],
): Promise<boolean> {
  const typeOf = await columnTypes(session, source.table, source.keyColumns);
  const where = source.keyColumns
    .map((k, i) => `${k} = $${i + 1}::text::${typeOf.get(k)}`)
    .join(' and ');
  const [{ found }] = await session.query<{ found: boolean }>(
    `select exists (select 1 from ${source.table} where ${where}) as found`,
    key.map((v) => (v === null || v === undefined ? null : String(v))),
  );
  return found;
}
