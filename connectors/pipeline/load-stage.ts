/**
 * The staging path (load.ts LoadPath `stage`): the rows are COPYed into a temporary table (no WAL, no
 * keys) with their cells, then moved into the table by one set-based merge.
 *
 * If no key of the file exists yet (not known to collide), every row is inserted in key order
 * (indexes fill sequentially). Otherwise (a reload, a correction, a duplicate within the file):
 * duplicates within the file are quarantined (the first occurrence stays), rows whose values differ
 * are updated (a correction: counted as replaced), new rows inserted, and identical rows left
 * untouched (not even their batch id or loaded_at), so that loading the same file twice changes nothing.
 */
import type { BatchCounts } from './batches.js';
import type { Quarantine, Quarantined } from './quarantine.js';
import type { RecordWriter } from './record-store.js';
import { UNIT_SEPARATOR } from './row-bytes.js';
import type { CopyWriter, Session } from './session.js';

export const UNIQUE_VIOLATION = '23505';

/** The name of a pass's staging table into `table` (temporary: it lasts until the transaction ends). */
export const stagingTableName = (table: string): string => `edp_stage_${table}`;

/** The staging table of one pass into `writer.table`, created when the first row is sent. */
export class StagingTable {
  readonly name: string;
  private created = false;

  constructor(
    private readonly session: Session,
    private readonly writer: RecordWriter,
  ) {
    this.name = stagingTableName(writer.table);
  }

  /** Opens a COPY into the staging table (the row's cells in `edp_cells`), creating it the first time. */
  async openCopy(): Promise<CopyWriter> {
    if (!this.created) {
      await this.session.query(
        `create temp table ${this.name} on commit drop as select *, null::text as edp_cells from ${this.writer.table} with no data`,
      );
      this.created = true;
    }
    return this.session.openCopy(this.name, [...this.writer.columns, 'edp_cells']);
  }

  /**
   * Moves `staged` rows into the table (see above). `collides`: a key is known to collide (the
   * optimistic insert would only fail again, after sorting every row). `keyLabel` names the key in
   * a duplicate's reason.
   */
  async merge(
    staged: number,
    collides: boolean,
    keyLabel: string,
    counts: BatchCounts,
    quarantine: Quarantine,
  ): Promise<void> {
    if (staged === 0) return;
    const { session, writer, name: stage } = this;
    if (staged > 10_000) await session.query(`analyze ${stage}`);
    const keys = writer.keyColumns.join(', ');
    const list = writer.columns.join(', ');
    if (!collides) {
      try {
        await session.savepoint((s) =>
          s.execute(
            `insert into ${writer.table} (${list}) select ${list} from ${stage} order by ${keys}`,
          ),
        );
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      }
    }
    await quarantine.write(await this.removeDuplicates(keyLabel, counts));
    await this.upsert(counts);
  }

  /**
   * Deletes the rows whose key an earlier row of the file has (usually none: then the staging table is
   * not touched again), uncounts them, and returns them as quarantined rows.
   */
  private async removeDuplicates(keyLabel: string, counts: BatchCounts): Promise<Quarantined[]> {
    const { session, writer, name: stage } = this;
    const keys = writer.keyColumns.join(', ');
    const repeated = await session.query<{ row: number; first: number }>(
      `select source_row as row, first from (
         select source_row, first_value(source_row) over (partition by ${keys} order by source_row) as first from ${stage}
       ) d where source_row <> first`,
    );
    if (repeated.length === 0) return [];
    const firstOf = new Map(repeated.map((d) => [Number(d.row), Number(d.first)]));
    const duplicates = await session.query<{
      row: number;
      key: string;
      cells: string;
      unmatched: boolean;
    }>(
      `delete from ${stage} s where s.source_row = any($1::int[])
       returning s.source_row as row, ${writer.keySql('s.')} as key, s.edp_cells as cells, (${writer.unmatchedSql}) as unmatched`,
      [[...firstOf.keys()]],
    );
    return duplicates
      .map((d) => {
        if (d.unmatched) counts.rowsUnmatched -= 1;
        else counts.rowsLoaded -= 1;
        return {
          rowNumber: d.row,
          cells: d.cells.split(UNIT_SEPARATOR),
          reasons: [
            `duplicate ${keyLabel} ${d.key.replaceAll('|', ' / ')}: this file already has it on row ${firstOf.get(Number(d.row))}`,
          ],
        };
      })
      .sort((a, b) => a.rowNumber - b.rowNumber);
  }

  /** Updates the rows whose values differ (counted as replaced) and inserts the new ones. */
  private async upsert(counts: BatchCounts): Promise<void> {
    const { session, writer, name: stage } = this;
    const { table, columns, compared, keyColumns } = writer;
    const keyJoin = keyColumns.map((k) => `t.${k} = s.${k}`).join(' and ');
    const set = [...compared, 'batch_id', 'source_row'];
    counts.rowsReplaced += await session.execute(
      `update ${table} t set (${set.join(', ')}, loaded_at) = (${set.map((c) => `s.${c}`).join(', ')}, now())
       from ${stage} s where ${keyJoin}
         and (${compared.map((c) => `t.${c}`).join(', ')}) is distinct from (${compared.map((c) => `s.${c}`).join(', ')})`,
    );
    await session.execute(
      `insert into ${table} (${columns.join(', ')}) select ${columns.map((c) => `s.${c}`).join(', ')} from ${stage} s
       where not exists (select 1 from ${table} t where ${keyJoin}) order by ${keyColumns.map((k) => `s.${k}`).join(', ')}`,
    );
  }
}
