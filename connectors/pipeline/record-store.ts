/**
 * The contract between the generic load (load.ts, pass.ts) and the code that writes a source's
 * records: what a validated record is, what one pass of a load offers the writer, and the hook a
 * source definition may set to store its records its own way (SourceDefinition.store: power's
 * readings and holders, connectors/power/store.ts). Without the hook, linked-rows.ts writes them.
 */
import type { ColumnMap, PartyInput, RowMemo } from './columns.js';
import type { CopyStream } from './copy-stream.js';
import type { CopyValue } from './copy-text.js';
import type { Quarantine } from './quarantine.js';
import type { SheetRow } from './readers.js';
import type { RowTail } from './row-bytes.js';
import type { CopyFormat, Session } from './session.js';

/** A row that passed validation: what goes into the source's table, and who it is about. */
export interface ParsedRecord {
  /** the natural key as text: the record id's key part and the manual_links key */
  key: string;
  /** the table's own columns (SQL name → value), natural key columns included */
  values: Record<string, CopyValue>;
  /** the enterprises the record names (none for the register, two for a lease) */
  parties: PartyInput[];
}

/**
 * Thrown by a source's own reading of a file when it cannot read this file (power: quoted cells): the
 * load starts the same path again through the general reader.
 */
export class ReadAgain extends Error {}

/** The links made by hand (manual_links) of the source being loaded. */
export interface ManualLinks {
  readonly size: number;
  /** The USCC a record (`key`) is linked to by hand for `party`, if it is. */
  uscc(party: string, key: string): string | undefined;
}

/** One pass of a load over a file's rows, as a {@link RecordWriter} sees it (pass.ts). */
export interface LoadContext {
  readonly session: Session;
  readonly batchId: number;
  /** the rows go through a staging table (and carry their cells, for a duplicate's quarantine) */
  readonly staging: boolean;
  readonly header: string[];
  readonly map: ColumnMap;
  /** what the rows of the file share (names normalised, identifiers checked, parties, months) */
  readonly memo: RowMemo;
  /** a cell longer than this many characters quarantines its row (limits.ts) */
  readonly maxCellChars: number;
  /** rows read, and of those written: linked to an enterprise (loaded) or not (unmatched) */
  readonly counts: { rowsRead: number; rowsLoaded: number; rowsUnmatched: number };
  /** rows written into the COPY so far (the staging merge runs only when there are any) */
  written: number;
  readonly stream: CopyStream;
  readonly quarantine: Quarantine;
  readonly tail: RowTail;
  readonly manual: ManualLinks;
  /** the first row's key, checked against the table before anything is sent (direct path) */
  firstKey: CopyValue[] | null;
  /** whether the first row's key was checked (or needs no check) */
  readonly keyChecked: boolean;
  /** Checks the first key once it is known: throws when it is in the table already. */
  checkFirstKey(): Promise<void>;
  /** Validates one row as read and hands it to the writer, or quarantines it. */
  accept(row: SheetRow): void;
  /** Ends the COPY and writes the quarantined rows waiting. */
  flushQuarantine(): Promise<void>;
  /** The file as raw UTF-8 lines, when the input can give them (a CSV file on the bulk or direct path). */
  rawLines(): AsyncIterable<Buffer> | undefined;
  /** Reports the rows read so far. */
  progress(): void;
  /** Reports that a phase of the load ended (for timing). */
  phase(name: string): void;
}

/** Writes one pass's records into the COPY the pass streams (see {@link LoadContext}). */
export interface RecordWriter {
  /** the table the rows go to, its natural key columns and that key as SQL over them */
  readonly table: string;
  readonly keyColumns: readonly string[];
  keySql(prefix: string): string;
  /** the COPY's columns in the order rows are written, and the format */
  readonly columns: readonly string[];
  readonly format: CopyFormat;
  /** the columns that tell a corrected row from an unchanged one (the staging merge) */
  readonly compared: readonly string[];
  /** SQL over a staged row `s`: whether it links to no enterprise */
  readonly unmatchedSql: string;
  /** Writes a validated record's row (`cells`: staged, the cells as read). */
  write(record: ParsedRecord, rowNumber: number, cells: readonly string[] | null): void;
  /** Whether work waits that needs the connection ({@link flush}) before more rows are read. */
  due(): boolean;
  /** Does that work (or all of it, at the end of the rows); the COPY may be ended for it. */
  flush(): Promise<void>;
  /** After the COPY ended: whatever the rows point at written, and counted as loaded or unmatched. */
  finish(): Promise<void>;
  /** Reads the file its own way instead of the general reader; false when it does not (this time). */
  readOwnWay(): Promise<boolean>;
}

/**
 * A source's own storage of its records (SourceDefinition.store), when they are not one row per
 * record with its parties' link columns in the source's table.
 */
export interface RecordStore {
  /** the tables a load writes, the rows' table first (on the bulk path their indexes are dropped) */
  readonly tables: readonly string[];
  /** the table with the parties' link columns (resolved again when the register changes) */
  readonly linkTable: string;
  /** The writer of one pass. */
  open(load: LoadContext): Promise<RecordWriter>;
  /**
   * SQL joining rows `k` that carry the source's natural key columns with a pass's staging table
   * `stage` (as `s`), whose rows have the written table's columns (supersede.ts).
   */
  joinStaged(stage: string): string;
}
