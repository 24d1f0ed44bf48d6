import type { BatchCounts } from './batches.js';
import { RowView, type ColumnMap, type PartyInput } from './columns.js';
import { copyLine, type CopyValue } from './copy-text.js';
import type { SheetRow } from './readers.js';
import { identityKey, reresolveAll, resolveIdentities, type Resolution } from './resolve.js';
import type { Session } from './session.js';
import type { ParsedRecord, SourceDefinition } from './source.js';

/** Rows per chunk: large enough for COPY to run at full speed, small enough to stay out of memory trouble. */
export const CHUNK_ROWS = 20_000;
/** Resolutions remembered across chunks (most files name far fewer enterprises than they have rows). */
const RESOLUTION_CACHE_LIMIT = 200_000;

interface Pending {
  rowNumber: number;
  cells: string[];
  record: ParsedRecord;
  unmatched: boolean;
}

interface Quarantined {
  rowNumber: number;
  cells: string[];
  reasons: string[];
}

export interface LoadInput {
  header: string[];
  map: ColumnMap;
  /** the data rows (the header already consumed) */
  rows: AsyncIterable<SheetRow>;
  fileName: string | null;
  /** called now and then with the number of rows read so far */
  onProgress?: (rowsRead: number) => void;
}

const UNDECODABLE = '\uFFFD';

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

const MANUAL = (uscc: string): Resolution => ({ uscc, method: 'manual', reason: null, candidates: null });

/**
 * Loads one file's rows into a source's table inside the caller's transaction, chunk by chunk:
 * parse and validate each row (quarantining those with problems, with every reason), resolve the
 * enterprises the chunk names (set-based, cached), then write the chunk.
 *
 * Writing: each chunk is COPYed into a staging table (one statement, however many rows). A chunk of
 * keys the table does not have yet is then inserted as it is; once a key already exists (a reload or a
 * correction) that chunk and the rest of the file take the upsert path: quarantine duplicates within
 * the file, update the rows whose values differ (a correction: counted as replaced), insert the new
 * ones, and leave identical rows untouched (not even their batch id or loaded_at), so that loading the
 * same file twice changes nothing.
 */
