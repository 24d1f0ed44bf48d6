/**
 * The fast reading of a large power CSV file (store.ts, on the bulk and direct paths): lines are read
 * as bytes (fast-lines.ts), and a line in its stored form is written as a binary row at once; every
 * other line goes through the general parse (LoadContext.accept). The pieces are written to the COPY
 * without waiting for them, and new holders are written while the file is read on.
 */

import { type RowMemo, RowView } from '../pipeline/columns.js';
import { writeDateField, writeInt32, writeQuantityField } from '../pipeline/copy-binary.js';
import { PipelinedSender } from '../pipeline/copy-stream.js';
import { decodeLines } from '../pipeline/encoding.js';
import { UNLOADABLE } from '../pipeline/pass.js';
import { isBlank } from '../pipeline/readers.js';
import type { LoadContext } from '../pipeline/record-store.js';
import { FAST, type FastLayout, FastLines, MISSED, NotFast } from './fast-lines.js';
import type { Holder, HolderRegistry } from './holders.js';

const NEWLINE = 10;
const QUOTE = 34;

/**
 * The columns of power's file the fast reading takes, by column key (consumption.ts): reading them
 * fast is exactly the source's parse: `account` required text, `month` a required month, `quantity`
 * a required quantity, and the party of `identifier` and `name`.
 */
const COLUMNS = {
  account: 'accountNo',
  month: 'month',
  quantity: 'kwh',
  identifier: 'ident',
  name: 'name',
} as const;

/** New holders are written beside the reading from this many on (doubling each time). */
const FIRST_HOLDER_WRITE = 2048;

/** What the fast reading writes with (store.ts HolderRows). */
export interface HolderRowWriter {
  readonly holders: HolderRegistry;
  writeHolderFields(buffer: Buffer, at: number, holder: Holder): number;
}

/** A holder as the fast reading knows it (see FastLines.readKnown). */
interface FastHolder {
  holder: Holder;
  /** its cells' handle in the reader (FastLines.keepSpan) */
  span: number;
  /** the holder the line after one of its lines named the last time */
  next: FastHolder | null;
}

/** Reads `rawLines` (header line first) into the load; throws NotFast at a quote (read it again). */
export async function readFast(
  load: LoadContext,
  rows: HolderRowWriter,
  rawLines: AsyncIterable<Buffer>,
): Promise<void> {
  await new FastReading(load, rows).read(rawLines);
}

class FastReading {
  private readonly layout: FastLayout;
  private readonly lines: FastLines;
  /** holders by the handle of their cells in `lines`; null: rows naming them are read the general way (they have a problem) */
  private readonly holderOf: (FastHolder | null)[] = [];
  private readonly blankCells: string[];
  private readonly holderMemo: RowMemo;
  /** the holder of the last line taken the fast way: the line after it is expected to name its `next` */
  private previous: FastHolder | null = null;
  private rowNumber = 1;
  private readonly sender: PipelinedSender;
  private writeAt = FIRST_HOLDER_WRITE;
  /** whether a line's holder can be expected from the line before (FastLines.knowsSpans) */
  private readonly predicting: boolean;

  constructor(
    private readonly load: LoadContext,
    private readonly rows: HolderRowWriter,
  ) {
    const index = (key: string) => load.map.index.get(key) ?? -1;
    this.layout = {
      cells: load.header.length,
      account: index(COLUMNS.account),
      month: index(COLUMNS.month),
      quantity: index(COLUMNS.quantity),
      identifier: index(COLUMNS.identifier),
      name: index(COLUMNS.name),
    };
    this.lines = new FastLines(this.layout);
    this.predicting = this.lines.knowsSpans;
    this.blankCells = load.header.map(() => '');
    this.holderMemo = { names: load.memo.names, validIdentifiers: load.memo.validIdentifiers };
    this.sender = new PipelinedSender(load.stream);
  }

