import { FAST, type FastLayout, FastLines, MISSED, NotFast } from '../power/fast-lines.js';
import { type Holder, HolderRegistry } from '../power/holders.js';
import type { BatchCounts } from './batches.js';
import { type ColumnMap, detach, type PartyInput, type RowMemo, RowView } from './columns.js';
import {
  type BinaryKind,
  binaryKind,
  dayOfIsoDate,
  maxFieldBytes,
  writeDateField,
  writeInt4Field,
  writeInt8Field,
  writeInt16,
  writeInt32,
  writeNumericField,
  writeQuantityField,
} from './copy-binary.js';
import { type CopyValue, copyField, copyLine } from './copy-text.js';
import { isBlank, type SheetRow } from './readers.js';
import {
  type Identity,
  identityKey,
  type Resolution,
  reresolveAll,
  resolveIdentities,
} from './resolve.js';
import type { CopyWriter, Session } from './session.js';
import type { SourceDefinition } from './source.js';

/**
 * COPY text is handed to the database in pieces of about this many bytes (UTF-8, written as rows come). Small on purpose: rows
 * then die young (rows held across garbage collections get promoted; holding 10,000-row chunks more
 * than doubled CPU time and peak RSS).
 */
const PIECE_BYTES = 64 * 1024;
/** The fast reading writes pieces to the COPY without waiting for them until this much is being sent, */
const SEND_WINDOW = 4 * 1024 * 1024;
/** and queues them (while new holders are written, or beyond the window) until this much is queued. */
const QUEUE_LIMIT = 16 * 1024 * 1024;
/**
 * Rows waiting for enterprises not met before are resolved together when there are this many at first;
 * the number doubles with each resolution (up to {@link PENDING_ROWS_MAX}): a big file's first month
 * names every account, and each resolution is a query over the whole register.
 */
const PENDING_ROWS = 1_000;
const PENDING_ROWS_MAX = 8_000;
/** Quarantined rows are written when there are this many. */
const QUARANTINE_ROWS = 1_000;
/** Resolutions remembered during a load (a file names far fewer enterprises than it has rows). */
const CACHE_LIMIT = 200_000;

const UNDECODABLE = '\uFFFD';
/** U+FFFD (what a decoder makes of bytes it cannot read) or NUL (which no text column holds). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this pattern looks for
const UNLOADABLE = /[\uFFFD\u0000]/;
const UNIQUE_VIOLATION = '23505';
/** Joins a row's cells in the staging table (kept for a duplicate's quarantine); never inside a cell of a text file. */
const UNIT_SEPARATOR = '\u001f';
const UNIT_SEPARATOR_BYTE = 0x1f;
const TAB = 9;
const NEWLINE = 10;
const QUOTE = 34;

/** Writes a non-negative integer's decimal digits into `buffer` at `offset`; returns the offset after them. */
function writeDigits(buffer: Buffer, offset: number, value: number): number {
  let digits = 1;
  for (let v = value; v >= 10; v = Math.floor(v / 10)) digits += 1;
  let at = offset + digits;
  for (let v = value; at > offset; v = Math.floor(v / 10)) buffer[--at] = 48 + (v % 10);
  return offset + digits;
}

interface Quarantined {
  rowNumber: number;
  cells: string[];
  reasons: string[];
}

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
  /** the input's size in bytes (a file), which decides the bulk path */
  sizeBytes?: number;
  /** the bulk path is taken from this many bytes on (default {@link BULK_MIN_BYTES}) */
  bulkMinBytes?: number;
  /** told which path loaded the rows */
  onPath?: (path: LoadPath) => void;
  /** told when a phase of the load ends ('rows read', 'holders written', 'indexes built'), for timing */
  onPhase?: (phase: string) => void;
  /**
   * The same file as UTF-8 bytes in whole lines, header line first (readers.ts openRawCsv): with it, a
   * source that declares a fast reading (SourceDefinition.fast) is read that way on the bulk and direct
   * paths (a file with quotes is then read again by the general reader).
   */
  rawLines?: () => AsyncIterable<Buffer>;
}

/**
 * How the rows reached the table:
 * - `bulk`: the table was empty and the input large: its indexes are dropped, the rows COPYed straight
 *   in, the indexes built again at the end (a key met twice fails there);
 * - `direct`: the rows COPYed straight into the table, its indexes kept (a key that exists fails);
 * - `stage`: through a staging table and a set-based merge (reloads, corrections, duplicates within
 *   the file, and every input that cannot be read twice).
 */
export type LoadPath = 'bulk' | 'direct' | 'stage';

/** Inputs from this many bytes on load into an empty table by the bulk path. */
export const BULK_MIN_BYTES = 16 << 20;
/** How long the bulk path waits for its lock on the table (readers hold it) before it keeps the indexes. */
const BULK_LOCK_TIMEOUT = '2s';
const LOCK_NOT_AVAILABLE = '55P03';

/** Thrown when the first row's key is already in the table: the direct path gives way to the staging path. */
class KeyExists extends Error {}

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

/** A party's link columns as COPY bytes (each followed by a tab), and whether it links to an enterprise. */
interface PartyBytes {
  bytes: Uint8Array;
  matched: boolean;
}

/**
 * Writes `text` as UTF-8 into `buffer` at `offset` (room checked by the caller); returns the offset
 * after it. The common case, ASCII, is copied here without a call into the runtime per row.
 */
