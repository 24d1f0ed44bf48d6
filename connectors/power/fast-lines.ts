/**
 * The fast reading of a large CSV file of readings (power: 用电户号, 户名, 统一社会信用代码, 抄表年月,
 * 用电量): lines are read as UTF-8 bytes, and a line whose cells are plain (an account of plain
 * ASCII, a quantity already in its stored form such as 1234 or 1234.5) is taken without decoding it
 * or splitting it into strings; its holder cells (identifier and name) and its month cell are decoded
 * and parsed by the general parsers once per distinct cell, and found again by their bytes.
 *
 * Every other line is handed back as "slow" and goes through the general reader and parser
 * (columns.ts RowView, the source's parse), so both readings give the same rows: the fast one only
 * takes what it can tell is valid and how the general one would store it (tests/connectors/fast-lines.test.ts).
 * A quote anywhere ends the fast reading ({@link NotFast}): quoted cells may span lines.
 */
import { trimCell } from '../../lib/names.js';
import { dayOfIsoDate } from '../pipeline/copy-binary.js';
import { monthOrNull, QUANTITY_DECIMALS, QUANTITY_DIGITS } from '../pipeline/parsers.js';
import { ReadAgain } from '../pipeline/record-store.js';

/** A quote in the file: its lines may not be lines of records; the general reader must read it. */
export class NotFast extends ReadAgain {
  constructor() {
    super('the file has quoted cells: read by the general reader');
  }
}

/** Where the columns the fast reading needs sit in a line (cell indexes; -1 for an absent identifier). */
export interface FastLayout {
  /** cells in a line (the header's) */
  cells: number;
  account: number;
  month: number;
  quantity: number;
  identifier: number;
  name: number;
}

export const FAST = 0;
export const SLOW = 1;
/** {@link FastLines.readKnown}: the line does not begin with the known holder cells */
export const MISSED = 2;

/** A bigger copy of `array` (at least `least` long). */
function grown<T extends Uint8Array | Int32Array>(array: T, least: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(
    Math.max(array.length * 2, least),
  );
  bigger.set(array);
  return bigger;
}

const NEWLINE = 10;
const CR = 13;
const COMMA = 44;
const QUOTE = 34;
const BACKSLASH = 92;
const ZERO = 48;
const NINE = 57;
const DOT = 46;

const isDigit = (c: number) => c >= ZERO && c <= NINE;

/** What a byte is to the line reader: 0 plain printable ASCII, else one of these. */
const NEWLINE_BYTE = 1;
const COMMA_BYTE = 2;
const QUOTE_BYTE = 3;
/** white space, a control character, DEL, a backslash or part of a multi-byte character */
const SPECIAL_BYTE = 4;
const BYTE_CLASS = new Uint8Array(256).map((_, c) =>
  c === NEWLINE
    ? NEWLINE_BYTE
    : c === COMMA
      ? COMMA_BYTE
      : c === QUOTE
        ? QUOTE_BYTE
        : c <= 0x20 || c >= 0x7f || c === BACKSLASH
          ? SPECIAL_BYTE
          : 0,
);
/** Month cells longer than this are left to the general reader (no month is written that long). */
const MONTH_CELL_MAX = 32;
/** Distinct month cells remembered (a file has a few per month at most). */
const MONTH_CELLS_KEPT = 4096;
/** Lines with more cells than this are read by the general reader (a cell's flag is a bit of an int). */
const MAX_CELLS = 31;

/**
 * Reads one line at a time from a buffer of whole lines. After {@link read} answered {@link FAST}, the
 * fields say where the account and quantity bytes are, `month` is the stored month (`2024-03-01`) and
 * `holderKey` identifies the holder cells (the bytes from the first to the last of account, identifier
 * and name, as latin1 text: equal keys mean equal cells).
 */
