import { desc, eq, inArray } from 'drizzle-orm';
import {
  linkRecord,
  listUnmatched,
  type UnmatchedPage,
  type UnmatchedRecord,
} from '../connectors/index.js';
import type { Database } from '../db/client.js';
import { ingestBatches as batches } from '../db/ingest.js';
import { UserInputError } from '../lib/errors.js';
import type { Viewer } from './roles.js';

export type IngestBatchRow = typeof batches.$inferSelect;

/** Largest page of batches or unmatched records one request may ask for. */
export const MAX_PAGE = 200;

const pageSize = (first: number | null | undefined, fallback: number) => {
  if (first !== null && first !== undefined && (first < 0 || !Number.isInteger(first))) {
    throw new UserInputError('first 须为不小于 0 的整数');
  }
  return Math.min(first ?? fallback, MAX_PAGE);
};

/** Loads (batches) of department files, newest first, optionally of one source (one statement). */
export async function listIngestBatches(
  database: Database,
  args: { source?: string | null; first?: number | null },
): Promise<IngestBatchRow[]> {
  const query = database.db.select().from(batches);
  const filtered = args.source ? query.where(eq(batches.source, args.source)) : query;
  return await filtered.orderBy(desc(batches.id)).limit(pageSize(args.first, 20));
}

/** Batches by id, in the order asked (null for an unknown id); one statement. */
export async function batchesById(
  database: Database,
  ids: readonly number[],
): Promise<(IngestBatchRow | null)[]> {
  const rows = await database.db
    .select()
    .from(batches)
    .where(inArray(batches.id, [...ids]));
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
}

/** A page of unmatched records (connectors/unmatched.ts); an unknown source or cursor is the caller's error. */
export async function unmatchedRecordsPage(
  database: Database,
  args: {
    source?: string | null;
    /** only these sources (the caller's own departments'); all when absent */
    within?: readonly string[];
    first?: number | null;
    after?: string | null;
  },
): Promise<UnmatchedPage> {
  return listUnmatched(database, {
    source: args.source ?? undefined,
    within: args.within,
    first: pageSize(args.first, 50),
    after: args.after,
  });
}

/** An operator links a record to an enterprise; the link is attributed to the API key's holder. */
export async function linkRecordAs(
  database: Database,
  viewer: Viewer,
  id: string,
  uscc: string,
): Promise<UnmatchedRecord> {
  return linkRecord(
    database,
    id,
    uscc,
    `api:${viewer.name}${viewer.keyId ? ` (key ${viewer.keyId})` : ''}`,
  );
}
