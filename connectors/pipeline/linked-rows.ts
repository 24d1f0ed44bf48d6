/**
 * The default {@link RecordWriter}: each record one row of the source's table, with its parties' link
 * columns. A row whose enterprises were resolved before (most rows of a big file: the same accounts
 * recur every month) is written at once; rows naming enterprises not met yet wait, and are resolved
 * together (set-based, then remembered).
 */
import type { PartyInput } from './columns.js';
import { PIECE_BYTES } from './copy-stream.js';
import { type CopyValue, copyField } from './copy-text.js';
import { type ManualLinks, Resolutions, type ResolvedText } from './links.js';
import type { LoadContext, ParsedRecord, RecordWriter } from './record-store.js';
import type { SourceDefinition } from './source.js';

/**
 * Rows waiting for enterprises not met before are resolved together when there are this many at first;
 * the number doubles with each resolution (up to {@link PENDING_ROWS_MAX}): a big file's first month
 * names every account, and each resolution is a query over the whole register.
 */
const PENDING_ROWS = 1_000;
const PENDING_ROWS_MAX = 8_000;

/** A party's link columns as COPY bytes (each followed by a tab), and whether it links to an enterprise. */
interface PartyBytes {
  bytes: Uint8Array;
  matched: boolean;
}

/** A record's own columns as COPY text (tab-separated, no line end). */
export function valuesText(record: ParsedRecord, columns: readonly string[], from = 0): string {
  let values = copyField(record.values[columns[from]] as CopyValue);
  for (let i = from + 1; i < columns.length; i++)
    values += `\t${copyField(record.values[columns[i]] as CopyValue)}`;
  return values;
}

/**
 * Rows waiting for resolution, kept out of the JavaScript heap: their tails as COPY bytes in `bytes`
 * (ending at `ends`), their parties (the remembered objects) in `parties`, their keys only when manual
 * links exist. Held as objects they survived the garbage collector's young generation by the
 * thousand, and V8 then allocated every later row's objects in the old one.
 */
class HeldRows {
  bytes = Buffer.allocUnsafeSlow(PIECE_BYTES);
  used = 0;
  readonly ends: number[] = [];
  readonly parties: PartyInput[] = [];
  readonly keys: string[] = [];

  /** Room for `need` more bytes. */
  room(need: number) {
    if (this.used + need <= this.bytes.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.used + need));
    this.bytes.copy(bigger, 0, 0, this.used);
    this.bytes = bigger;
  }

  clear() {
    this.used = 0;
    this.ends.length = 0;
    this.parties.length = 0;
    this.keys.length = 0;
  }
}

/** Writes records with their parties' link columns into the source's own table. */
export class LinkedRows implements RecordWriter {
  readonly table: string;
  readonly keyColumns: readonly string[];
  readonly columns: readonly string[];
  readonly format = 'text';
  readonly compared: readonly string[];
  readonly unmatchedSql: string;
  private readonly resolutions = new Resolutions();
  private readonly held = new HeldRows();
  /** the parties of the row being written (reused) */
  private readonly rowParties: PartyBytes[] = [];
  private readonly partiesPerRow: number;
  private pendingLimit = PENDING_ROWS;

  constructor(
    private readonly load: LoadContext,
    private readonly source: SourceDefinition,
    private readonly manual: ManualLinks,
  ) {
    this.table = source.table;
    this.keyColumns = source.keyColumns;
    // The link columns first: their COPY bytes are the same on every row of a party, written once.
    const partyColumns = source.parties.flatMap((p) => [
      p.rawIdentifier,
      p.rawName,
      p.nameNorm,
      p.uscc,
      p.matchMethod,
      p.matchReason,
      p.matchCandidates,
    ]);
    this.columns = [...partyColumns, ...source.valueColumns, 'batch_id', 'source_row'];
    const own = source.valueColumns.filter((c) => !source.keyColumns.includes(c));
    this.compared = [...own, ...partyColumns];
    this.unmatchedSql = source.parties.map((p) => `${p.uscc} is null`).join(' or ') || 'false';
    this.partiesPerRow = source.parties.length;
  }

