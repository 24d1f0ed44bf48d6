import type { BatchCounts } from './batches.js';
import { detach, RowView, type ColumnMap, type PartyInput, type RowMemo } from './columns.js';
import { copyField, copyLine, type CopyValue } from './copy-text.js';
import type { SheetRow } from './readers.js';
import { identityKey, reresolveAll, resolveIdentities, type Identity, type Resolution } from './resolve.js';
import type { CopyWriter, Session } from './session.js';
import type { SourceDefinition } from './source.js';

/**
 * COPY text is handed to the database in pieces of this many characters. Small on purpose: rows
 * then die young (rows held across garbage collections get promoted; holding 10,000-row chunks more
 * than doubled CPU time and peak RSS).
 */
const PIECE_CHARS = 64 * 1024;
/** Rows waiting for enterprises not met before are resolved together when there are this many. */
const PENDING_ROWS = 1_000;
/** Quarantined rows are written when there are this many. */
const QUARANTINE_ROWS = 1_000;
/** Resolutions remembered during a load (a file names far fewer enterprises than it has rows). */
const CACHE_LIMIT = 200_000;

const UNDECODABLE = '\uFFFD';
/** U+FFFD (what a decoder makes of bytes it cannot read) or NUL (which no text column holds). */
const UNLOADABLE = /[\uFFFD\u0000]/;
const UNIQUE_VIOLATION = '23505';
/** Joins a row's cells in the staging table (kept for a duplicate's quarantine); never inside a cell of a text file. */
const UNIT_SEPARATOR = '\u001f';

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

/** A parsed row waiting for the resolution of an enterprise the load has not met yet. */
interface PendingRow {
  rowNumber: number;
  /** the cells joined, for a duplicate's quarantine */
  cells: string;
  key: string;
  /** the source's own columns as COPY text */
  values: string;
  parties: PartyInput[];
}

