import type { QuarantineAfter } from './batches.js';
import { mapHeader, RowView } from './columns.js';
import { stagingTableName } from './load-stage.js';
import type { Session } from './session.js';
import type { SourceDefinition } from './source.js';

/** A quarantined row of an earlier batch that is still current. */
interface OpenRow {
  id: number;
  fileName: string | null;
  rowNumber: number;
  /** the row as read, as stored (jsonb text: the same text for the same cells) */
  raw: string;
}

/** What a quarantined row says about its record: the natural key's columns, when all of them parse. */
interface RowKey {
  /** `ParsedRecord.key` */
  key: string;
  /** the source's key columns (SQL name → value) */
  values: Record<string, unknown>;
}

/**
 * The natural key of a quarantined row, read from its cells by the source's own parser: null when a
 * key column is empty or does not parse (then the row can only be matched by its content or place).
 */
export function quarantinedRowKey(source: SourceDefinition, raw: string): RowKey | null {
  const cells = JSON.parse(raw) as Record<string, unknown>;
  const header = Object.keys(cells);
  let row: RowView;
  try {
    row = new RowView(
      mapHeader(source.columns, header, '', source.name),
      header.map((h) => String(cells[h] ?? '')),
    );
  } catch {
    return null; // a required column is missing from the stored row: no key to read
  }
  const record = source.parse(row);
  const values: Record<string, unknown> = {};
  for (const column of source.keyColumns) {
    const value = record.values[column];
    if (value === null || value === undefined || value === '') return null;
    values[column] = value;
  }
  return { key: record.key, values };
}

/**
 * Makes earlier quarantined rows of `source` history once batch `batchId` (running, in `session`'s
 * transaction, the source's loads serialised) has read its file (docs/quarantine.md, reloads). An
 * earlier row is superseded by this batch when:
 * 1. its batch read the same file (`sha256`, same source): this batch's copy is the current one;
 * 2. this batch quarantined a row with the same cells, or with the same natural key;
 * 3. this batch loaded the record with its natural key (stored it, or found it stored unchanged);
 * 4. its natural key cannot be read and this batch, of a file with the same name, loaded the row at
 *    its row number (a department's corrected file sent again).
 * Returns how many rows were superseded, and how many of the source's rows are current after it.
 */
export async function supersedeQuarantine(
  session: Session,
  source: SourceDefinition,
  batchId: number,
  sha256: string | null,
): Promise<QuarantineAfter> {
  const superseded = await supersedeRows(session, source, batchId, sha256);
  const [{ current }] = await session.query<{ current: number }>(
    `select count(*)::int as current from quarantined_rows where source = $1 and superseded_by is null`,
    [source.name],
  );
  return { quarantineSuperseded: superseded, quarantineCurrent: Number(current) };
}

/** Marks the earlier rows this batch supersedes (the rules above); returns how many. */
async function supersedeRows(
  session: Session,
  source: SourceDefinition,
  batchId: number,
  sha256: string | null,
): Promise<number> {
  let superseded = 0;
  if (sha256) {
    superseded += await session.execute(
      `update quarantined_rows q set superseded_by = $1 from ingest_batches b
       where q.batch_id = b.id and b.source = $2 and b.file_sha256 = $3 and b.id <> $1
         and q.superseded_by is null`,
      [batchId, source.name, sha256],
    );
  }
  const open = (
    await session.query<{
      id: string | number;
      file_name: string | null;
      row_number: number;
      raw: string;
    }>(
      `select id, file_name, row_number, raw::text as raw from quarantined_rows
       where source = $1 and superseded_by is null and batch_id <> $2`,
      [source.name, batchId],
    )
  ).map(
    (r): OpenRow => ({
      id: Number(r.id),
      fileName: r.file_name,
      rowNumber: r.row_number,
      raw: r.raw,
    }),
  );
  if (open.length === 0) return superseded;

  const own = await session.query<{ raw: string; file_name: string | null }>(
    `select raw::text as raw, file_name from quarantined_rows where batch_id = $1`,
    [batchId],
  );
  const ownRaw = new Set(own.map((r) => r.raw));
  const ownKeys = new Set(
    own.map((r) => quarantinedRowKey(source, r.raw)?.key).filter((k) => k !== undefined),
  );
  const [batch] = await session.query<{ file_name: string | null }>(
    `select file_name from ingest_batches where id = $1`,
    [batchId],
  );

  const done: number[] = [];
  const byKey: { id: number; values: Record<string, unknown> }[] = [];
  const byRow: { id: number; row: number }[] = [];
  for (const row of open) {
    if (ownRaw.has(row.raw)) {
      done.push(row.id);
      continue;
    }
    const key = quarantinedRowKey(source, row.raw);
    if (key && ownKeys.has(key.key)) done.push(row.id);
    else if (key) byKey.push({ id: row.id, values: key.values });
    else if (batch?.file_name && row.fileName === batch.file_name)
      byRow.push({ id: row.id, row: row.rowNumber });
  }
  done.push(...(await loadedByBatch(session, source, batchId, byKey, byRow)));
  if (done.length > 0) {
    superseded += await session.execute(
      `update quarantined_rows set superseded_by = $1 where id = any($2::bigint[]) and superseded_by is null`,
      [batchId, done],
    );
  }
  return superseded;
}

