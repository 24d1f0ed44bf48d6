/**
 * Loads one file's rows into a source's table: parse → validate → resolve → load, by the fastest
 * path that gives the same result (load-input.ts LoadPath): bulk (load-bulk.ts), direct
 * (load-direct.ts) or through a staging table (load-stage.ts). pass.ts reads the rows of one
 * attempt; the source's writer (linked-rows.ts, or the source's own store) writes them.
 */
import type { BatchCounts } from './batches.js';
import { finishBulk, startBulk } from './load-bulk.js';
import { KeyExists } from './load-direct.js';
import type { LoadInput, LoadPath } from './load-input.js';
import { UNIQUE_VIOLATION } from './load-stage.js';
import { LoadPass } from './pass.js';
import { ReadAgain } from './record-store.js';
import { reresolveAll } from './resolve.js';
import type { Session } from './session.js';
import type { SourceDefinition } from './source.js';

export type { LoadInput, LoadPath };

/** Inputs from this many bytes on load into an empty table by the bulk path. */
export const BULK_MIN_BYTES = 16 << 20;

/**
 * Loads one file's rows into a source's table inside the caller's transaction, by the fastest path
 * that gives the same result (see {@link LoadPath}).
 *
 * When the input can be read again (a file), the rows are first COPYed straight into the table under
 * a savepoint: the bulk path when the table is empty and the input large, else the direct path unless
 * the first row's key is already there. A key met twice (a reload, a correction, a duplicate within
 * the file) rolls that attempt back (its quarantined rows too) and the file is read again through the
 * staging path, which handles every case. Inputs that cannot be read twice always take the staging path.
 */
export async function loadRows(
  session: Session,
  source: SourceDefinition,
  batchId: number,
  input: LoadInput,
  allSources: readonly SourceDefinition[],
): Promise<BatchCounts> {
  const attempt = input.reopen ? await loadStraight(session, source, batchId, input) : null;
  // After a collision the optimistic insert of the merge would only fail again (after sorting every row).
  const counts =
    attempt?.counts ??
    (await new LoadPass(
      session,
      source,
      batchId,
      attempt?.input ?? input,
      'stage',
      input.reopen !== undefined,
    ).run());
  input.onPath?.(attempt?.counts ? attempt.path : 'stage');
  if (source.changesRegister) await reresolveAll(session, allSources);
  return counts;
}

/**
 * The bulk or direct path, under a savepoint. Returns the counts, or (a key collided) the input read
 * again from its first row for the staging path.
 */
async function loadStraight(
  session: Session,
  source: SourceDefinition,
  batchId: number,
  first: LoadInput,
): Promise<{ counts?: BatchCounts; path: LoadPath; input: LoadInput }> {
  const reopen = first.reopen!;
  const bulk = (first.sizeBytes ?? 0) >= (first.bulkMinBytes ?? BULK_MIN_BYTES);
  let input = first;
  for (;;) {
    try {
      return await session.savepoint(async (s) => {
        const indexes = bulk ? await startBulk(s, source.store?.tables ?? [source.table]) : null;
        const path: LoadPath = indexes ? 'bulk' : 'direct';
        const counts = await new LoadPass(s, source, batchId, input, path).run();
        if (indexes) {
          await finishBulk(s, indexes);
          input.onPhase?.('indexes built');
        }
        return { counts, path, input };
      });
    } catch (error) {
      const readAgain = error instanceof ReadAgain && input.rawLines !== undefined;
      if (!readAgain && !collided(error)) throw error;
      input = { ...input, rawLines: undefined, batches: await reopen() };
      // The source's own reading gave up: the same path again through the general reader.
      if (!readAgain) return { path: 'stage', input };
    }
  }
}

/** Whether a load failed on a key met twice (the staging path handles that). */
const collided = (error: unknown) =>
  error instanceof KeyExists || (error as { code?: string }).code === UNIQUE_VIOLATION;
