/**
 * The rows of a load that failed validation (or repeat a key of the file), written to
 * `quarantined_rows` with every reason, in groups.
 */
import { copyLine } from './copy-text.js';
import type { Session } from './session.js';

/** Quarantined rows are written when there are this many. */
const QUARANTINE_ROWS = 1_000;

export interface Quarantined {
  rowNumber: number;
  cells: string[];
  reasons: string[];
}

/** The row as read, column name → cell text, for the quarantine (unknown columns included). */
function rawObject(header: string[], cells: string[]): Record<string, string> {
  const raw: Record<string, string> = {};
  cells.forEach((cell, i) => {
    let name = header[i]?.trim().replaceAll('\u0000', '') || `列${i + 1}`;
    if (name in raw) name = `${name} (列${i + 1})`;
    raw[name] = cell.replaceAll('\u0000', '\uFFFD'); // jsonb cannot hold NUL
  });
  return raw;
}

/** The quarantined rows of one load (counted in `counts.rowsQuarantined` when written). */
export class Quarantine {
  private rows: Quarantined[] = [];

  constructor(
    private readonly session: Session,
    private readonly load: {
      batchId: number;
      source: string;
      fileName: string | null;
      header: string[];
      counts: { rowsQuarantined: number };
    },
  ) {}

  add(row: Quarantined): void {
    this.rows.push(row);
  }

  /** Whether enough rows wait to be written. */
  get full(): boolean {
    return this.rows.length >= QUARANTINE_ROWS;
  }

  get empty(): boolean {
    return this.rows.length === 0;
  }

  /** Writes the waiting rows (the connection must be free: no COPY open). */
  async flush(): Promise<void> {
    const rows = this.rows;
    this.rows = [];
    await this.write(rows);
  }

  /** Writes `rows` (a COPY of their own). */
  async write(rows: readonly Quarantined[]): Promise<void> {
    if (rows.length === 0) return;
    const { batchId, source, fileName, header, counts } = this.load;
    counts.rowsQuarantined += rows.length;
    await this.session.copyIn(
      'quarantined_rows',
      ['batch_id', 'source', 'file_name', 'row_number', 'raw', 'reasons'],
      rows
        .map((q) =>
          copyLine([batchId, source, fileName, q.rowNumber, rawObject(header, q.cells), q.reasons]),
        )
        .join(''),
    );
  }
}
