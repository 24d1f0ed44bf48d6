import type { ColumnDef, Party, PartyInput, RowView } from './columns.js';
import type { CopyValue } from './copy-text.js';

/** The nine sources of docs/interface.md, in the order a full load runs them (the register first). */
export const SOURCES = [
  'market-registry',
  'market-penalties',
  'tax-payments',
  'tax-annual',
  'land-parcels',
  'land-leases',
  'power',
  'designations',
  'tech-projects',
] as const;
export type SourceName = (typeof SOURCES)[number];

export const isSourceName = (value: string): value is SourceName =>
  (SOURCES as readonly string[]).includes(value);

/** A row that passed validation: what goes into the source's table, and who it is about. */
export interface ParsedRecord {
  /** the natural key as text: the record id's key part and the manual_links key */
  key: string;
  /** the table's own columns (SQL name → value), natural key columns included */
  values: Record<string, CopyValue>;
  /** the enterprises the record names (none for the register, two for a lease) */
  parties: PartyInput[];
}

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
  columns: ColumnDef[];
  /** the table records go to (and are read from: unmatched records, links) */
  table: string;
  /**
   * When `table` is a view over narrower tables (power: `power_consumption` over `power_readings` and
   * `power_holders`, db/power.ts): each distinct party (per first key column, e.g. the account, and
   * identity) is written once into `holders` (id, account_id, the first key column, the single
   * party's link columns; re-resolution updates them), and each record into `table` as `account_id`
   * (its first key column's number), its other own columns, `holder_id`, `batch_id`, `source_row`.
   */
  store?: {
    table: string;
    holders: string;
    /** `table`'s natural key columns (`account_id`, then the source's other key columns) */
    keyColumns: string[];
    /** as the source's `keySql`, over `table`'s columns */
    keySql(prefix: string): string;
  };
  /**
   * (With `store`.) The columns of the fast reading of large CSV files (connectors/power/fast-lines.ts), by column key.
   * Declaring it says that `parse` is exactly: `account` required text, `month` a required month,
   * `quantity` a required quantity, and the party of `identifier` and `name`; the first key column is
   * `account`, the other `month`.
   */
  fast?: { account: string; month: string; quantity: string; identifier: string; name: string };
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
