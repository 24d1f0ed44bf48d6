import type { BatchCounts } from './batches.js';
import { RowView, type ColumnMap, type PartyInput, type RowMemo } from './columns.js';
import { copyField, copyLine, type CopyValue } from './copy-text.js';
import type { SheetRow } from './readers.js';
import { identityKey, reresolveAll, resolveIdentities, type Identity, type Resolution } from './resolve.js';
import type { Session } from './session.js';
import type { SourceDefinition } from './source.js';

/** Rows per chunk: enough for COPY to run at full speed, few enough to keep the process small. */
export const CHUNK_ROWS = 10_000;
/** Resolutions (and normalised names) remembered across chunks; a file names far fewer enterprises than it has rows. */
const CACHE_LIMIT = 200_000;

const UNDECODABLE = '\uFFFD';
/** U+FFFD (what a decoder makes of bytes it cannot read) or NUL (which no text column holds). */
const UNLOADABLE = /[\uFFFD\u0000]/;
const UNIQUE_VIOLATION = '23505';

interface Quarantined {
  rowNumber: number;
  cells: string[];
  reasons: string[];
}

export interface LoadInput {
  header: string[];
  map: ColumnMap;
  /** the data rows in batches (the header already consumed)… */
  batches?: AsyncIterable<SheetRow[]>;
  /** …or one at a time */
  rows?: AsyncIterable<SheetRow>;
  fileName: string | null;
  /** called after each batch with the number of rows read so far */
  onProgress?: (rowsRead: number) => void;
}

