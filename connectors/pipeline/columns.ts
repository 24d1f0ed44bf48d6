import { normaliseName, trimCell } from '../../lib/names.js';
import { classifyIdentifier } from '../common/uscc.js';
import { BadHeaderError, MissingColumnError } from './errors.js';
import {
  CellError,
  parseCount,
  parseDate,
  parseMoney,
  parseMonth,
  parseQuantity,
  parseYear,
  parseYesNo,
} from './parsers.js';

/** A column of a source file, found in the header by its Chinese name. */
export interface ColumnDef {
  /** the name the source module uses */
  key: string;
  /** the header as docs/sources.md lists it, e.g. `实缴金额(元)`, `注册资本(万元)` */
  header: string;
  /** the file is refused when the header lacks this column */
  required?: boolean;
  /**
   * A money column: the header may say 元 or 万元 (`营业收入(万元)`), with or without a qualifier
   * (`设备投资(元,不含税)`); values of a 万元 column are multiplied by 10000.
   */
  money?: boolean;
}

/** Header text as compared: NFKC (full-width brackets and commas fold), no white space. */
export const normaliseHeader = (header: string) =>
  trimCell(header)
    .normalize('NFKC')
    .replace(/[\s\u3000]+/g, '')
    .replace(/[【［]/g, '(')
    .replace(/[】］]/g, ')');

const baseOf = (header: string) => normaliseHeader(header).replace(/\(.*\)$/, '');

/** Where each known column sits in a file, and the unit of its money columns. */
export interface ColumnMap {
  index: Map<string, number>;
  /** 1 for 元, 10000 for 万元 */
  scale: Map<string, 1 | 10000>;
  header: Map<string, string>;
  /** headers of the file not used by the source (ignored) */
  ignored: string[];
}

const unitScale = (unit: string): 1 | 10000 => (unit === '万元' ? 10000 : 1);

