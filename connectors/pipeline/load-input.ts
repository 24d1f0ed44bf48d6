/** What a load is given (ingest.ts): the rows, how to read them again, and whom to tell what. */
import type { ColumnMap } from './columns.js';
import type { SheetRow } from './readers.js';

/**
 * How the rows reached the table:
 * - `bulk`: the table was empty and the input large: its indexes are dropped, the rows COPYed straight
 *   in, the indexes built again at the end (a key met twice fails there);
 * - `direct`: the rows COPYed straight into the table, its indexes kept (a key that exists fails);
 * - `stage`: through a staging table and a set-based merge (reloads, corrections, duplicates within
 *   the file, and every input that cannot be read twice).
 */
export type LoadPath = 'bulk' | 'direct' | 'stage';

export interface LoadInput {
  header: string[];
  map: ColumnMap;
  /** the data rows in batches (the header already consumed) */
  batches: AsyncIterable<SheetRow[]>;
  fileName: string | null;
  /** called after each batch with the number of rows read so far */
  onProgress?: (rowsRead: number) => void;
  /**
   * Reads the same rows again from the first one (a file can, an API pull cannot). With it the loader
   * first tries to COPY straight into the table and, when a key collides, starts again through the
   * staging table; without it every load goes through the staging table.
   */
  reopen?: () => Promise<AsyncIterable<SheetRow[]>>;
  /** a cell longer than this many characters quarantines its row (default limits.ts INPUT_LIMITS) */
  maxCellChars?: number;
  /** the input's size in bytes (a file), which decides the bulk path */
  sizeBytes?: number;
  /** the bulk path is taken from this many bytes on (default load.ts BULK_MIN_BYTES) */
  bulkMinBytes?: number;
  /** told which path loaded the rows */
  onPath?: (path: LoadPath) => void;
  /** told when a phase of the load ends ('rows read', 'holders written', 'indexes built'), for timing */
  onPhase?: (phase: string) => void;
  /**
   * The same file as UTF-8 bytes in whole lines, header line first (readers.ts openRawCsv): with it, a
   * source with its own reading (SourceDefinition.store, RecordWriter.readOwnWay) is read that way on the bulk and direct
   * paths (a file with quotes is then read again by the general reader).
   */
  rawLines?: () => AsyncIterable<Buffer>;
}