export class FastLines {
  /** the offset after the line just read (after its newline) */
  next = 0;
  /** the line's end (before CR LF) */
  lineEnd = 0;
  accountStart = 0;
  accountEnd = 0;
  quantityStart = 0;
  quantityEnd = 0;
  month = '';
  /** the month's first day as PostgreSQL's day number (copy-binary.ts dayOfIsoDate) */
  monthDay = 0;
  /** the holder cells' bytes (from the first to the last of account, identifier and name: equal bytes, equal cells) */
  holderStart = 0;
  holderEnd = 0;
  /** their FNV-1a hash (an int32) */
  holderHash = 0;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  /** the cells that may hold special bytes (see BYTE_CLASS), as bits */
  private readonly specialAllowed: number;
  /** month cells read so far by their bytes' hash: the bytes, the stored month (null: not one) and its day number */
  private readonly months = new Map<number, { bytes: string; text: string | null; day: number }>();
  private readonly spanFirst: number;
  private readonly spanLast: number;
  /** known holder cells (see {@link keepSpan}): their bytes one after the other */
  private spans = new Uint8Array(1 << 16);
  private spansView = new DataView(this.spans.buffer);
  /** the buffer last read by {@link readKnown}, and a view of it */
  private viewed: Buffer | null = null;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  private spansUsed = 0;
  /** per known span: its start in `spans`, its length, then each cell's start and end within it */
  private spanCells = new Int32Array(1 << 12);
  /** per known span: the hash of its bytes (FNV-1a, as an int32) */
  private spanHashes = new Int32Array(1 << 10);
  /** open addressing by hash: a known span's handle, or -1 */
  private slots = new Int32Array(1 << 12).fill(-1);
  private spanCount = 0;

  constructor(private readonly layout: FastLayout) {
    this.starts = new Int32Array(layout.cells);
    this.ends = new Int32Array(layout.cells);
    this.specialAllowed =
      (1 << layout.name) |
      (1 << layout.month) |
      (layout.identifier >= 0 ? 1 << layout.identifier : 0);
    const holderCells = [
      layout.account,
      layout.name,
      ...(layout.identifier >= 0 ? [layout.identifier] : []),
    ];
    this.spanFirst = Math.min(...holderCells);
    this.spanLast = Math.max(...holderCells);
  }

  /** The start and end of cell `i` of the line just read. */
  cellStart(i: number) {
    return this.starts[i];
  }

  cellEnd(i: number) {
    return this.ends[i];
  }

  /**
   * Reads the line that starts at `start` (up to its newline, or `limit`). Answers {@link FAST} or
   * {@link SLOW}; throws {@link NotFast} at a quote.
   */
  read(buf: Buffer, start: number, limit: number): number {
    this.starts[0] = start;
    return this.scan(buf, start, start, 0, limit, true);
  }

  /**
   * Whether lines may be read by {@link readKnown}: the holder cells are the line's first cells, and
   * the month and quantity come after them.
   */
  get knowsSpans(): boolean {
    return (
      this.spanFirst === 0 &&
      this.layout.month > this.spanLast &&
      this.layout.quantity > this.spanLast
    );
  }

  /**
   * Reads the line at `start` if it begins with the holder cells of a line read before (`known`, a handle
   * from {@link keepSpan}) and a comma: those cells are then the same, and were checked when that line was
   * read, so only the rest of the line is scanned. Answers {@link FAST}, {@link SLOW} or
   * {@link MISSED} (the line begins otherwise: read it with {@link read}). Only when {@link knowsSpans}.
   */
  readKnown(buf: Buffer, start: number, limit: number, known: number): number {
    const { spans, spanCells } = this;
    const stride = (this.spanLast + 2) * 2;
    const at = known * stride;
    const s0 = spanCells[at];
    const n = spanCells[at + 1];
    if (start + n >= limit || buf[start + n] !== COMMA) return MISSED;
    if (buf !== this.viewed) {
      this.viewed = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    // four bytes at a time (DataView reads at any offset), then the rest
    const { view, spansView } = this;
    let k = 0;
    for (; k + 4 <= n; k += 4)
      if (view.getInt32(start + k) !== spansView.getInt32(s0 + k)) return MISSED;
    for (; k < n; k++) if (buf[start + k] !== spans[s0 + k]) return MISSED;
    const { starts, ends } = this;
    for (let c = 0, j = at + 2; c <= this.spanLast; c++, j += 2) {
      starts[c] = start + spanCells[j];
      ends[c] = start + spanCells[j + 1];
    }
    const next = this.spanLast + 1;
    starts[next] = start + n + 1;
    return this.scan(buf, start, start + n + 1, next, limit, false);
  }

  /**
   * The handle of the holder cells of the line just read (after {@link FAST}) if lines with the same
   * cells were kept ({@link keepSpan}), else -1: found by their hash, and their bytes compared.
   */
  findSpan(buf: Buffer): number {
    const h0 = this.holderStart;
    const n = this.holderEnd - h0;
    const hash = this.holderHash;
    const { slots, spanHashes, spanCells, spans } = this;
    const stride = (this.spanLast + 2) * 2;
    const mask = slots.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const handle = slots[i];
      if (handle < 0) return -1;
      if (spanHashes[handle] !== hash || spanCells[handle * stride + 1] !== n) continue;
      const s0 = spanCells[handle * stride];
      let k = 0;
      while (k < n && spans[s0 + k] === buf[h0 + k]) k += 1;
      if (k === n) return handle;
    }
  }