  async read(rawLines: AsyncIterable<Buffer>): Promise<void> {
    const { load, sender } = this;
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
          pos = this.takeLines(buf, pos);
          await this.between();
        }
        load.progress();
      }
      await sender.drain();
    } catch (error) {
      // Nothing of the load may run after it failed (the savepoint is rolled back next); the writes
      // still being sent fail with the COPY, which the caller abandons.
      await sender.settle();
      throw error;
    }
  }

  /** What must be awaited where {@link takeLines} stopped: the first key, holders, a full piece, the quarantine. */
  private async between() {
    const { load, sender } = this;
    sender.check();
    await load.checkFirstKey();
    if (sender.idle && this.rows.holders.unwritten >= this.writeAt) {
      // The COPY ended and the holders written in the background (the connection runs them in
      // turn, after the pieces written so far); the reading goes on, its pieces queued.
      this.writeAt *= 2;
      sender.runBeside(() => this.rows.holders.writeCreated(load.session));
    }
    if (load.stream.full) await sender.queuePiece();
    if (load.quarantine.full) {
      await sender.drain();
      await load.flushQuarantine();
    }
  }

  /** The holder of the line just read (FAST), found by its cells; null when they have a problem. */
  private holderOfLine(buf: Buffer): FastHolder | null {
    const { layout, lines, load } = this;
    const identCell =
      layout.identifier < 0
        ? ''
        : buf.toString(
            'utf8',
            lines.cellStart(layout.identifier),
            lines.cellEnd(layout.identifier),
          );
    const nameCell = buf.toString('utf8', lines.cellStart(layout.name), lines.cellEnd(layout.name));
    let found: FastHolder | null = null;
    if (!UNLOADABLE.test(identCell) && !UNLOADABLE.test(nameCell)) {
      const cells = this.blankCells.slice();
      if (layout.identifier >= 0) cells[layout.identifier] = identCell;
      cells[layout.name] = nameCell;
      // Without the memo of parties: holderOf is already one, by the cells' bytes.
      const row = new RowView(load.map, cells, this.holderMemo);
      const party = row.party(COLUMNS.identifier, COLUMNS.name);
      if (row.reasons.length === 0) {
        const holder = this.rows.holders.holderFor(
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
    this.holderOf[span] = found;
    return found;
  }

  /** The holder of the line at `pos` when it can be taken the fast way (null: the general way). */
  private holderAt(buf: Buffer, pos: number): Holder | null {
    const { lines, previous } = this;
    // Most lines name the holder that followed the previous line's holder the last time (the
    // next account of a month, or the same account's next month): compared, not looked up.
    const expected = previous === null ? null : previous.next;
    let read = expected === null ? MISSED : lines.readKnown(buf, pos, buf.length, expected.span);
    let found: FastHolder | null | undefined = expected;
    if (read === MISSED) {
      read = lines.read(buf, pos, buf.length);
      if (read === FAST) {
        const span = lines.findSpan(buf);
        found = span >= 0 ? this.holderOf[span] : this.holderOfLine(buf);
        if (this.predicting && previous !== null && found !== null) previous.next = found;
      }
    }
    if (read !== FAST || found === null || found === undefined) return null;
    this.previous = found;
    const { manual } = this.load;
    if (manual.size > 0) {
      const account = buf.toString('latin1', lines.accountStart, lines.accountEnd);
      // the general way applies the link
      if (manual.uscc('', `${account}|${lines.month.slice(0, 7)}`) !== undefined) return null;
    }
    return found.holder;
  }

  /**
   * Takes the lines of `buf` from `pos` on until the buffer ends or something must be awaited first
   * (a full piece to send, quarantined rows to write, the first key to check); returns where it stopped.
   */
  private takeLines(buf: Buffer, pos: number): number {
    const { load, lines, rows } = this;
    const { stream, counts, quarantine } = load;
    while (pos < buf.length) {
      if (stream.full || quarantine.full || (load.firstKey !== null && !load.keyChecked)) break;
      const rowNumber = ++this.rowNumber;
      let holder = this.holderAt(buf, pos);
      // a line that may hold a cell over the limit: the general way tells
      if (lines.lineEnd - pos > load.maxCellChars) holder = null;
      if (holder) {
        counts.rowsRead += 1;
        holder.rows += 1;
        load.written += 1;
        if (!load.keyChecked)
          load.firstKey = [
            buf.toString('latin1', lines.accountStart, lines.accountEnd),
            lines.month,
          ];
        // (no room to make: a fast row is under 128 bytes, and a piece is sent 4 KB before it is full)
        const { piece } = stream;
        let at = rows.writeHolderFields(piece, stream.bytes, holder);
        at = writeDateField(piece, at, lines.monthDay);
        at = writeQuantityField(piece, at, buf, lines.quantityStart, lines.quantityEnd);
        stream.bytes = writeInt32(piece, writeInt32(piece, at, 4), rowNumber);
      } else {
        // (a line of a UTF-8 file that is not UTF-8 is decoded as encoding.ts decodes it, marked)
        const cells = decodeLines(buf.subarray(pos, lines.lineEnd), 'utf-8').split(',');
        if (!isBlank(cells)) {
          counts.rowsRead += 1;
          load.accept({ rowNumber, cells });
        }
      }
      pos = lines.next;
    }
    return pos;
  }
}