async function* inBatches(rows: AsyncIterable<SheetRow>): AsyncGenerator<SheetRow[]> {
  let batch: SheetRow[] = [];
  for await (const row of rows) {
    batch.push(row);
    if (batch.length >= 512) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
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

/** A resolution as it is written: its four COPY fields, and whether it links to an enterprise. */
interface ResolvedText {
  text: string;
  matched: boolean;
}

const resolvedText = (r: Resolution): ResolvedText => ({
  text: [r.uscc, r.method, r.reason, r.candidates].map(copyField).join('\t'),
  matched: r.uscc !== null,
});

/** A size-bounded memo (emptied when full: the next chunk refills what it needs). */
class Memo<V> extends Map<string, V> {
  remember(key: string, value: V): V {
    if (this.size >= CACHE_LIMIT) this.clear();
    this.set(key, value);
    return value;
  }
}

/**
 * The rows of one chunk, held as parallel arrays (few objects per row): row number, cells as read
 * (as JSON, for a duplicate's quarantine), natural key, the COPY text of the source's own columns,
 * and per party the COPY text of what it delivered and its identity.
 */
class Chunk {
  rowNumbers: number[] = [];
  cells: string[] = [];
  keys: string[] = [];
  values: string[] = [];
  /** per row, per party: rawIdentifier, rawName, nameNorm as COPY text */
  delivered: string[][] = [];
  parties: PartyInput[][] = [];
  quarantined: Quarantined[] = [];
  get size() {
    return this.rowNumbers.length + this.quarantined.length;
  }
}

/**
 * Loads one file's rows into a source's table inside the caller's transaction.
 *
 * Streaming, chunk by chunk: each row is parsed and validated (a row with problems is quarantined
 * with every reason), the enterprises the chunk names are resolved (set-based, remembered across
 * chunks), and the chunk is COPYed into a staging table (temporary, without WAL or keys) while the
 * next chunk is parsed.
 *
 * Then one set-based merge: if no key of the file exists yet, every row is inserted in key order
 * (indexes fill sequentially). Otherwise (a reload, a correction, a duplicate within the file):
 * duplicates within the file are quarantined (the first occurrence stays), rows whose values differ
 * are updated (a correction: counted as replaced), new rows inserted, and identical rows left
 * untouched (not even their batch id or loaded_at), so that loading the same file twice changes nothing.
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

  const manual = new Map<string, ResolvedText>();
  for (const link of await session.query<{ record_key: string; party: string; uscc: string }>(
    `select record_key, party, uscc from manual_links where source = $1`,
    [source.name],
  )) {
    manual.set(`${link.party}\u0000${link.record_key}`, resolvedText({ uscc: link.uscc, method: 'manual', reason: null, candidates: null }));
  }
  // Resolutions by identifier, and (for records without one) by normalised name.
  const byIdent = new Memo<ResolvedText>();
  const byName = new Memo<ResolvedText>();
  // The same holder recurs on every month's row: its name is normalised and its identifier checked once.
  const memo: RowMemo = { names: new Map(), validIdentifiers: new Set() };
  let staged = 0;

  const cached = (p: PartyInput) => (p.ident ? byIdent.get(p.ident) : byName.get(p.nameNorm));

  async function writeQuarantine(rows: Quarantined[]) {
    if (rows.length === 0) return;
    counts.rowsQuarantined += rows.length;
    await session.copyIn(
      'quarantined_rows',
      ['batch_id', 'source', 'file_name', 'row_number', 'raw', 'reasons'],
      rows.map((q) => copyLine([batchId, source.name, input.fileName, q.rowNumber, rawObject(input.header, q.cells), q.reasons])).join(''),
    );
  }

  /** Resolves the identities of the chunk not met before (one set-based query). */
  async function resolveChunk(chunk: Chunk) {
    const unseen = new Map<string, Identity>();
    for (const parties of chunk.parties) {
      for (const p of parties) {
        if (cached(p) === undefined) unseen.set(identityKey(p.ident, p.nameNorm), { ident: p.ident, nameNorm: p.nameNorm });
      }
    }
    if (unseen.size === 0) return;
    const resolved = await resolveIdentities(session, [...unseen.values()]);
    for (const [key, identity] of unseen) {
      const r = resolved.get(key);
      if (!r) throw new Error(`entity resolution returned nothing for ${identity.ident || identity.nameNorm}`);
      if (identity.ident) byIdent.remember(identity.ident, resolvedText(r));
      else byName.remember(identity.nameNorm, resolvedText(r));
    }
  }

  /** The chunk as COPY text for the staging table; counts its rows as loaded or unmatched. */
  function chunkText(chunk: Chunk): string {
    let text = '';
    for (let i = 0; i < chunk.rowNumbers.length; i++) {
      let line = chunk.values[i];
      let open = false;
      const parties = chunk.parties[i];
      for (let j = 0; j < parties.length; j++) {
        const r = (manual.size > 0 ? manual.get(`${parties[j].party}\u0000${chunk.keys[i]}`) : undefined) ?? cached(parties[j])!;
        if (!r.matched) open = true;
        line += `\t${chunk.delivered[i][j]}\t${r.text}`;
      }
      if (open) counts.rowsUnmatched += 1;
      else counts.rowsLoaded += 1;
      text += `${line}\t${batchId}\t${chunk.rowNumbers[i]}\t${copyField(chunk.cells[i])}\n`;
    }
    return text;
  }

  async function flush(chunk: Chunk) {
    if (chunk.rowNumbers.length > 0) {
      if (staged === 0) {
        await session.query(`create temp table ${stage} on commit drop as select *, null::text as edp_cells from ${source.table} with no data`);
      }
      await resolveChunk(chunk);
      await session.copyIn(stage, [...columns, 'edp_cells'], chunkText(chunk));
      staged += chunk.rowNumbers.length;
    }
    await writeQuarantine(chunk.quarantined);
  }

  /** Moves the staged rows into the table (see above). */
  async function merge() {
    if (staged === 0) return;
    if (staged > 10_000) await session.query(`analyze ${stage}`);
    const keys = source.keyColumns.join(', ');
    const list = columns.join(', ');
    try {
      await session.savepoint((s) => s.execute(`insert into ${source.table} (${list}) select ${list} from ${stage} order by ${keys}`));
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    }
    const unmatched = source.parties.map((p) => `${p.uscc} is null`).join(' or ') || 'false';
    const duplicates = await session.query<{ row: number; first: number; key: string; cells: string; unmatched: boolean }>(
      `delete from ${stage} s using (
         select source_row, first_value(source_row) over (partition by ${keys} order by source_row) as first from ${stage}
       ) d where s.source_row = d.source_row and d.source_row <> d.first
       returning s.source_row as row, d.first::int as first, ${source.keySql('s.')} as key, s.edp_cells as cells, (${unmatched}) as unmatched`,
    );
    const quarantined: Quarantined[] = duplicates.map((d) => {
      if (d.unmatched) counts.rowsUnmatched -= 1;
      else counts.rowsLoaded -= 1;
      return {
        rowNumber: d.row,
        cells: JSON.parse(d.cells) as string[],
        reasons: [`duplicate ${source.keyLabel} ${d.key.replaceAll('|', ' / ')}: this file already has it on row ${d.first}`],
      };
    });
    await writeQuarantine(quarantined.sort((a, b) => a.rowNumber - b.rowNumber));
    const set = [...compared, 'batch_id', 'source_row'];
    counts.rowsReplaced += await session.execute(
      `update ${source.table} t set (${set.join(', ')}, loaded_at) = (${set.map((c) => `s.${c}`).join(', ')}, now())
       from ${stage} s where ${keyJoin}
         and (${compared.map((c) => `t.${c}`).join(', ')}) is distinct from (${compared.map((c) => `s.${c}`).join(', ')})`,
    );
    await session.execute(
      `insert into ${source.table} (${list}) select ${columns.map((c) => `s.${c}`).join(', ')} from ${stage} s
       where not exists (select 1 from ${source.table} t where ${keyJoin}) order by ${source.keyColumns.map((k) => `s.${k}`).join(', ')}`,
    );
  }

  /** Parses one row into the chunk (or its quarantine). */
  function accept(chunk: Chunk, { rowNumber, cells }: SheetRow) {
    const row = new RowView(input.map, cells, memo);
    if (cells.some((c) => UNLOADABLE.test(c))) {
      if (cells.some((c) => c.includes(UNDECODABLE))) {
        row.reasons.push('the row contains bytes that are not valid in the file’s encoding (UTF-8 or GB18030); nothing was guessed');
      }
      if (cells.some((c) => c.includes('\u0000'))) row.reasons.push('the row contains NUL characters, which no text column can hold');
    }
    const record = source.parse(row);
    if (row.reasons.length > 0) {
      chunk.quarantined.push({ rowNumber, cells, reasons: row.reasons });
      return;
    }
    chunk.rowNumbers.push(rowNumber);
    chunk.cells.push(JSON.stringify(cells));
    chunk.keys.push(record.key);
    let values = copyField(record.values[source.valueColumns[0]] as CopyValue);
    for (let i = 1; i < source.valueColumns.length; i++) values += `\t${copyField(record.values[source.valueColumns[i]] as CopyValue)}`;
    chunk.values.push(values);
    chunk.delivered.push(record.parties.map((p) => `${copyField(p.rawIdentifier)}\t${copyField(p.rawName)}\t${copyField(p.nameNorm || null)}`));
    chunk.parties.push(record.parties);
  }

  let chunk = new Chunk();
  let inFlight: Promise<void> | null = null;
  const send = async () => {
    // One chunk is written while the next is parsed (the database and the parser overlap).
    if (inFlight) await inFlight;
    inFlight = flush(chunk);
    inFlight.catch(() => {}); // awaited on the next send or at the end
    chunk = new Chunk();
  };

  for await (const batch of input.batches ?? inBatches(input.rows!)) {
    for (const sheetRow of batch) {
      counts.rowsRead += 1;
      accept(chunk, sheetRow);
      if (chunk.size >= CHUNK_ROWS) await send();
    }
    input.onProgress?.(counts.rowsRead);
  }
  await send();
  await inFlight;
  await merge();
  if (source.changesRegister) await reresolveAll(session, allSources);
  return counts;
}