function matchColumn(column: ColumnDef, header: string): { scale: 1 | 10000 } | null {
  if (!column.money)
    return header === normaliseHeader(column.header) || header === baseOf(column.header)
      ? { scale: 1 }
      : null;
  const base = baseOf(column.header);
  // A header without its unit means the unit docs/sources.md gives for the column.
  if (header === base)
    return {
      scale: unitScale(
        /^\((万元|元)/.exec(normaliseHeader(column.header).slice(base.length))?.[1] ?? '元',
      ),
    };
  if (!header.startsWith(`${base}(`) || !header.endsWith(')')) return null;
  const unit = /^(万元|元)([,;、].*)?$/.exec(header.slice(base.length + 1, -1));
  return unit ? { scale: unitScale(unit[1]) } : null;
}

/**
 * Maps a header row onto a source's columns by name: unknown columns are ignored, order does not
 * matter. Throws {@link MissingColumnError} naming every required column that is absent.
 */
export function mapHeader(
  columns: readonly ColumnDef[],
  headerCells: string[],
  fileName: string,
  source: string,
): ColumnMap {
  const headers = headerCells.map(normaliseHeader);
  const map: ColumnMap = {
    index: new Map(),
    scale: new Map(),
    header: new Map(columns.map((c) => [c.key, c.header])),
    ignored: [],
  };
  headers.forEach((header, index) => {
    if (!header) return;
    const column = columns.find((c) => matchColumn(c, header));
    if (!column) {
      map.ignored.push(headerCells[index]);
      return;
    }
    if (map.index.has(column.key)) {
      throw new BadHeaderError(
        `${fileName}：表头中「${column.header}」列出现了两次（第 ${map.index.get(column.key)! + 1} 列和第 ${index + 1} 列），未导入任何数据`,
      );
    }
    map.index.set(column.key, index);
    map.scale.set(column.key, matchColumn(column, header)!.scale);
    map.header.set(column.key, trimCell(headerCells[index]));
  });
  const missing = columns.filter((c) => c.required && !map.index.has(c.key)).map((c) => c.header);
  if (missing.length > 0) throw new MissingColumnError(fileName, source, missing);
  return map;
}

const MEMO_LIMIT = 100_000;
/** Parties remembered per identifier (each with another name cell or party side). */
const MAX_VARIANTS = 16;
/** An identifier already in the form resolution compares (the common case): no folding needed. */
const CANONICAL_IDENTIFIER = /^[0-9A-Z]{15,18}$/;

/**
 * A copy of a string that does not hold on to the text it was cut from. A cell is a slice of the
 * megabyte of file text it was read from; kept as a memo key it would keep all of that text alive.
 */
export const detach = (text: string): string => ` ${text}`.slice(1);

/**
 * What a file's rows share: names already normalised, identifiers already found valid, parties
 * already read (by identifier cell, or name cell when there is none; handed back as the same
 * object), months.
 */
export interface RowMemo {
  names: Map<string, string>;
  validIdentifiers: Set<string>;
  parties?: { byIdentifier: Map<string, KnownParty[]>; byName: Map<string, KnownParty[]> };
  months?: Map<string, string>;
}

/** Which side of a record an enterprise is on: '' for single-party records, lessor/lessee for leases. */
export type Party = '' | 'lessor' | 'lessee';

/** What a record says about one enterprise: the identifier and name as delivered, and their matching forms. */
export interface PartyInput {
  party: Party;
  /** the identifier as delivered (trimmed), or null */
  rawIdentifier: string | null;
  /** the name as delivered (trimmed), or null */
  rawName: string | null;
  /** the identifier upper-cased with full-width letters folded ('' when none): a USCC or a legacy tax number */
  ident: string;
  /** normalised name ('' when none) */
  nameNorm: string;
  /**
   * The loader's own use, for the length of one load: the party's columns as the loader writes them
   * (a remembered party is the same object on every row with the same cells, so this is done once).
   */
  written?: { bytes: Uint8Array; matched: boolean };
}

/** A party as remembered in {@link RowMemo}: with the identifier and name cells it was read from. */
interface KnownParty extends PartyInput {
  cells: [identifier: string, name: string];
}

/**
 * One data row seen through a column map: typed getters that trim every cell (U+3000 included) and
 * record every problem in `reasons` instead of stopping at the first, so that a quarantined row
 * carries all of them.
 */
export class RowView {
  readonly reasons: string[] = [];

  /** `memo` remembers work across the rows of one file (optional). */
  constructor(
    private readonly map: ColumnMap,
    private readonly cells: string[],
    private readonly memo?: RowMemo,
  ) {}

  private normalise(name: string): string {
    let norm = this.memo?.names.get(name);
    if (norm === undefined) {
      norm = normaliseName(name);
      if (this.memo) {
        if (this.memo.names.size >= MEMO_LIMIT) this.memo.names.clear();
        this.memo.names.set(detach(name), norm);
      }
    }
    return norm;
  }

  private headerOf(key: string) {
    return this.map.header.get(key) ?? key;
  }

  /** The trimmed cell ('' when the column is absent or the cell empty). */
  text(key: string): string {
    const index = this.map.index.get(key);
    return index === undefined ? '' : trimCell(this.cells[index] ?? '');
  }

  /** The trimmed cell, or null when empty. */
  optional(key: string): string | null {
    return this.text(key) || null;
  }

  /** The trimmed cell; an empty cell is a reason. */
  required(key: string): string | null {
    const value = this.text(key);
    if (!value) this.reasons.push(`${this.headerOf(key)}为空`);
    return value || null;
  }

  private parsed<T>(key: string, required: boolean, parse: (cell: string) => T): T | null {
    const cell = required ? this.required(key) : this.optional(key);
    if (cell === null) return null;
    try {
      return parse(cell);
    } catch (error) {
      if (!(error instanceof CellError)) throw error;
      this.reasons.push(`${this.headerOf(key)}: ${error.message}`);
      return null;
    }
  }

  /** 元 as an exact decimal string (×10000 when the header says 万元). */
  money(key: string, required = false): string | null {
    return this.parsed(key, required, (cell) => parseMoney(cell, this.map.scale.get(key) ?? 1));
  }

  /** m², kWh: a non-negative exact decimal. */
  quantity(key: string, required = false): string | null {
    return this.parsed(key, required, (cell) => parseQuantity(cell));
  }

  date(key: string, required = false): string | null {
    return this.parsed(key, required, parseDate);
  }

  /** The first day of the month. */
  month(key: string, required = false): string | null {
    const months = this.memo?.months;
    if (!months) return this.parsed(key, required, parseMonth);
    return this.parsed(key, required, (cell) => {
      let month = months.get(cell);
      if (month === undefined) {
        month = parseMonth(cell);
        if (months.size >= MEMO_LIMIT) months.clear();
        months.set(detach(cell), month);
      }
      return month;
    });
  }

  year(key: string, required = false): number | null {
    return this.parsed(key, required, parseYear);
  }

  count(key: string, required = false): number | null {
    return this.parsed(key, required, parseCount);
  }

  yesNo(key: string, required = false): boolean | null {
    return this.parsed(key, required, parseYesNo);
  }

  /**
   * The enterprise a record names: an identifier that is neither a valid USCC nor a legacy tax number
   * is a reason (never guessed at); a party with neither identifier nor name cannot be linked.
   */
  party(identKey: string, nameKey: string, party: Party = ''): PartyInput {
    const parties = this.memo?.parties;
    if (!parties) return this.readParty(identKey, nameKey, party);
    const identIndex = this.map.index.get(identKey);
    const nameIndex = this.map.index.get(nameKey);
    const identCell = identIndex === undefined ? '' : (this.cells[identIndex] ?? '');
    const nameCell = nameIndex === undefined ? '' : (this.cells[nameIndex] ?? '');
    // One look-up: by the identifier cell (one identifier comes with a few names: the holder's
    // accounts are named differently), else by the name cell.
    const byCell = identCell ? parties.byIdentifier : parties.byName;
    const variants = byCell.get(identCell || nameCell);
    if (variants !== undefined) {
      for (let i = 0; i < variants.length; i++) {
        const known = variants[i];
        if (known.party === party && known.cells[0] === identCell && known.cells[1] === nameCell)
          return known;
      }
    }
    const reasons = this.reasons.length;
    const read = this.readParty(identKey, nameKey, party);
    if (this.reasons.length > reasons) return read; // a problem is a reason of every row that has it: not remembered
    // Detached: a remembered party must not keep the file text its cells were cut from.
    const kept: KnownParty = {
      party,
      rawIdentifier: read.rawIdentifier === null ? null : detach(read.rawIdentifier),
      rawName: read.rawName === null ? null : detach(read.rawName),
      ident: detach(read.ident),
      nameNorm: read.nameNorm,
      cells: [detach(identCell), detach(nameCell)],
      written: undefined,
    };
    if (variants === undefined) {
      if (byCell.size >= MEMO_LIMIT) byCell.clear();
      byCell.set(kept.cells[identCell ? 0 : 1], [kept]);
    } else if (variants.length < MAX_VARIANTS) variants.push(kept);
    else variants[variants.length - 1] = kept;
    return kept;
  }

  private readParty(identKey: string, nameKey: string, party: Party): PartyInput {
    const rawIdentifier = this.optional(identKey);
    const rawName = this.optional(nameKey);
    const ident = !rawIdentifier
      ? ''
      : CANONICAL_IDENTIFIER.test(rawIdentifier)
        ? rawIdentifier
        : rawIdentifier.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
    if (rawIdentifier && rawIdentifier.length > 32) {
      this.reasons.push(
        `${this.headerOf(identKey)} "${rawIdentifier}" 超过任何代码的长度（最多 32 个字符）`,
      );
    } else if (ident && !this.memo?.validIdentifiers.has(ident)) {
      const { kind, problem } = classifyIdentifier(ident);
      if (kind === 'invalid')
        this.reasons.push(`${this.headerOf(identKey)}：${problem}；不按猜测关联企业`);
      else if (this.memo) {
        if (this.memo.validIdentifiers.size >= MEMO_LIMIT) this.memo.validIdentifiers.clear();
        this.memo.validIdentifiers.add(detach(ident)); // not checked again on the account's next row
      }
    } else if (!rawName) {
      this.reasons.push(
        `${this.headerOf(identKey)}与${this.headerOf(nameKey)}都为空：记录没有指明企业`,
      );
    }
    return {
      party,
      rawIdentifier,
      rawName,
      ident,
      nameNorm: rawName ? this.normalise(rawName) : '',
    };
  }
}
