import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  varchar,
} from 'drizzle-orm/pg-core';

/** One load of one file (or one API pull) of one source. rowsRead = rowsLoaded + rowsQuarantined + rowsUnmatched. */
export const ingestBatches = pgTable(
  'ingest_batches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    source: varchar('source', { length: 32 }).notNull(),
    fileName: text('file_name'),
    /** sha-256 of the file's bytes */
    fileSha256: varchar('file_sha256', { length: 64 }),
    /** running, committed, failed */
    status: varchar('status', { length: 16 }).notNull(),
    rowsRead: integer('rows_read').notNull().default(0),
    rowsLoaded: integer('rows_loaded').notNull().default(0),
    /** rows that replaced an earlier value with the same natural key (a correction) */
    rowsReplaced: integer('rows_replaced').notNull().default(0),
    rowsQuarantined: integer('rows_quarantined').notNull().default(0),
    rowsUnmatched: integer('rows_unmatched').notNull().default(0),
    message: text('message'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [index('ingest_batches_source_idx').on(t.source, t.id)],
);

/** Rows that could not be parsed or validated: never dropped, never half-loaded. */
export const quarantinedRows = pgTable(
  'quarantined_rows',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    batchId: bigint('batch_id', { mode: 'number' }).notNull(),
    source: varchar('source', { length: 32 }).notNull(),
    fileName: text('file_name'),
    /** 1-based row number in the file, the header being row 1 */
    rowNumber: integer('row_number').notNull(),
    /** the row as read, column name → cell text */
    raw: jsonb('raw').notNull(),
    reasons: text('reasons').array().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /**
     * The later batch that made this row history (docs/quarantine.md, reloads): it loaded the same
     * file again, the same row, or the record with this row's natural key. Null while the row is the
     * current quarantine of its record; the batch's own rows_quarantined still counts it.
     */
    supersededBy: bigint('superseded_by', { mode: 'number' }),
  },
  (t) => [
    index('quarantined_rows_batch_idx').on(t.batchId),
    index('quarantined_rows_current_idx')
      .on(t.source, t.batchId)
      .where(sql`${t.supersededBy} is null`),
  ],
);

/**
 * Links an operator made by hand (`edp link`). Keyed by the record's natural key, so that the
 * link survives a reload of the same file; `party` distinguishes a lease's lessor and lessee.
 */
export const manualLinks = pgTable(
  'manual_links',
  {
    source: varchar('source', { length: 32 }).notNull(),
    recordKey: text('record_key').notNull(),
    party: varchar('party', { length: 16 }).notNull().default(''),
    uscc: varchar('uscc', { length: 18 }).notNull(),
    linkedAt: timestamp('linked_at', { withTimezone: true }).notNull().defaultNow(),
    linkedBy: text('linked_by'),
  },
  (t) => [primaryKey({ columns: [t.source, t.recordKey, t.party] })],
);