function writeText(buffer: Buffer, offset: number, text: string): number {
  let at = offset;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return offset + buffer.write(text, offset);
    buffer[at++] = c;
  }
  return at;
}

/** An index of a table as it can be created again: its name and statement. */
interface IndexDefinition {
  name: string;
  /** the constraint it serves (primary key, unique), or null for a plain index */
  constraint: string | null;
  create: string;
}

/** The table's indexes (and the constraints they serve), as `create` statements. */
async function indexesOf(session: Session, table: string): Promise<IndexDefinition[]> {
  const rows = await session.query<{
    name: string;
    constraint: string | null;
    index_def: string;
    constraint_def: string | null;
  }>(
    `select i.indexrelid::regclass::text as name, c.conname as constraint, pg_get_indexdef(i.indexrelid) as index_def,
       pg_get_constraintdef(c.oid) as constraint_def
     from pg_index i left join pg_constraint c on c.conindid = i.indexrelid and c.conrelid = i.indrelid
     where i.indrelid = $1::regclass order by i.indexrelid`,
    [table],
  );
  return rows.map((r) => ({
    name: r.name,
    constraint: r.constraint,
    create: r.constraint
      ? `alter table ${table} add constraint "${r.constraint}" ${r.constraint_def}`
      : r.index_def,
  }));
}

/**
 * The bulk path's start: the table is empty and nobody holds it, its indexes go (they are built again,
 * sorted, at the end: far cheaper than maintaining them row by row). Returns the indexes to build, or
 * null when the table is in use (readers hold it) or not empty: then the indexes stay.
 */
async function dropIndexes(session: Session, table: string): Promise<IndexDefinition[] | null> {
  try {
    return await session.savepoint(async (s) => {
      await s.query(`set local lock_timeout = '${BULK_LOCK_TIMEOUT}'`);
      await s.query(`lock table ${table} in access exclusive mode`);
      await s.query(`set local lock_timeout = 0`);
      const [{ empty }] = await s.query<{ empty: boolean }>(
        `select not exists (select 1 from ${table}) as empty`,
      );
      if (!empty) return null;
      const indexes = await indexesOf(s, table);
      for (const index of indexes) {
        await s.query(
          index.constraint
            ? `alter table ${table} drop constraint "${index.constraint}"`
            : `drop index ${index.name}`,
        );
      }
      return indexes;
    });
  } catch (error) {
    if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return null;
    throw error;
  }
}

/** The types of `table`'s columns `columns` (as `format_type()` writes them), by column. */
async function columnTypes(
  session: Session,
  table: string,
  columns: readonly string[],
): Promise<Map<string, string>> {
  const types = await session.query<{ name: string; type: string }>(
    `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
     where attrelid = $1::regclass and attname = any($2::text[]) and not attisdropped`,
    [table, columns],
  );
  return new Map(types.map((t) => [t.name, t.type]));
}

/** Whether a row with this key is in the table already (an index look-up). */
async function keyExists(
  session: Session,
  source: SourceDefinition,
  key: CopyValue[],
): Promise<boolean> {
  const typeOf = await columnTypes(session, source.table, source.keyColumns);
  const where = source.keyColumns
    .map((k, i) => `${k} = $${i + 1}::text::${typeOf.get(k)}`)
    .join(' and ');
  const [{ found }] = await session.query<{ found: boolean }>(
    `select exists (select 1 from ${source.table} where ${where}) as found`,
    key.map((v) => (v === null || v === undefined ? null : String(v))),
  );
  return found;
}

/** How the rows of a table stored with holders are written in the binary format. */
interface BinaryRows {
  /** the kinds of the row's own columns */
  kinds: BinaryKind[];
  /** the most bytes a row takes */
  rowBytes: number;
}

/** The binary kinds of `table`'s columns `own` (each must have one: see copy-binary.ts). */
async function binaryRows(
  session: Session,
  table: string,
  own: readonly string[],
): Promise<BinaryRows> {
  const typeOf = await columnTypes(session, table, own);
  const kinds = own.map((column) => {
    const kind = binaryKind(typeOf.get(column) ?? '');
    if (kind === undefined)
      throw new Error(
        `${table}.${column} (${typeOf.get(column)}) cannot be written as binary COPY`,
      );
    return kind;
  });
  // field count, account, holder, batch, own columns, row number
  const rowBytes = 2 + 8 + 8 + 12 + kinds.reduce((sum, kind) => sum + maxFieldBytes(kind), 0) + 8;
  return { kinds, rowBytes };
}

const NUMERIC_SCRATCH = Buffer.alloc(64);

/** One of a row's own values as a binary field of `kind` (values as the parsers give them). */
function writeBinaryField(buffer: Buffer, at: number, kind: BinaryKind, value: CopyValue): number {
  if (value === null || value === undefined) return writeInt32(buffer, at, -1);
  if (kind === 'int4') return writeInt4Field(buffer, at, Number(value));
  if (kind === 'int8') return writeInt8Field(buffer, at, Number(value));
  if (kind === 'date') return writeDateField(buffer, at, dayOfIsoDate(String(value)));
  const text = String(value);
  if (text.length > NUMERIC_SCRATCH.length) throw new Error(`"${text}" is too long for a decimal`);
  const length = NUMERIC_SCRATCH.write(text, 'latin1');
  return writeNumericField(buffer, at, NUMERIC_SCRATCH, 0, length);
}

