/**
 * One pass of a load over a file's rows (load.ts loadRows chooses the path and runs passes): parse
 * and validate each row (a row with problems is quarantined with every reason), hand the record to
 * the source's writer, which streams it into one open COPY (into the table, or the staging table)
 * while the next rows are parsed; then, staged, the merge.
 */
import type { BatchCounts } from './batches.js';
import { type RowMemo, RowView } from './columns.js';
import { CopyStream } from './copy-stream.js';
import type { CopyValue } from './copy-text.js';
import { FOREIGN_LINE } from './encoding.js';
import { INPUT_LIMITS } from './limits.js';
import { LinkedRows } from './linked-rows.js';
import { ManualLinks } from './links.js';
import { KeyExists, keyExists } from './load-direct.js';
import type { LoadInput, LoadPath } from './load-input.js';
import { StagingTable } from './load-stage.js';
import { Quarantine } from './quarantine.js';
import type { SheetRow } from './readers.js';
import type { LoadContext, RecordWriter } from './record-store.js';
import { RowTail } from './row-bytes.js';
import type { Session } from './session.js';
import type { SourceDefinition } from './source.js';

const UNDECODABLE = '\uFFFD';
/**
 * U+FFFD (what a decoder makes of bytes it cannot read), NUL (which no text column holds) or the mark
 * of a line in another encoding than its file's (encoding.ts FOREIGN_LINE).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is what this pattern looks for
export const UNLOADABLE = /[\uFFFD\u0000\uFDD0\uFDD1]/;
const FOREIGN_MARKS = /[\uFDD0\uFDD1]/g;

/** Why a line in another encoding than its file's is not loaded, by the encoding it is in. */
const FOREIGN_REASONS = {
  [FOREIGN_LINE.gb18030]:
    '文件编码混杂：此行不是 UTF-8（按 GB18030 可以读出），而文件其余各行是 UTF-8；为免乱码未入库，请用同一种编码重新导出',
  [FOREIGN_LINE['utf-8']]:
    '文件编码混杂：此行是 UTF-8，而文件其余各行是 GB18030；为免乱码未入库，请用同一种编码重新导出',
};

/**
 * The reasons a row cannot be stored whatever its columns say (bytes no text column can hold, a line
 * in another encoding). A foreign line's mark is taken out of its cells (they are kept as that line's
 * own encoding reads them).
 */
function unloadableReasons(cells: string[], reasons: string[]) {
  if (!cells.some((c) => UNLOADABLE.test(c))) return;
  for (const [mark, reason] of Object.entries(FOREIGN_REASONS)) {
    if (!cells.some((c) => c.includes(mark))) continue;
    reasons.push(reason);
    for (let i = 0; i < cells.length; i++) cells[i] = cells[i].replace(FOREIGN_MARKS, '');
  }
  if (cells.some((c) => c.includes(UNDECODABLE))) {
    reasons.push('此行含有按 UTF-8 和 GB18030 都读不出的字节（文件可能已损坏）；没有猜测，未入库');
  }
  if (cells.some((c) => c.includes('\u0000')))
    reasons.push('此行含有 NUL 字符（\\0），任何文本列都无法保存；未入库');
}

/** One pass (see above); {@link run} once. */
export class LoadPass implements LoadContext {
  readonly counts: BatchCounts = {
    rowsRead: 0,
    rowsLoaded: 0,
    rowsReplaced: 0,
    rowsQuarantined: 0,
    rowsUnmatched: 0,
  };
  readonly staging: boolean;
  readonly header: string[];
  readonly map: LoadInput['map'];
  /** the indexes of the cells the source reads (the others' columns are ignored) */
  private readonly usedCells: Set<number>;
  /** a longer cell quarantines its row (limits.ts) */
  readonly maxCellChars: number;
  // The same party recurs on every month's row: its name is normalised, its identifier checked and
  // its columns written once (RowView hands the same PartyInput back for the same cells).
  readonly memo: RowMemo = {
    names: new Map(),
    validIdentifiers: new Set(),
    parties: { byIdentifier: new Map(), byName: new Map() },
    months: new Map(),
  };
  written = 0;
  readonly stream: CopyStream;
  readonly quarantine: Quarantine;
  readonly tail: RowTail;
  manual = new ManualLinks();
  firstKey: CopyValue[] | null = null;
  keyChecked: boolean;
  private writer!: RecordWriter;
  private stage: StagingTable | null = null;

