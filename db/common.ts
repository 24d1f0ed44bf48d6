import { bigint, integer, numeric, text, timestamp, varchar } from 'drizzle-orm/pg-core';

/**
 * Money in yuan (元): exact decimals, never float. Two decimals are enough for every
 * department's figures; sums are computed in SQL on numeric.
 */
export const yuan = (name: string) => numeric(name, { precision: 20, scale: 2 });

/** Areas in square metres (平方米) as delivered; 1 亩 = 10000/15 m². */
export const squareMetres = (name: string) => numeric(name, { precision: 16, scale: 2 });

/**
 * Columns every linked department record carries: what the source said about the
 * enterprise (identifier and name as delivered), and what entity resolution made of it.
 * `uscc` is null while the record is unmatched; `matchReason` and `matchCandidates` then say why.
 */
export const linkColumns = () => ({
  /** The identifier exactly as delivered (USCC, legacy 15-character tax number, or null). */
  rawIdentifier: varchar('raw_identifier', { length: 32 }),
  /** The enterprise name as delivered (kept for display). */
  rawName: text('raw_name'),
  /** NFKC-normalised name used for matching (brackets and spaces folded). */
  nameNorm: text('name_norm'),
  /** The registered enterprise this record is linked to; null while unmatched. */
  uscc: varchar('uscc', { length: 18 }),
  /** How the link was made: uscc, legacy, name, former_name or manual. */
  matchMethod: varchar('match_method', { length: 16 }),
  /** Why the record is unmatched (null when linked). */
  matchReason: text('match_reason'),
  /** Candidate enterprises (USCCs) when the record matched several. */
  matchCandidates: text('match_candidates').array(),
});

/** Provenance: the batch that last wrote the row, when, and its row number in that file. */
export const provenanceColumns = () => ({
  batchId: bigint('batch_id', { mode: 'number' }).notNull(),
  loadedAt: timestamp('loaded_at', { withTimezone: true }).notNull().defaultNow(),
  sourceRow: integer('source_row'),
});