  /**
   * Keeps the holder cells of the line just read (after {@link FAST}), for {@link findSpan} and
   * {@link readKnown}: their bytes, each cell's start and end within them and their hash, in growing
   * typed arrays (not an object each: tens of thousands of small objects cost the garbage collector
   * more than the reading saves). Returns their handle: 0, 1, 2… in the order they were kept.
   */
  keepSpan(buf: Buffer): number {
    const h0 = this.holderStart;
    const n = this.holderEnd - h0;
    const stride = (this.spanLast + 2) * 2;
    const handle = this.spanCount++;
    if (this.spansUsed + n > this.spans.length) {
      this.spans = grown(this.spans, this.spansUsed + n);
      this.spansView = new DataView(this.spans.buffer);
    }
    if ((handle + 1) * stride > this.spanCells.length)
      this.spanCells = grown(this.spanCells, (handle + 1) * stride);
    if (handle >= this.spanHashes.length) this.spanHashes = grown(this.spanHashes, handle + 1);
    const { spanCells } = this;
    const at = handle * stride;
    spanCells[at] = this.spansUsed;
    spanCells[at + 1] = n;
    for (let c = 0, j = at + 2; c <= this.spanLast; c++, j += 2) {
      spanCells[j] = this.starts[c] - h0;
      spanCells[j + 1] = this.ends[c] - h0;
    }
    this.spans.set(buf.subarray(h0, this.holderEnd), this.spansUsed);
    this.spansUsed += n;
    this.spanHashes[handle] = this.holderHash;
    if (this.spanCount * 2 > this.slots.length) {
      // a bigger table, every handle placed again
      this.slots = new Int32Array(this.slots.length * 2).fill(-1);
      for (let h = 0; h < handle; h++) this.place(h);
    }
    this.place(handle);
    return handle;
  }

  private place(handle: number) {
    const mask = this.slots.length - 1;
    let i = this.spanHashes[handle] & mask;
    while (this.slots[i] >= 0) i = (i + 1) & mask;
    this.slots[i] = handle;
  }