export async function loadRows(
  session: Session,
  source: SourceDefinition,
  batchId: number,
  input: LoadInput,
  allSources: readonly SourceDefinition[],
): Promise<BatchCounts> {
  const counts: BatchCounts = { rowsRead: 0, rowsLoaded: 0, rowsReplaced: 0, rowsQuarantined: 0, rowsUnmatched: 0 };
  const partyColumns = source.parties.flatMap((p) => [p.rawIdentifier, p.rawName, p.nameNorm, p.uscc, p.matchMethod, p.matchReason, p.matchCandidates]);
  const columns = [...source.valueColumns, ...partyColumns, 'batch_id', 'source_row'];
  const compared = [...source.valueColumns.filter((c) => !source.keyColumns.includes(c)), ...partyColumns];
  const stage = `edp_stage_${source.table}`;
  const keyJoin = source.keyColumns.map((k) => `t.${k} = s.${k}`).join(' and ');

  const manual = new Map<string, string>();
  for (const link of await session.query<{ record_key: string; party: string; uscc: string }>(
    `select record_key, party, uscc from manual_links where source = $1`,
    [source.name],
  )) {
    manual.set(`${link.party}\u0000${link.record_key}`, link.uscc);
  }
  const cache = new Map<string, Resolution>();
  let mode: 'fresh' | 'upsert' = 'fresh';
  let stageReady = false;

  const resolutionOf = (record: ParsedRecord, party: PartyInput): Resolution =>
    (manual.has(`${party.party}\u0000${record.key}`) ? MANUAL(manual.get(`${party.party}\u0000${record.key}`)!) : null) ??
    cache.get(identityKey(party.ident, party.nameNorm))!;

  async function writeQuarantine(rows: Quarantined[]) {
    if (rows.length === 0) return;
    counts.rowsQuarantined += rows.length;
    await session.copyIn(
      'quarantined_rows',
      ['batch_id', 'source', 'file_name', 'row_number', 'raw', 'reasons'],
      rows.map((q) => copyLine([batchId, source.name, input.fileName, q.rowNumber, rawObject(input.header, q.cells), q.reasons])).join(''),
    );
  }

  function lineOf(p: Pending): string {
    const values: CopyValue[] = source.valueColumns.map((c) => p.record.values[c] ?? null);
    p.record.parties.forEach((party) => {
      const r = resolutionOf(p.record, party);
      if (r.uscc === null) p.unmatched = true;
      values.push(party.rawIdentifier, party.rawName, party.nameNorm || null, r.uscc, r.method, r.reason, r.candidates);
    });
    values.push(batchId, p.rowNumber);
    return copyLine(values);
  }

  /**
   * Writes one chunk through the staging table; returns the rows quarantined as duplicates of an
   * earlier row of the file. COPY only ever goes into the staging table, which has no keys to violate.
   */
  async function write(text: string, byRow: Map<number, Pending>): Promise<Quarantined[]> {
    if (!stageReady) {
      // Without the table's NOT NULL constraints: COPY into it cannot fail on a value the parsers passed
      // (postgres.js never settles a COPY that the server rejects: porsager/postgres#1173).
      await session.query(`create temp table ${stage} on commit drop as select * from ${source.table} with no data`);
      await session.query(`create temp table edp_seen (seen_key text primary key, seen_row int not null) on commit drop`);
      stageReady = true;
    }
    await session.query(`truncate ${stage}`);
    await session.copyIn(stage, columns, text);
    const keys = source.keyColumns.join(', ');
    const insertNew = (where: string) =>
      session.execute(`insert into ${source.table} (${columns.join(', ')}) select ${columns.map((c) => `s.${c}`).join(', ')} from ${stage} s ${where}`);
    if (mode === 'fresh') {
      // Nothing of this file has met an existing key yet: a chunk of new keys is inserted as it is.
      const [{ clash }] = await session.query<{ clash: boolean }>(
        `select exists (select 1 from ${stage} s join ${source.table} t on ${keyJoin})
           or (select count(*) <> count(distinct (${keys})) from ${stage}) as clash`,
      );
      if (!clash) {
        await insertNew('');
        return [];
      }
      mode = 'upsert';
    }
    const duplicates = await session.query<{ row: number; first: number }>(
      `select row, min(first)::int as first from (
         select source_row as row, first_value(source_row) over (partition by ${keys} order by source_row) as first from ${stage}
         union all
         select s.source_row, t.source_row from ${stage} s join ${source.table} t on ${keyJoin} where t.batch_id = $1
         union all
         select s.source_row, e.seen_row from ${stage} s join edp_seen e on e.seen_key = ${source.keySql('s.')}
       ) d where row <> first group by row`,
      [batchId],
    );
    const quarantined: Quarantined[] = [];
    if (duplicates.length > 0) {
      await session.query(`delete from ${stage} where source_row = any($1::int[])`, [duplicates.map((d) => d.row)]);
      for (const d of duplicates) {
        const p = byRow.get(d.row)!;
        byRow.delete(d.row);
        quarantined.push({
          rowNumber: d.row,
          cells: p.cells,
          reasons: [`duplicate ${source.keyLabel} ${p.record.key.replaceAll('|', ' / ')}: this file already has it on row ${d.first}`],
        });
      }
    }
    const set = [...compared, 'batch_id', 'source_row'];
    counts.rowsReplaced += await session.execute(
      `update ${source.table} t set (${set.join(', ')}, loaded_at) = (${set.map((c) => `s.${c}`).join(', ')}, now())
       from ${stage} s where ${keyJoin}
         and (${compared.map((c) => `t.${c}`).join(', ')}) is distinct from (${compared.map((c) => `s.${c}`).join(', ')})`,
    );
    await insertNew(`where not exists (select 1 from ${source.table} t where ${keyJoin})`);
    // Rows left as they were keep their old batch id: remember their keys to catch a later duplicate.
    await session.execute(
      `insert into edp_seen select ${source.keySql('s.')}, s.source_row from ${stage} s join ${source.table} t on ${keyJoin}
       where t.batch_id <> $1 on conflict do nothing`,
      [batchId],
    );
    return quarantined;
  }

  async function flush(chunk: Pending[], rejected: Quarantined[]) {
    const unseen = new Map<string, { ident: string; nameNorm: string }>();
    for (const p of chunk) {
      for (const party of p.record.parties) {
        const key = identityKey(party.ident, party.nameNorm);
        if (!cache.has(key)) unseen.set(key, { ident: party.ident, nameNorm: party.nameNorm });
      }
    }
    if (cache.size + unseen.size > RESOLUTION_CACHE_LIMIT) cache.clear();
    for (const [key, resolution] of await resolveIdentities(session, [...unseen.values()])) cache.set(key, resolution);

    let text = '';
    for (const p of chunk) text += lineOf(p);
    let duplicates: Quarantined[] = [];
    if (chunk.length > 0) {
      const byRow = new Map(chunk.map((p) => [p.rowNumber, p]));
      duplicates = await write(text, byRow);
      if (duplicates.length > 0) chunk = [...byRow.values()];
    }
    for (const p of chunk) {
      if (p.unmatched) counts.rowsUnmatched += 1;
      else counts.rowsLoaded += 1;
    }
    await writeQuarantine([...rejected, ...duplicates]);
  }

  let chunk: Pending[] = [];
  let rejected: Quarantined[] = [];
  let inFlight: Promise<void> | null = null;
  const send = async () => {
    // One chunk is written while the next is parsed (the database and the parser overlap).
    if (inFlight) await inFlight;
    const [c, r] = [chunk, rejected];
    chunk = [];
    rejected = [];
    inFlight = flush(c, r);
    inFlight.catch(() => {}); // awaited on the next send or at the end
  };

  for await (const { rowNumber, cells } of input.rows) {
    counts.rowsRead += 1;
    const row = new RowView(input.map, cells);
    if (cells.some((c) => c.includes(UNDECODABLE))) {
      row.reasons.push('the row contains bytes that are not valid in the file’s encoding (UTF-8 or GB18030); nothing was guessed');
    }
    if (cells.some((c) => c.includes('\u0000'))) row.reasons.push('the row contains NUL characters, which no text column can hold');
    const record = source.parse(row);
    if (row.reasons.length > 0) rejected.push({ rowNumber, cells, reasons: row.reasons });
    else chunk.push({ rowNumber, cells, record, unmatched: false });
    if (chunk.length + rejected.length >= CHUNK_ROWS) await send();
    if (input.onProgress && counts.rowsRead % 1000 === 0) input.onProgress(counts.rowsRead);
  }
  await send();
  await inFlight;
  if (source.changesRegister) await reresolveAll(session, allSources);
  return counts;
}
