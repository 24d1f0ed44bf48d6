import type { Department } from '../../lib/departments.js';
import { SOURCE_LABELS, type SourceName } from '../../lib/source-labels.js';
import type { ColumnDef, Party, RowView } from './columns.js';
import type { ParsedRecord, RecordStore } from './record-store.js';

export type { ParsedRecord };

/** Every source's name, in the order a full load runs them (lib/source-labels.ts's list). */
export const SOURCES = Object.keys(SOURCE_LABELS) as readonly SourceName[];
export type { SourceName };

export const isSourceName = (value: string): value is SourceName =>
  (SOURCES as readonly string[]).includes(value);

/** The link columns (db/common.ts linkColumns) of one party of a table. */
export interface PartyColumns {
  party: Party;
  rawIdentifier: string;
  rawName: string;
  nameNorm: string;
  uscc: string;
  matchMethod: string;
  matchReason: string;
  matchCandidates: string;
}

/** The link columns of a single-party table. */
export const SINGLE_PARTY: PartyColumns = {
  party: '',
  rawIdentifier: 'raw_identifier',
  rawName: 'raw_name',
  nameNorm: 'name_norm',
  uscc: 'uscc',
  matchMethod: 'match_method',
  matchReason: 'match_reason',
  matchCandidates: 'match_candidates',
};

/**
 * One department source: its columns, how a row becomes a record, and where records go. The
 * pipeline does the rest (reading, quarantine, resolution, upsert, batch bookkeeping).
 */
export interface SourceDefinition {
  name: SourceName;
  /** the department and file, for messages */
  title: string;
  /**
   * The department whose role reads the source's records and quarantined rows; null for a source no
   * department role reads (the recognitions: only admin and analyst, who read every department).
   */
  readBy: Department | null;
  columns: ColumnDef[];
  /** the table records go to (and are read from: unmatched records, links) */
  table: string;
  /**
   * The source's own storage of its records, when they are not one row per record with its parties'
   * link columns in `table` (power: `table` is a view over readings and holders, and large files have
   * a byte-level reading of their own: connectors/power/store.ts). The load calls it instead of
   * writing the rows itself (record-store.ts).
   */
  store?: RecordStore;
  /** its natural key (primary key) columns */
  keyColumns: string[];
  /** its own columns in `ParsedRecord.values`, key columns included */
  valueColumns: string[];
  /**
   * SQL text of the natural key over the table's columns, each prefixed with `prefix` (`''`, `'t.'`);
   * it must equal `ParsedRecord.key`.
   */
  keySql(prefix: string): string;
  /** what the natural key is called, for duplicate messages (e.g. 税票号码) */
  keyLabel: string;
  /** the link columns of each party, in the order of `ParsedRecord.parties` */
  parties: PartyColumns[];
  /** validates one row; every problem goes to `row.reasons` (the row is then quarantined) */
  parse(row: RowView): ParsedRecord;
  /**
   * The register itself: every other source's records are resolved again after its batch, in the
   * same transaction, so the order in which files arrive never changes a link.
   */
  changesRegister?: boolean;
}