/** A holder as the fast reading knows it (see FastLines.readKnown). */
interface FastHolder {
  holder: Holder;
  /** its cells' handle in the reader (FastLines.keepSpan) */
  span: number;
  /** the holder the line after one of its lines named the last time */
  next: FastHolder | null;
}

/**
 * Loads one file's rows into a source's table inside the caller's transaction, by the fastest path
 * that gives the same result (see {@link LoadPath}).
 *
 * When the input can be read again (a file), the rows are first COPYed straight into the table under
 * a savepoint: the bulk path when the table is empty and the input large, else the direct path unless
 * the first row's key is already there. A key met twice (a reload, a correction, a duplicate within
 * the file) rolls that attempt back (its quarantined rows too) and the file is read again through the
 * staging path, which handles every case. Inputs that cannot be read twice always take the staging path.
 */
export async function loadRows(
  session: Session,
  source: SourceDefinition,
  batchId: number,
  input: LoadInput,
  allSources: readonly SourceDefinition[],
): Promise<BatchCounts> {
  let counts: BatchCounts | undefined;
  let path: LoadPath = 'stage';
  const reopen = input.reopen;
  if (reopen) {
    const bulk = (input.sizeBytes ?? 0) >= (input.bulkMinBytes ?? BULK_MIN_BYTES);
    for (;;) {
      try {
        counts = await session.savepoint(async (s) => {
          const indexes = bulk ? await dropIndexes(s, source.store?.table ?? source.table) : null;
          // (stored with holders) the holders' indexes too, when that table is empty as well: its new
          // rows are inserted while the readings' COPY waits
          const holderIndexes =
            indexes && source.store ? await dropIndexes(s, source.store.holders) : null;
          path = indexes ? 'bulk' : 'direct';
          const result = await loadOnce(s, source, batchId, input, path);
          if (indexes) {
            if (s.kind === 'postgres') await s.query(`set local maintenance_work_mem = '256MB'`);
            for (const index of [...indexes, ...(holderIndexes ?? [])]) await s.query(index.create);
            input.onPhase?.('indexes built');
          }
          return result;
        });
        break;
      } catch (error) {
        if (error instanceof NotFast && input.rawLines) {
          // Quoted cells: the same path again through the general reader.
          input = { ...input, rawLines: undefined, batches: await reopen() };
          continue;
        }
        if (!(error instanceof KeyExists) && (error as { code?: string }).code !== UNIQUE_VIOLATION)
          throw error;
        path = 'stage';
        input = { ...input, rawLines: undefined, batches: await reopen() };
        break;
      }
    }
  }
  // After a collision the optimistic insert of the merge would only fail again (after sorting every row).
  counts ??= await loadOnce(session, source, batchId, input, 'stage', input.reopen !== undefined);
  input.onPath?.(path);
  if (source.changesRegister) await reresolveAll(session, allSources);
  return counts;
}

/**
 * One pass over the rows (see {@link loadRows}).
 *
 * Streaming: each row is parsed and validated (a row with problems is quarantined with every
 * reason); a row whose enterprises were resolved before (most rows of a big file: the same accounts
 * recur every month) goes straight into one open COPY (into the table, or into a staging table:
 * temporary, without WAL or keys) while the next rows are parsed; rows naming enterprises not met yet
 * wait, and are resolved together (set-based, then remembered).
 *
 * Staging path, then one set-based merge: if no key of the file exists yet (not known to collide),
 * every row is inserted in key order (indexes fill sequentially). Otherwise (a reload, a correction, a duplicate within the
 * file): duplicates within the file are quarantined (the first occurrence stays), rows whose values
 * differ are updated (a correction: counted as replaced), new rows inserted, and identical rows left
 * untouched (not even their batch id or loaded_at), so that loading the same file twice changes nothing.
 */
