/**
 * How power's records are stored (SourceDefinition.store): `power_consumption` is a view over
 * `power_readings` and `power_holders` (db/power.ts). Each distinct party of an account (用电户号 and
 * identity) is written once into the holders (holders.ts), and each record into the readings as
 * `account_id` (its account's number), 抄表年月, kWh, `holder_id`, `batch_id`, `source_row`: in
 * PostgreSQL's binary COPY format on the bulk and direct paths (copy-binary.ts), as text when staged.
 * Large CSV files are read byte by byte (fast-reading.ts).
 */
import { powerConsumption as t } from '../../db/power-view.js';
import { columnTypes } from '../pipeline/catalog.js';
import {
  type BinaryKind,
  binaryKind,
  maxFieldBytes,
  writeInt4Field,
  writeInt8Field,
  writeInt16,
  writeInt32,
  writeValueField,
} from '../pipeline/copy-binary.js';
import { type CopyValue, copyField } from '../pipeline/copy-text.js';
import type {
  LoadContext,
  ParsedRecord,
  RecordStore,
  RecordWriter,
} from '../pipeline/record-store.js';
import type { CopyFormat, Session } from '../pipeline/session.js';
import { readFast } from './fast-reading.js';
import { type Holder, HolderRegistry } from './holders.js';

const READINGS = 'power_readings';
const HOLDERS = 'power_holders';
/** a record's value naming its account (the first key column) */
const ACCOUNT = t.accountNo.name;
/** the readings' own columns after the account: 抄表年月 and kWh */
const OWN = [t.month.name, t.kwh.name];

/** How rows are written in the binary format. */
interface BinaryRows {
  /** the kinds of the row's own columns */
  kinds: BinaryKind[];
  /** the most bytes a row takes */
  rowBytes: number;
}

/** The binary kinds of the readings' own columns (each must have one: see copy-binary.ts). */
async function binaryRows(session: Session): Promise<BinaryRows> {
  const typeOf = await columnTypes(session, READINGS, OWN);
  const kinds = OWN.map((column) => {
    const kind = binaryKind(typeOf.get(column) ?? '');
    if (kind === undefined)
      throw new Error(
        `${READINGS}.${column} (${typeOf.get(column)}) cannot be written as binary COPY`,
      );
    return kind;
  });
  // field count, account, holder, batch, own columns, row number
  const rowBytes = 2 + 8 + 8 + 12 + kinds.reduce((sum, kind) => sum + maxFieldBytes(kind), 0) + 8;
  return { kinds, rowBytes };
}

/** Writes power records as readings pointing at holders (see above). */
export class HolderRows implements RecordWriter {
  readonly table = READINGS;
  readonly keyColumns = ['account_id', t.month.name];
  readonly columns: readonly string[];
  readonly format: CopyFormat;
  /** kWh and the holder: what a correction changes */
  readonly compared = [t.kwh.name, 'holder_id'];
  readonly unmatchedSql =
    `coalesce((select h.uscc is null from ${HOLDERS} h where h.id = s.holder_id), true)`;
  /** the batch as a binary int8 field */
  private readonly batchField = Buffer.alloc(12);

  private constructor(
    private readonly load: LoadContext,
    readonly holders: HolderRegistry,
    /** binary rows (not staged), or null: text */
    private readonly binary: BinaryRows | null,
  ) {
    // binary: the fields a holder gives first
    this.columns = binary
      ? ['account_id', 'holder_id', 'batch_id', ...OWN, 'source_row']
      : ['account_id', ...OWN, 'holder_id', 'batch_id', 'source_row'];
    this.format = binary ? 'binary' : 'text';
    writeInt8Field(this.batchField, 0, load.batchId);
  }

  static async open(load: LoadContext): Promise<HolderRows> {
    const binary = load.staging ? null : await binaryRows(load.session);
    return new HolderRows(load, await HolderRegistry.open(load.session, HOLDERS), binary);
  }

  keySql(p: string): string {
    return `(select h.account_no from ${HOLDERS} h where h.id = ${p}holder_id) || '|' || to_char(${p}month, 'YYYY-MM')`;
  }

  /** A record's row: its account's number, its other columns and its holder, whose link is settled at the end. */
  write(record: ParsedRecord, rowNumber: number, cells: readonly string[] | null): void {
    const { load, binary } = this;
    const holder = this.holders.holderFor(
      record.values[ACCOUNT] as string,
      record.parties[0],
      load.manual.uscc('', record.key) ?? null,
    );
    holder.rows += 1;
    load.written += 1;
    const { stream } = load;
    if (binary) {
      stream.room(binary.rowBytes);
      let at = this.writeHolderFields(stream.piece, stream.bytes, holder);
      for (let i = 0; i < OWN.length; i++)
        at = writeValueField(stream.piece, at, binary.kinds[i], record.values[OWN[i]] as string);
      stream.bytes = writeInt4Field(stream.piece, at, rowNumber);
      return;
    }
    let values = String(holder.accountId);
    for (let i = 0; i < OWN.length; i++)
      values += `\t${copyField(record.values[OWN[i]] as CopyValue)}`;
    values += `\t${holder.id}`;
    stream.room(load.tail.room(values, cells));
    stream.bytes = load.tail.write(stream.piece, stream.bytes, values, rowNumber, cells);
  }

  /**
   * (binary) A row's field count and the fields its holder gives: account number, holder, batch.
   * Its own columns and row number follow.
   */
  writeHolderFields(buffer: Buffer, at: number, holder: Holder): number {
    // (ids of the database's own int4 columns: written without the checks of writeInt4Field)
    at = writeInt16(buffer, at, this.columns.length);
    at = writeInt32(buffer, writeInt32(buffer, at, 4), holder.accountId);
    at = writeInt32(buffer, writeInt32(buffer, at, 4), holder.id);
    const { batchField } = this;
    for (let k = 0; k < batchField.length; k++) buffer[at++] = batchField[k];
    return at;
  }

  due(): boolean {
    return false;
  }

  async flush(): Promise<void> {}

  /** The new holders written; every row counted by its holder's link. */
  async finish(): Promise<void> {
    const { load } = this;
    const linked = await this.holders.finish(load.session);
    load.phase('holders written');
    load.counts.rowsLoaded += linked.loaded;
    load.counts.rowsUnmatched += linked.unmatched;
  }

  /** A CSV file on the bulk or direct path: the fast reading (fast-reading.ts). */
  async readOwnWay(): Promise<boolean> {
    const rawLines = this.binary ? this.load.rawLines() : undefined;
    if (!rawLines) return false;
    await readFast(this.load, this, rawLines);
    return true;
  }
}

/** Power's storage: readings and holders. */
export const powerStore: RecordStore = {
  tables: [READINGS, HOLDERS],
  linkTable: HOLDERS,
  open: (load) => HolderRows.open(load),
  // The account's number is found through its holders (account_id); the month is the row's own.
  joinStaged: (stage) =>
    `join (select distinct account_id, ${ACCOUNT} from ${HOLDERS}) h on h.${ACCOUNT} = k.${ACCOUNT}
    join ${stage} s on s.account_id = h.account_id and s.${t.month.name} = k.${t.month.name}`,
};