  constructor(
    readonly session: Session,
    private readonly source: SourceDefinition,
    readonly batchId: number,
    private readonly input: LoadInput,
    path: LoadPath,
    /** staging path: a key of the rows is known to collide (with the table, or within the rows) */
    private readonly collides = false,
  ) {
    this.staging = path === 'stage';
    this.keyChecked = path !== 'direct';
    this.header = input.header;
    this.map = input.map;
    this.usedCells = new Set(input.map.index.values());
    this.maxCellChars = input.maxCellChars ?? INPUT_LIMITS.maxCellChars;
    this.tail = new RowTail(batchId);
    this.quarantine = new Quarantine(session, {
      batchId,
      source: source.name,
      fileName: input.fileName,
      header: input.header,
      counts: this.counts,
    });
    this.stream = new CopyStream(() =>
      this.stage
        ? this.stage.openCopy()
        : session.openCopy(this.writer.table, this.writer.columns, this.writer.format),
    );
  }

  /** Reads every row into the table (staged: then merged); returns the counts. */
  async run(): Promise<BatchCounts> {
    const { session, source } = this;
    this.manual = await ManualLinks.load(session, source.name);
    this.writer = source.store
      ? await source.store.open(this)
      : new LinkedRows(this, source, this.manual);
    if (this.staging) this.stage = new StagingTable(session, this.writer);
    try {
      if (!(await this.writer.readOwnWay())) await this.readRows();
      await this.writer.flush();
      await this.flushQuarantine();
      await this.stream.end();
    } catch (error) {
      // A COPY left open would hold the connection: the statements that roll the load back wait behind it.
      await this.stream.abort();
      throw error;
    }
    this.phase('rows read');
    await this.writer.finish();
    await this.stage?.merge(
      this.written,
      this.collides,
      source.keyLabel,
      this.counts,
      this.quarantine,
    );
    return this.counts;
  }

  /** Every row through the general reader (readers.ts) and the source's parse. */
  private async readRows() {
    const { input, stream, writer } = this;
    for await (const batch of input.batches) {
      for (const sheetRow of batch) {
        this.counts.rowsRead += 1;
        this.accept(sheetRow);
        if (this.firstKey !== null && !this.keyChecked) await this.checkFirstKey();
        if (stream.full) await stream.send();
        if (writer.due()) await writer.flush();
        if (this.quarantine.full) await this.flushQuarantine();
      }
      this.progress();
    }
  }

  accept({ rowNumber, cells, uncalculated }: SheetRow): void {
    const row = new RowView(this.map, cells, this.memo);
    if (uncalculated) this.uncalculatedReasons(uncalculated, cells, row.reasons);
    this.longCellReasons(cells, row.reasons);
    unloadableReasons(cells, row.reasons);
    const record = this.source.parse(row);
    if (row.reasons.length > 0) {
      this.quarantine.add({ rowNumber, cells, reasons: row.reasons });
      return;
    }
    if (!this.keyChecked && this.firstKey === null)
      this.firstKey = this.source.keyColumns.map((k) => record.values[k] as CopyValue);
    this.writer.write(record, rowNumber, this.staging ? cells : null);
  }

  /** A cell of a column the source reads that is longer than the limit (limits.ts): no department value is. */
  private longCellReasons(cells: readonly string[], reasons: string[]) {
    const max = this.maxCellChars;
    for (let i = 0; i < cells.length; i++) {
      if (cells[i].length <= max || !this.usedCells.has(i)) continue;
      reasons.push(
        `${this.header[i]}: 单元格有 ${cells[i].length} 个字符，超过上限 ${max}（不像是部门系统导出的值），未入库`,
      );
    }
  }

  /** A formula cell of a column the source reads, whose result the file does not keep: its value is unknown. */
  private uncalculatedReasons(indexes: number[], cells: readonly string[], reasons: string[]) {
    for (const index of indexes) {
      if (!this.usedCells.has(index)) continue; // an ignored column's formula changes nothing
      reasons.push(
        `${this.header[index]}: 公式单元格没有计算结果（公式 "${cells[index]}" 在文件中没有保存结果，值无法确定）；` +
          '请在 Excel 中打开、保存后重新导出',
      );
    }
  }

  async checkFirstKey(): Promise<void> {
    if (this.firstKey === null || this.keyChecked) return;
    // Before anything is sent: a first key already stored means a reload or a correction.
    this.keyChecked = true;
    if (await keyExists(this.session, this.source, this.firstKey)) throw new KeyExists();
  }

  async flushQuarantine(): Promise<void> {
    if (this.quarantine.empty) return;
    await this.stream.end();
    await this.quarantine.flush();
  }

  rawLines(): AsyncIterable<Buffer> | undefined {
    return this.staging ? undefined : this.input.rawLines?.();
  }

  progress(): void {
    this.input.onProgress?.(this.counts.rowsRead);
  }

  phase(name: string): void {
    this.input.onPhase?.(name);
  }
}