/**
 * Loads one file's rows into a source's table inside the caller's transaction.
 *
 * Streaming: each row is parsed and validated (a row with problems is quarantined with every
 * reason); a row whose enterprises were resolved before (most rows of a big file: the same accounts
 * recur every month) goes straight into one open COPY into a staging table (temporary, without WAL
 * or keys) while the next rows are parsed; rows naming enterprises not met yet wait, and are resolved
 * together (set-based, then remembered).
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
  const byIdent = new Map<string, ResolvedText>();
  const byName = new Map<string, ResolvedText>();
  // The same holder recurs on every month's row: its name is normalised and its identifier checked once.
  const memo: RowMemo = { names: new Map(), validIdentifiers: new Set() };
  let staged = 0;
  let stageCreated = false;

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

  let copy: CopyWriter | null = null;
  let pieces: string[] = [];
  let pieceChars = 0;
  let pending: PendingRow[] = [];
  let quarantined: Quarantined[] = [];

  /** Hands the gathered COPY text on, opening the COPY (and the staging table) when needed. */
  async function sendPiece() {
    if (pieceChars === 0) return;
    if (!copy) {
      if (!stageCreated) {
        await session.query(`create temp table ${stage} on commit drop as select *, null::text as edp_cells from ${source.table} with no data`);
        stageCreated = true;
      }
      copy = await session.openCopy(stage, [...columns, 'edp_cells']);
    }
    const data = pieces.join('');
    pieces = [];
    pieceChars = 0;
    await copy.write(data);
  }

  /** Ends the open COPY, so that another statement can run. */
  async function endCopy() {
    await sendPiece();
    if (copy) await copy.end();
    copy = null;
  }

  function emit(line: string) {
    pieces.push(line);
    pieceChars += line.length;
    staged += 1;
  }

  /** Resolves the identities of the pending rows (one set-based query) and sends them on. */
  async function resolvePending() {
    if (pending.length === 0) return;
    const unseen = new Map<string, Identity>();
    for (const row of pending) {
      for (const p of row.parties) {
        if (cached(p) === undefined) unseen.set(identityKey(p.ident, p.nameNorm), { ident: p.ident, nameNorm: p.nameNorm });
      }
    }
    if (unseen.size > 0) {
      await endCopy();
      const resolved = await resolveIdentities(session, [...unseen.values()]);
      if (byIdent.size + byName.size + unseen.size > CACHE_LIMIT) {
        // Forget older resolutions (never this batch's: the pending rows need them just below).
        byIdent.clear();
        byName.clear();
      }
      for (const [key, identity] of unseen) {
        const r = resolved.get(key);
        if (!r) throw new Error(`entity resolution returned nothing for ${identity.ident || identity.nameNorm}`);
        if (identity.ident) byIdent.set(detach(identity.ident), resolvedText(r));
        else byName.set(detach(identity.nameNorm), resolvedText(r));
      }
    }
    for (const row of pending) emit(lineOf(row)!);
    pending = [];
  }

  async function flushQuarantine() {
    if (quarantined.length === 0) return;
    await endCopy();
    await writeQuarantine(quarantined);
    quarantined = [];
  }

  /**
   * A row as COPY text for the staging table, counted as loaded or unmatched; undefined while an
   * enterprise it names is not resolved yet.
   */
  function lineOf(row: PendingRow): string | undefined {
    let line = row.values;
    let open = false;
    for (const p of row.parties) {
      const r = (manual.size > 0 ? manual.get(`${p.party}\u0000${row.key}`) : undefined) ?? cached(p);
      if (r === undefined) return undefined;
      if (!r.matched) open = true;
      line += `\t${copyField(p.rawIdentifier)}\t${copyField(p.rawName)}\t${copyField(p.nameNorm || null)}\t${r.text}`;
    }
    if (open) counts.rowsUnmatched += 1;
    else counts.rowsLoaded += 1;
    return `${line}\t${batchId}\t${row.rowNumber}\t${copyField(row.cells)}\n`;
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
        cells: d.cells.split(UNIT_SEPARATOR),
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

  /** Parses one row: into the COPY, the pending rows or the quarantine. */
  function accept({ rowNumber, cells }: SheetRow) {
    const row = new RowView(input.map, cells, memo);
    if (cells.some((c) => UNLOADABLE.test(c))) {
      if (cells.some((c) => c.includes(UNDECODABLE))) {
        row.reasons.push('the row contains bytes that are not valid in the file’s encoding (UTF-8 or GB18030); nothing was guessed');
      }
      if (cells.some((c) => c.includes('\u0000'))) row.reasons.push('the row contains NUL characters, which no text column can hold');
    }
    const record = source.parse(row);
    if (row.reasons.length > 0) {
      quarantined.push({ rowNumber, cells, reasons: row.reasons });
      return;
    }
    let values = copyField(record.values[source.valueColumns[0]] as CopyValue);
    for (let i = 1; i < source.valueColumns.length; i++) values += `\t${copyField(record.values[source.valueColumns[i]] as CopyValue)}`;
    const parsed: PendingRow = { rowNumber, cells: cells.join(UNIT_SEPARATOR), key: record.key, values, parties: record.parties };
    const line = lineOf(parsed);
    if (line === undefined) pending.push(parsed);
    else emit(line);
  }

  for await (const batch of input.batches ?? inBatches(input.rows!)) {
    for (const sheetRow of batch) {
      counts.rowsRead += 1;
      accept(sheetRow);
      if (pieceChars >= PIECE_CHARS) await sendPiece();
      if (pending.length >= PENDING_ROWS) await resolvePending();
      if (quarantined.length >= QUARANTINE_ROWS) await flushQuarantine();
    }
    input.onProgress?.(counts.rowsRead);
  }
  await resolvePending();
  await flushQuarantine();
  await endCopy();
  await merge();
  if (source.changesRegister) await reresolveAll(session, allSources);
  return counts;
}