/**
 * Of the given rows, those whose record (by natural key) or row number this batch loaded: written by
 * it (`batch_id`), or, on the staging path, in its staging table (which also holds the rows it found
 * stored unchanged and left alone). One statement per kind, joined set-wise.
 */
async function loadedByBatch(
  session: Session,
  source: SourceDefinition,
  batchId: number,
  byKey: { id: number; values: Record<string, unknown> }[],
  byRow: { id: number; row: number }[],
): Promise<number[]> {
  if (byKey.length === 0 && byRow.length === 0) return [];
  const written = source.store?.tables[0] ?? source.table;
  const stage = stagingTableName(written);
  const [{ staged }] = await session.query<{ staged: boolean }>(
    `select to_regclass($1) is not null as staged`,
    [`pg_temp.${stage}`],
  );
  const found: number[] = [];
  if (byKey.length > 0) {
    const keys = source.keyColumns;
    // The keys typed as the table types them (json_populate_recordset reads each value by its column).
    await session.query(
      `create temp table edp_open_keys on commit drop as
       select 0::bigint as qid, ${keys.join(', ')} from ${source.table} with no data`,
    );
    await session.query(
      `insert into edp_open_keys select * from json_populate_recordset(null::edp_open_keys, $1::text::json)`,
      [JSON.stringify(byKey.map((k) => ({ qid: k.id, ...k.values })))],
    );
    const on = keys.map((k) => `t.${k} = k.${k}`).join(' and ');
    const queries = [
      `select k.qid as id from edp_open_keys k join ${source.table} t on ${on} where t.batch_id = ${batchId}`,
    ];
    if (staged)
      queries.push(`select k.qid as id from edp_open_keys k ${stagedKeyJoin(source, stage)}`);
    for (const query of queries)
      found.push(...(await session.query<{ id: string | number }>(query)).map((r) => Number(r.id)));
    await session.query('drop table edp_open_keys');
  }
  if (byRow.length > 0) {
    const rows = byRow.map((r) => r.row);
    const loaded = new Set<number>();
    const add = (found: { row: number }[]) => {
      for (const r of found) loaded.add(Number(r.row));
    };
    add(
      await session.query<{ row: number }>(
        `select distinct source_row as row from ${written} where batch_id = $1 and source_row = any($2::int[])`,
        [batchId, rows],
      ),
    );
    if (staged)
      add(
        await session.query<{ row: number }>(
          `select distinct source_row as row from ${stage} where source_row = any($1::int[])`,
          [rows],
        ),
      );
    found.push(...byRow.filter((r) => loaded.has(r.row)).map((r) => r.id));
  }
  return found;
}

/** The join of the open keys with the staging table, which has the written table's columns. */
function stagedKeyJoin(source: SourceDefinition, stage: string): string {
  const store = source.store;
  if (!store) {
    const on = source.keyColumns.map((k) => `s.${k} = k.${k}`).join(' and ');
    return `join ${stage} s on ${on}`;
  }
  return store.joinStaged(stage);
}