async function loadOnce(
  session: Session,
  source: SourceDefinition,
  batchId: number,
  input: LoadInput,
  path: LoadPath,
  /** staging path: a key of the rows is known to collide (with the table, or within the rows) */
  collides = false,
): Promise<BatchCounts> {
  const counts: BatchCounts = {
    rowsRead: 0,
    rowsLoaded: 0,
    rowsReplaced: 0,
    rowsQuarantined: 0,
    rowsUnmatched: 0,
  };
  const staging = path === 'stage';
  const store = source.store;
  /** the table rows are written to */
  const target = store?.table ?? source.table;
  const partyColumns = source.parties.flatMap((p) => [
    p.rawIdentifier,
    p.rawName,
    p.nameNorm,
    p.uscc,
    p.matchMethod,
    p.matchReason,
    p.matchCandidates,
  ]);
  // The link columns first: their COPY bytes are the same on every row of a holder, written once.
  // Stored with holders, a row carries its holder's id instead (after its own columns).
  /** (stored with holders) the row's own columns after the account: for power, 抄表年月 and kWh */
  const ownColumns = source.valueColumns.slice(1);
  /**
   * Stored with holders and not staged, rows are written in the binary format (copy-binary.ts), the
   * columns a holder gives first; staged rows are text (with their cells).
   */
  const binary = store && !staging ? await binaryRows(session, target, ownColumns) : null;
  const columns = binary
    ? ['account_id', 'holder_id', 'batch_id', ...ownColumns, 'source_row']
    : store
      ? ['account_id', ...ownColumns, 'holder_id', 'batch_id', 'source_row']
      : [...partyColumns, ...source.valueColumns, 'batch_id', 'source_row'];
  /** the natural key as the written table has it */
  const keyColumns = store?.keyColumns ?? source.keyColumns;
  const keySql = store ? store.keySql : source.keySql;
  const ownCompared = source.valueColumns.filter((c) => !source.keyColumns.includes(c));
  const compared = store ? [...ownCompared, 'holder_id'] : [...ownCompared, ...partyColumns];
  const stage = `edp_stage_${target}`;
  const keyJoin = keyColumns.map((k) => `t.${k} = s.${k}`).join(' and ');

  const manual = new Map<string, ResolvedText>();
  /** (stored with holders) the USCC of each manual link, by party and record key */
  const manualUscc = new Map<string, string>();
  for (const link of await session.query<{ record_key: string; party: string; uscc: string }>(
    `select record_key, party, uscc from manual_links where source = $1`,
    [source.name],
  )) {
    manual.set(
      `${link.party}\u0000${link.record_key}`,
      resolvedText({ uscc: link.uscc, method: 'manual', reason: null, candidates: null }),
    );
    manualUscc.set(`${link.party}\u0000${link.record_key}`, link.uscc);
  }
  const holders = store ? await HolderRegistry.open(session, store.holders) : null;
  // Resolutions by identifier, and (for records without one) by normalised name.
  const byIdent = new Map<string, ResolvedText>();
  const byName = new Map<string, ResolvedText>();
  // The same holder recurs on every month's row: its name is normalised, its identifier checked and
  // its columns written once (RowView hands the same PartyInput back for the same cells).
  const memo: RowMemo = {
    names: new Map(),
    validIdentifiers: new Set(),
    parties: { byIdentifier: new Map(), byName: new Map() },
    months: new Map(),
  };
  /** the parties of the row being written (reused) */
  const rowParties: PartyBytes[] = [];
  let pendingLimit = PENDING_ROWS;
  let staged = 0;
  let stageCreated = false;
  /** the first row's key (direct path), checked before anything is sent */
  let firstKey: CopyValue[] | null = null;
  let keyChecked = path !== 'direct';

  const cached = (p: PartyInput) => (p.ident ? byIdent.get(p.ident) : byName.get(p.nameNorm));

  async function writeQuarantine(rows: Quarantined[]) {
    if (rows.length === 0) return;
    counts.rowsQuarantined += rows.length;
    await session.copyIn(
      'quarantined_rows',
      ['batch_id', 'source', 'file_name', 'row_number', 'raw', 'reasons'],
      rows
        .map((q) =>
          copyLine([
            batchId,
            source.name,
            input.fileName,
            q.rowNumber,
            rawObject(input.header, q.cells),
            q.reasons,
          ]),
        )
        .join(''),
    );
  }

  let copy: CopyWriter | null = null;
  let piece = Buffer.allocUnsafeSlow(PIECE_BYTES);
  let pieceBytes = 0;

  let quarantined: Quarantined[] = [];

  /** The open COPY, opened (and the staging table created) when there is none. */
  async function openedCopy(): Promise<CopyWriter> {
    if (!copy) {
      if (staging && !stageCreated) {
        await session.query(
          `create temp table ${stage} on commit drop as select *, null::text as edp_cells from ${target} with no data`,
        );
        stageCreated = true;
      }
      copy = staging
        ? await session.openCopy(stage, [...columns, 'edp_cells'])
        : await session.openCopy(target, columns, binary ? 'binary' : 'text');
    }
    return copy;
  }

  /** Hands the gathered COPY text on. */
  async function sendPiece() {
    if (pieceBytes === 0) return;
    const writer = await openedCopy();
    const data = piece.subarray(0, pieceBytes);
    pieceBytes = 0;
    await writer.write(data); // then the piece is free again
  }

  /** Ends the open COPY, so that another statement can run. */
  async function endCopy() {
    await sendPiece();
    if (copy) await copy.end();
    copy = null;
  }

  /**
   * (binary) A row's field count and the fields its holder gives: account number, holder, batch.
   * Its own columns and row number follow.
   */
  function writeHolderFields(buffer: Buffer, at: number, holder: Holder): number {
    // (ids of the database's own int4 columns: written without the checks of writeInt4Field)
    at = writeInt16(buffer, at, columns.length);
    at = writeInt32(buffer, writeInt32(buffer, at, 4), holder.accountId);
    at = writeInt32(buffer, writeInt32(buffer, at, 4), holder.id);
    for (let k = 0; k < batchField.length; k++) buffer[at++] = batchField[k];
    return at;
  }
  const batchField = Buffer.alloc(12);
  writeInt8Field(batchField, 0, batchId);

  /** `\t<batch id>\t`, between a row's own columns and its row number */
  const batchBytes = Buffer.from(`\t${batchId}\t`);

  /** Makes room for `bytes` more bytes in the piece (it grows only for a row longer than the room left). */
  function room(bytes: number) {
    if (pieceBytes + bytes <= piece.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(piece.length * 2, pieceBytes + bytes));
    piece.copy(bigger, 0, 0, pieceBytes);
    piece = bigger;
  }

  /** The parties' bytes of the row (`rowParties`) into the piece, the row counted as loaded or unmatched. */
  function emitParties(matched: boolean) {
    if (matched) counts.rowsLoaded += 1;
    else counts.rowsUnmatched += 1;
    for (let i = 0; i < rowParties.length; i++) {
      const bytes = rowParties[i].bytes;
      room(bytes.length);
      piece.set(bytes, pieceBytes);
      pieceBytes += bytes.length;
    }
    staged += 1;
  }

  /**
   * A row's own columns (`values`), batch and row number, (staging) its cells and the line's end, as
   * COPY bytes into `buffer` at `at` (room for them made by the caller); returns the offset after them.
   */
  function writeTail(
    buffer: Buffer,
    at: number,
    values: string,
    rowNumber: number,
    cells: readonly string[] | null,
  ): number {
    at = writeText(buffer, at, values);
    buffer.set(batchBytes, at);
    at = writeDigits(buffer, at + batchBytes.length, rowNumber);
    if (cells !== null) {
      // The cells joined by the unit separator, as one COPY field (written cell by cell: no joined copy).
      buffer[at++] = TAB;
      for (let i = 0; i < cells.length; i++) {
        if (i > 0) buffer[at++] = UNIT_SEPARATOR_BYTE;
        at = writeText(buffer, at, copyField(cells[i]));
      }
    }
    buffer[at++] = NEWLINE;
    return at;
  }

  function tailRoom(values: string, cells: readonly string[] | null): number {
    let chars = values.length;
    // A cell's escaped form is at most twice as long: 6 bytes a character at the most.
    if (cells !== null) for (let i = 0; i < cells.length; i++) chars += cells[i].length * 2 + 1;
    return chars * 3 + batchBytes.length + 16;
  }

  /**
   * Rows waiting for resolution, kept out of the JavaScript heap: their tails as COPY bytes in `held`
   * (ending at `heldEnds`), their parties (the remembered objects) in `heldParties`, their keys only
   * when manual links exist. Held as objects they survived the garbage collector's young generation
   * by the thousand, and V8 then allocated every later row's objects in the old one.
   */
  let held = Buffer.allocUnsafeSlow(PIECE_BYTES);
  let heldBytes = 0;
  const heldEnds: number[] = [];
  const heldParties: PartyInput[] = [];
  const heldKeys: string[] = [];
  const partiesPerRow = source.parties.length;

  function hold(
    values: string,
    rowNumber: number,
    cells: readonly string[] | null,
    parties: PartyInput[],
    key: string,
  ) {
    const need = tailRoom(values, cells);
    if (heldBytes + need > held.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(held.length * 2, heldBytes + need));
      held.copy(bigger, 0, 0, heldBytes);
      held = bigger;
    }
    heldBytes = writeTail(held, heldBytes, values, rowNumber, cells);
    heldEnds.push(heldBytes);
    for (let i = 0; i < partiesPerRow; i++) heldParties.push(parties[i]);
    if (manual.size > 0) heldKeys.push(key);
  }

  /** Resolves the identities of the pending rows (one set-based query) and sends them on. */
  async function resolvePending() {
    if (heldEnds.length === 0) return;
    const unseen = new Map<string, Identity>();
    for (const p of heldParties) {
      if (cached(p) === undefined)
        unseen.set(identityKey(p.ident, p.nameNorm), { ident: p.ident, nameNorm: p.nameNorm });
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
        if (!r)
          throw new Error(
            `entity resolution returned nothing for ${identity.ident || identity.nameNorm}`,
          );
        if (identity.ident) byIdent.set(detach(identity.ident), resolvedText(r));
        else byName.set(detach(identity.nameNorm), resolvedText(r));
      }
    }
    let start = 0;
    for (let row = 0; row < heldEnds.length; row++) {
      const matched = partiesReady(heldParties, row * partiesPerRow, heldKeys[row] ?? '');
      if (matched === undefined) throw new Error('an enterprise a held row names was not resolved');
      emitParties(matched);
      const end = heldEnds[row];
      room(end - start);
      held.copy(piece, pieceBytes, start, end);
      pieceBytes += end - start;
      start = end;
    }
    heldBytes = 0;
    heldEnds.length = 0;
    heldParties.length = 0;
    heldKeys.length = 0;
    pendingLimit = Math.min(pendingLimit * 2, PENDING_ROWS_MAX);
  }

  async function flushQuarantine() {
    if (quarantined.length === 0) return;
    await endCopy();
    await writeQuarantine(quarantined);
    quarantined = [];
  }

  /** A party's link columns as COPY bytes; undefined while its enterprise is not resolved yet. */
  function partyOf(p: PartyInput, key: string): PartyBytes | undefined {
    const link = manual.size > 0 ? manual.get(`${p.party}\u0000${key}`) : undefined;
    if (link === undefined && p.written !== undefined) return p.written;
    const r = link ?? cached(p);
    if (r === undefined) return undefined;
    const bytes: PartyBytes = {
      bytes: Buffer.from(
        `${copyField(p.rawIdentifier)}\t${copyField(p.rawName)}\t${copyField(p.nameNorm || null)}\t${r.text}\t`,
      ),
      matched: r.matched,
    };
    if (link === undefined) p.written = bytes; // the same object comes back for the holder's next rows
    return bytes;
  }

  /**
   * The link bytes of the `partiesPerRow` parties from `parties[from]` into `rowParties`: whether they
   * all link to an enterprise, or undefined while one is not resolved yet.
   */
  function partiesReady(
    parties: readonly PartyInput[],
    from: number,
    key: string,
  ): boolean | undefined {
    rowParties.length = 0;
    let matched = true;
    for (let i = from; i < from + partiesPerRow; i++) {
      const r = partyOf(parties[i], key);
      if (r === undefined) return undefined;
      if (!r.matched) matched = false;
      rowParties.push(r);
    }
    return matched;
  }

  /** Moves the staged rows into the table (see above). */
  async function merge() {
    if (staged === 0) return;
    if (staged > 10_000) await session.query(`analyze ${stage}`);
    const keys = keyColumns.join(', ');
    const list = columns.join(', ');
    if (!collides) {
      try {
        await session.savepoint((s) =>
          s.execute(
            `insert into ${target} (${list}) select ${list} from ${stage} order by ${keys}`,
          ),
        );
        return;
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
      }
    }
    const unmatched = store
      ? `coalesce((select h.uscc is null from ${store.holders} h where h.id = s.holder_id), true)`
      : source.parties.map((p) => `${p.uscc} is null`).join(' or ') || 'false';
    // Duplicates within the file (usually none: then the staging table is not touched again).
    const repeated = await session.query<{ row: number; first: number }>(
      `select source_row as row, first from (
         select source_row, first_value(source_row) over (partition by ${keys} order by source_row) as first from ${stage}
       ) d where source_row <> first`,
    );
    const firstOf = new Map(repeated.map((d) => [Number(d.row), Number(d.first)]));
    const duplicates =
      repeated.length === 0
        ? []
        : (
            await session.query<{ row: number; key: string; cells: string; unmatched: boolean }>(
              `delete from ${stage} s where s.source_row = any($1::int[])
               returning s.source_row as row, ${keySql('s.')} as key, s.edp_cells as cells, (${unmatched}) as unmatched`,
              [[...firstOf.keys()]],
            )
          ).map((d) => ({ ...d, first: firstOf.get(Number(d.row))! }));
    const quarantined: Quarantined[] = duplicates.map((d) => {
      if (d.unmatched) counts.rowsUnmatched -= 1;
      else counts.rowsLoaded -= 1;
      return {
        rowNumber: d.row,
        cells: d.cells.split(UNIT_SEPARATOR),
        reasons: [
          `duplicate ${source.keyLabel} ${d.key.replaceAll('|', ' / ')}: this file already has it on row ${d.first}`,
        ],
      };
    });
    await writeQuarantine(quarantined.sort((a, b) => a.rowNumber - b.rowNumber));
    const set = [...compared, 'batch_id', 'source_row'];
    counts.rowsReplaced += await session.execute(
      `update ${target} t set (${set.join(', ')}, loaded_at) = (${set.map((c) => `s.${c}`).join(', ')}, now())
       from ${stage} s where ${keyJoin}
         and (${compared.map((c) => `t.${c}`).join(', ')}) is distinct from (${compared.map((c) => `s.${c}`).join(', ')})`,
    );
    await session.execute(
      `insert into ${target} (${list}) select ${columns.map((c) => `s.${c}`).join(', ')} from ${stage} s
       where not exists (select 1 from ${target} t where ${keyJoin}) order by ${keyColumns.map((k) => `s.${k}`).join(', ')}`,
    );
  }

  /** Parses one row: into the COPY, the pending rows or the quarantine. */
  function accept({ rowNumber, cells }: SheetRow) {
    const row = new RowView(input.map, cells, memo);
    if (cells.some((c) => UNLOADABLE.test(c))) {
      if (cells.some((c) => c.includes(UNDECODABLE))) {
        row.reasons.push(
          'the row contains bytes that are not valid in the file’s encoding (UTF-8 or GB18030); nothing was guessed',
        );
      }
      if (cells.some((c) => c.includes('\u0000')))
        row.reasons.push('the row contains NUL characters, which no text column can hold');
    }
    const record = source.parse(row);
    if (row.reasons.length > 0) {
      quarantined.push({ rowNumber, cells, reasons: row.reasons });
      return;
    }
    if (!keyChecked && firstKey === null)
      firstKey = source.keyColumns.map((k) => record.values[k] as CopyValue);
    const cellsText = staging ? cells : null;
    if (holders) {
      // Stored with holders: the row is its account's number, its other columns and its holder, whose
      // link is settled at the end.
      const holder = holders.holderFor(
        record.values[source.keyColumns[0]] as string,
        record.parties[0],
        manualUscc.get(`\u0000${record.key}`) ?? null,
      );
      holder.rows += 1;
      if (binary) {
        staged += 1;
        room(binary.rowBytes);
        let at = writeHolderFields(piece, pieceBytes, holder);
        for (let i = 0; i < ownColumns.length; i++)
          at = writeBinaryField(
            piece,
            at,
            binary.kinds[i],
            record.values[ownColumns[i]] as CopyValue,
          );
        pieceBytes = writeInt4Field(piece, at, rowNumber);
        return;
      }
      let values = String(holder.accountId);
      for (let i = 1; i < source.valueColumns.length; i++)
        values += `\t${copyField(record.values[source.valueColumns[i]] as CopyValue)}`;
      values += `\t${holder.id}`;
      staged += 1;
      room(tailRoom(values, cellsText));
      pieceBytes = writeTail(piece, pieceBytes, values, rowNumber, cellsText);
      return;
    }
    let values = copyField(record.values[source.valueColumns[0]] as CopyValue);
    for (let i = 1; i < source.valueColumns.length; i++)
      values += `\t${copyField(record.values[source.valueColumns[i]] as CopyValue)}`;
    const matched = partiesReady(record.parties, 0, record.key);
    if (matched === undefined) {
      hold(values, rowNumber, cellsText, record.parties, record.key);
      return;
    }
    emitParties(matched);
    room(tailRoom(values, cellsText));
    pieceBytes = writeTail(piece, pieceBytes, values, rowNumber, cellsText);
  }

  /** The fast reading (see {@link LoadInput.rawLines}): rows taken from the bytes, others through `accept`. */
  async function readFast(
    fast: NonNullable<SourceDefinition['fast']>,
    rawLines: AsyncIterable<Buffer>,
  ) {
    const index = (key: string) => input.map.index.get(key) ?? -1;
    const layout: FastLayout = {
      cells: input.header.length,
      account: index(fast.account),
      month: index(fast.month),
      quantity: index(fast.quantity),
      identifier: index(fast.identifier),
      name: index(fast.name),
    };
    const lines = new FastLines(layout);
    const predicting = lines.knowsSpans;
    /** holders by the handle of their cells in `lines` (FastLines.keepSpan); null: rows naming them are read the general way (they have a problem) */
    const holderOf: (FastHolder | null)[] = [];
    const blankCells: string[] = input.header.map(() => '');
    const holderMemo: RowMemo = { names: memo.names, validIdentifiers: memo.validIdentifiers };

    function holderOfLine(buf: Buffer): FastHolder | null {
      const identCell =
        layout.identifier < 0
          ? ''
          : buf.toString(
              'utf8',
              lines.cellStart(layout.identifier),
              lines.cellEnd(layout.identifier),
            );
      const nameCell = buf.toString(
        'utf8',
        lines.cellStart(layout.name),
        lines.cellEnd(layout.name),
      );
      let found: FastHolder | null = null;
      if (!UNLOADABLE.test(identCell) && !UNLOADABLE.test(nameCell)) {
        const cells = blankCells.slice();
        if (layout.identifier >= 0) cells[layout.identifier] = identCell;
        cells[layout.name] = nameCell;
        // Without the memo of parties: holderOf is already one, by the cells' bytes.
        const row = new RowView(input.map, cells, holderMemo);
        const party = row.party(fast.identifier, fast.name);
        if (row.reasons.length === 0) {
          const holder = holders!.holderFor(
            buf.toString('latin1', lines.accountStart, lines.accountEnd),
            party,
            null,
            false,
          );
          found = { holder, span: -1, next: null };
        }
      }
      const span = lines.keepSpan(buf);
      if (found !== null) found.span = span;
      holderOf[span] = found;
      return found;
    }

    /** the holder of the last line taken the fast way: the line after it is expected to name its `next` */
    let previous: FastHolder | null = null;

    let rowNumber = 1;

    /**
     * Takes the lines of `buf` from `pos` on until the buffer ends or something must be awaited first
     * (a full piece to send, quarantined rows to write, the first key to check); returns where it stopped.
     */
    function takeLines(buf: Buffer, pos: number): number {
      while (pos < buf.length) {
        if (
          pieceBytes >= PIECE_BYTES - 4096 ||
          quarantined.length >= QUARANTINE_ROWS ||
          (firstKey !== null && !keyChecked)
        )
          break;
        rowNumber += 1;
        // Most lines name the holder that followed the previous line's holder the last time (the
        // next account of a month, or the same account's next month): compared, not looked up.
        const expected = previous === null ? null : previous.next;
        let read =
          expected === null ? MISSED : lines.readKnown(buf, pos, buf.length, expected.span);
        let found: FastHolder | null | undefined = expected;
        if (read === MISSED) {
          read = lines.read(buf, pos, buf.length);
          if (read === FAST) {
            const span = lines.findSpan(buf);
            found = span >= 0 ? holderOf[span] : holderOfLine(buf);
            if (predicting && previous !== null && found !== null) previous.next = found;
          }
        }
        let holder: Holder | null = null;
        if (read === FAST && found !== null) {
          previous = found;
          holder = found.holder;
          if (manualUscc.size > 0) {
            const account = buf.toString('latin1', lines.accountStart, lines.accountEnd);
            if (manualUscc.has(`\u0000${account}|${lines.month.slice(0, 7)}`)) holder = null; // the general way applies the link
          }
        }
        if (holder) {
          counts.rowsRead += 1;
          holder.rows += 1;
          staged += 1;
          if (!keyChecked)
            firstKey = [buf.toString('latin1', lines.accountStart, lines.accountEnd), lines.month];
          // (no room to make: a fast row is under 128 bytes, and a piece is sent 4 KB before it is full)
          let at = writeHolderFields(piece, pieceBytes, holder);
          at = writeDateField(piece, at, lines.monthDay);
          at = writeQuantityField(piece, at, buf, lines.quantityStart, lines.quantityEnd);
          pieceBytes = writeInt32(piece, writeInt32(piece, at, 4), rowNumber);
        } else {
          const cells = buf.toString('utf8', pos, lines.lineEnd).split(',');
          if (!isBlank(cells)) {
            counts.rowsRead += 1;
            accept({ rowNumber, cells });
          }
        }
        pos = lines.next;
      }
      return pos;
    }

    /**
     * New holders are resolved and written while the file is read, from this many on (doubling each
     * time): the database does that while the next rows are read, whose pieces wait in `queued`.
     */
    let writeAt = 2048;
    let writing: Promise<void> | null = null;
    let writeError: unknown = null;
    /**
     * Full pieces not written to the COPY yet, oldest first: while new holders are written (the
     * connection is theirs), and beyond {@link SEND_WINDOW}. Pieces are written without waiting for
     * each to be sent, and holders are written without waiting for the pieces before them, so that
     * the reading goes on while the database takes them (waiting, the reading stood still for most
     * of a second of every load).
     */
    const queued: Buffer[] = [];
    let queuedBytes = 0;
    /** bytes written to the COPY that the socket has not taken yet */
    let sending = 0;
    /** the last write (writes are taken in order: when it is done, every one is) */
    let lastSend: Promise<void> = Promise.resolve();
    let sendError: unknown = null;
    /** pieces sent, to be filled again (not a new buffer each time, nor a copy) */
    const spare: (typeof piece)[] = [];

    /** The full piece to the queue, and a fresh one to fill. */
    function queuePiece() {
      queued.push(piece.subarray(0, pieceBytes));
      queuedBytes += pieceBytes;
      piece = spare.pop() ?? Buffer.allocUnsafeSlow(PIECE_BYTES);
      pieceBytes = 0;
    }

    /** Writes queued pieces while less than SEND_WINDOW is being sent (not while holders are written). */
    async function pump() {
      if (writing || queued.length === 0) return;
      const writer = await openedCopy();
      while (queued.length > 0 && sending < SEND_WINDOW) {
        const data = queued.shift()!;
        queuedBytes -= data.length;
        sending += data.length;
        lastSend = writer.write(data).then(
          () => {
            sending -= data.length;
            if (data.buffer.byteLength === PIECE_BYTES)
              spare.push(Buffer.from(data.buffer as ArrayBuffer, data.byteOffset, PIECE_BYTES));
          },
          (error) => void (sendError ??= error),
        );
      }
    }

    /** Every queued piece written and sent (the holders being written first), before another statement or the end. */
    async function sendQueued() {
      if (writing) await writing;
      if (writeError) throw writeError;
      for (;;) {
        await pump();
        await lastSend;
        if (sendError) throw sendError;
        if (queued.length === 0) return;
      }
    }

    try {
      let header = true;
      for await (const buf of rawLines) {
        let pos = 0;
        if (header) {
          header = false;
          const newline = buf.indexOf(NEWLINE);
          pos = newline < 0 ? buf.length : newline + 1;
          if (buf.subarray(0, pos).includes(QUOTE)) throw new NotFast();
        }
        while (pos < buf.length) {
          pos = takeLines(buf, pos);
          if (sendError) throw sendError;
          if (writeError) throw writeError;
          if (firstKey !== null && !keyChecked) {
            keyChecked = true;
            if (await keyExists(session, source, firstKey)) throw new KeyExists();
          }
          if (!writing && queued.length === 0 && holders!.unwritten >= writeAt) {
            // The COPY ended and the holders written in the background (the connection runs them in
            // turn, after the pieces written so far); the reading goes on, its pieces queued.
            writeAt *= 2;
            const open = copy as CopyWriter | null;
            copy = null;
            writing = (async () => {
              if (open) await open.end();
              await holders!.writeCreated(session);
            })().then(
              () => void (writing = null),
              (error) => {
                writeError = error;
                writing = null;
              },
            );
          }
          if (pieceBytes >= PIECE_BYTES - 4096) {
            queuePiece();
            if (writing) {
              // A turn of the event loop for the database's answers: the file's next bytes are often
              // buffered already, and reading on would not give it one.
              await new Promise((resolve) => setImmediate(resolve));
            } else await pump();
            // the database behind by more than the queue may hold: wait for it
            if (queuedBytes > QUEUE_LIMIT) await sendQueued();
          }
          if (quarantined.length >= QUARANTINE_ROWS) {
            await sendQueued();
            await flushQuarantine();
          }
        }
        input.onProgress?.(counts.rowsRead);
      }
      await sendQueued();
    } catch (error) {
      // Nothing of the load may run after it failed (the savepoint is rolled back next); the writes
      // still being sent fail with the COPY, which the caller abandons.
      if (writing) await writing;
      throw error;
    }
  }

  try {
    await readAll();
  } catch (error) {
    // A COPY left open would hold the connection: the statements that roll the load back wait behind it.
    const open = copy as CopyWriter | null; // (set by the functions readAll calls)
    copy = null;
    if (open) await open.abort();
    throw error;
  }
  input.onPhase?.('rows read');
  if (holders) {
    const linked = await holders.finish(session);
    input.onPhase?.('holders written');
    counts.rowsLoaded += linked.loaded;
    counts.rowsUnmatched += linked.unmatched;
  }
  if (staging) await merge();
  return counts;

  /** Every row into the table (or the staging table), the quarantine or the held rows, then the last of them. */
  async function readAll() {
    const rawLines = holders && !staging && source.fast ? input.rawLines?.() : undefined;
    if (rawLines) await readFast(source.fast!, rawLines);
    else
      for await (const batch of input.batches) {
        for (const sheetRow of batch) {
          counts.rowsRead += 1;
          accept(sheetRow);
          if (firstKey !== null && !keyChecked) {
            // Before anything is sent: a first key already stored means a reload or a correction.
            keyChecked = true;
            if (await keyExists(session, source, firstKey)) throw new KeyExists();
          }
          if (pieceBytes >= PIECE_BYTES - 4096) await sendPiece();
          if (heldEnds.length >= pendingLimit) await resolvePending();
          if (quarantined.length >= QUARANTINE_ROWS) await flushQuarantine();
        }
        input.onProgress?.(counts.rowsRead);
      }
    await resolvePending();
    await flushQuarantine();
    await endCopy();
  }
}