  keySql(prefix: string): string {
    return this.source.keySql(prefix);
  }

  write(record: ParsedRecord, rowNumber: number, cells: readonly string[] | null): void {
    const values = valuesText(record, this.source.valueColumns);
    const matched = this.partiesReady(record.parties, 0, record.key);
    if (matched === undefined) {
      this.hold(values, rowNumber, cells, record.parties, record.key);
      return;
    }
    this.emitParties(matched);
    const { stream, tail } = this.load;
    stream.room(tail.room(values, cells));
    stream.bytes = tail.write(stream.piece, stream.bytes, values, rowNumber, cells);
  }

  due(): boolean {
    return this.held.ends.length >= this.pendingLimit;
  }

  /** Resolves the identities of the waiting rows (one set-based query) and writes them. */
  async flush(): Promise<void> {
    const { held, load } = this;
    if (held.ends.length === 0) return;
    await this.resolutions.resolve(load.session, held.parties, () => load.stream.end());
    const { stream } = load;
    let start = 0;
    for (let row = 0; row < held.ends.length; row++) {
      const matched = this.partiesReady(
        held.parties,
        row * this.partiesPerRow,
        held.keys[row] ?? '',
      );
      if (matched === undefined) throw new Error('an enterprise a held row names was not resolved');
      this.emitParties(matched);
      const end = held.ends[row];
      stream.room(end - start);
      held.bytes.copy(stream.piece, stream.bytes, start, end);
      stream.bytes += end - start;
      start = end;
    }
    held.clear();
    this.pendingLimit = Math.min(this.pendingLimit * 2, PENDING_ROWS_MAX);
  }

  async finish(): Promise<void> {}

  async readOwnWay(): Promise<boolean> {
    return false;
  }

  private hold(
    values: string,
    rowNumber: number,
    cells: readonly string[] | null,
    parties: PartyInput[],
    key: string,
  ) {
    const { held } = this;
    const { tail } = this.load;
    held.room(tail.room(values, cells));
    held.used = tail.write(held.bytes, held.used, values, rowNumber, cells);
    held.ends.push(held.used);
    for (let i = 0; i < this.partiesPerRow; i++) held.parties.push(parties[i]);
    if (this.manual.size > 0) held.keys.push(key);
  }

  /** The parties' bytes of the row (`rowParties`) into the piece, the row counted as loaded or unmatched. */
  private emitParties(matched: boolean) {
    const { load } = this;
    if (matched) load.counts.rowsLoaded += 1;
    else load.counts.rowsUnmatched += 1;
    for (let i = 0; i < this.rowParties.length; i++) load.stream.append(this.rowParties[i].bytes);
    load.written += 1;
  }

  /** A party's link columns as COPY bytes; undefined while its enterprise is not resolved yet. */
  private partyOf(p: PartyInput, key: string): PartyBytes | undefined {
    const link: ResolvedText | undefined =
      this.manual.size > 0 ? this.manual.text(p.party, key) : undefined;
    if (link === undefined && p.written !== undefined) return p.written;
    const r = link ?? this.resolutions.of(p);
    if (r === undefined) return undefined;
    const bytes: PartyBytes = {
      bytes: Buffer.from(
        `${copyField(p.rawIdentifier)}\t${copyField(p.rawName)}\t${copyField(p.nameNorm || null)}\t${r.text}\t`,
      ),
      matched: r.matched,
    };
    if (link === undefined) p.written = bytes; // the same object comes back for the party's next rows
    return bytes;
  }

  /**
   * The link bytes of the `partiesPerRow` parties from `parties[from]` into `rowParties`: whether they
   * all link to an enterprise, or undefined while one is not resolved yet.
   */
  private partiesReady(
    parties: readonly PartyInput[],
    from: number,
    key: string,
  ): boolean | undefined {
    const { rowParties } = this;
    rowParties.length = 0;
    let matched = true;
    for (let i = from; i < from + this.partiesPerRow; i++) {
      const r = this.partyOf(parties[i], key);
      if (r === undefined) return undefined;
      if (!r.matched) matched = false;
      rowParties.push(r);
    }
    return matched;
  }
}