  /**
   * Scans from `from` (cell `cell` starts there; the cells before it are set and plain) to the line's
   * end, then checks the cells the fast reading takes; `hash`: the holder cells' hash is wanted.
   */
  private scan(
    buf: Buffer,
    start: number,
    from: number,
    cell: number,
    limit: number,
    hash: boolean,
  ): number {
    const { starts, ends } = this;
    const cells = this.layout.cells;
    /** a bit per cell that holds a special byte */
    let special = 0;
    let tooMany = cells > MAX_CELLS;
    let i = from;
    for (; i < limit; i++) {
      const kind = BYTE_CLASS[buf[i]];
      if (kind === 0) continue;
      if (kind === SPECIAL_BYTE) special |= 1 << cell;
      else if (kind === COMMA_BYTE) {
        ends[cell] = i;
        if (++cell >= cells) {
          tooMany = true;
          cell = cells - 1;
        }
        starts[cell] = i + 1;
      } else if (kind === NEWLINE_BYTE) break;
      else throw new NotFast();
    }
    this.next = i + 1;
    let end = i;
    if (end > start && buf[end - 1] === CR) {
      end -= 1;
      // the CR was taken for a special byte of the last cell
      special &= ~(1 << cell);
      for (let j = starts[cell]; j < end; j++)
        if (BYTE_CLASS[buf[j]] === SPECIAL_BYTE) special |= 1 << cell;
    }
    this.lineEnd = end;
    ends[cell] = end;
    if (tooMany || cell !== cells - 1) return SLOW;
    const { layout } = this;
    // Every cell but the holder's identifier and name and the month (parsed as cells) must be plain:
    // no trimming, decoding or escaping.
    if ((special & ~this.specialAllowed) !== 0) return SLOW;
    const a0 = starts[layout.account];
    const a1 = ends[layout.account];
    if (a1 === a0) return SLOW;
    const month = this.readMonth(buf, starts[layout.month], ends[layout.month]);
    if (month === null) return SLOW;
    const q0 = starts[layout.quantity];
    const q1 = ends[layout.quantity];
    if (!isCanonicalQuantity(buf, q0, q1)) return SLOW;
    this.accountStart = a0;
    this.accountEnd = a1;
    this.quantityStart = q0;
    this.quantityEnd = q1;
    this.month = month;
    const h0 = starts[this.spanFirst];
    const h1 = ends[this.spanLast];
    this.holderStart = h0;
    this.holderEnd = h1;
    if (hash) {
      let h = 0x811c9dc5;
      for (let k = h0; k < h1; k++) h = Math.imul(h ^ buf[k], 0x01000193);
      this.holderHash = h;
    }
    return FAST;
  }

  /**
   * The month cell `buf[s, e)` as the general reader reads it (trimmed, then parsers.ts parseMonth):
   * `2024-03` → `2024-03-01`; null where that fails (the general reader quarantines the row). A file
   * writes its months a few ways only: each distinct cell is parsed once and found again by its bytes.
   */
  private readMonth(buf: Buffer, s: number, e: number): string | null {
    if (e === s || e - s > MONTH_CELL_MAX) return null;
    let h = 0x811c9dc5;
    for (let k = s; k < e; k++) h = Math.imul(h ^ buf[k], 0x01000193);
    let known = this.months.get(h);
    if (known === undefined || !sameBytes(buf, s, e, known.bytes)) {
      const text = monthOrNull(trimCell(buf.toString('utf8', s, e)));
      known = {
        bytes: buf.toString('latin1', s, e),
        text,
        day: text === null ? 0 : dayOfIsoDate(text),
      };
      // (a hash shared by two cells: the later one is kept)
      if (this.months.size < MONTH_CELLS_KEPT) this.months.set(h, known);
    }
    this.monthDay = known.day;
    return known.text;
  }
}

/** Whether `buf[s, e)` holds the bytes of `latin1` (one character a byte). */
function sameBytes(buf: Uint8Array, s: number, e: number, latin1: string): boolean {
  if (latin1.length !== e - s) return false;
  for (let k = 0; k < latin1.length; k++) if (buf[s + k] !== latin1.charCodeAt(k)) return false;
  return true;
}

/**
 * parsers.ts CANONICAL_QUANTITY over bytes: `0` or up to QUANTITY_DIGITS digits without a leading
 * zero, then up to QUANTITY_DECIMALS decimals.
 */
function isCanonicalQuantity(buf: Uint8Array, s: number, e: number): boolean {
  if (e === s) return false;
  let k = s;
  if (buf[k] === ZERO) k += 1;
  else {
    const digits = k;
    while (k < e && isDigit(buf[k])) k += 1;
    if (k === digits || k - digits > QUANTITY_DIGITS) return false;
  }
  if (k === e) return true;
  if (buf[k] !== DOT) return false;
  const decimals = e - k - 1;
  if (decimals < 1 || decimals > QUANTITY_DECIMALS) return false;
  for (k += 1; k < e; k++) if (!isDigit(buf[k])) return false;
  return true;
}
