/**
 * Cell parsers for the value formats of docs/sources.md ("Common rules for every file"). Each takes a
 * trimmed cell and returns the canonical text PostgreSQL stores (exact decimal strings, ISO dates),
 * or throws a `CellError` whose message says what was wrong in words a department clerk can act on.
 * Decimals stay strings from end to end: never a JavaScript float.
 */

export class CellError extends Error {}

const DIGITS = /^[0-9]+$/;
/** The common case, taken without any folding: 1234, -85000.00. */
const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/** Folds full-width digits, signs and separators (０-９, －, ，, ．) to ASCII. */
function asciiNumber(text: string): string {
  return text.normalize('NFKC').replace(/[\s\u3000]/g, '');
}

/**
 * Multiplies a plain decimal string by 10^places by moving the point (exact, no float).
 * `shiftDecimal('12.345', 4)` → `'123450'`.
 */
export function shiftDecimal(decimal: string, places: number): string {
  const negative = decimal.startsWith('-');
  const body = negative ? decimal.slice(1) : decimal;
  const [whole, fraction = ''] = body.split('.');
  const padded = fraction.padEnd(places, '0');
  const intPart = (whole + padded.slice(0, places)).replace(/^0+(?=\d)/, '');
  const rest = padded.slice(places).replace(/0+$/, '');
  const out = rest ? `${intPart}.${rest}` : intPart;
  return negative && /[1-9]/.test(out) ? `-${out}` : out;
}

const integerDigits = (decimal: string) => decimal.replace(/^-/, '').split('.')[0].length;

/** Decimal places of a plain decimal string. */
const scaleOf = (decimal: string) => (decimal.includes('.') ? decimal.split('.')[1].length : 0);

/**
 * A plain decimal from department notation: optional ¥/￥, thousands separators in groups of three
 * (`1,234,567.89`), and a minus sign before or after the number or the ¥ (`-1,234.00`, `¥-85,000.00`,
 * `1,234.00-`). Returns e.g. `'-1234.00'`.
 */
export function parseDecimalText(cell: string): string {
  if (PLAIN_DECIMAL.test(cell)) {
    const plain = cell.replace(/^(-?)0+(?=\d)/, '$1');
    return plain.startsWith('-') && !/[1-9]/.test(plain) ? plain.slice(1) : plain;
  }
  let text = asciiNumber(cell).replace(/[¥￥]/g, '').replace(/元$/, '');
  let negative = false;
  if (text.startsWith('-')) {
    negative = true;
    text = text.slice(1);
  } else if (text.endsWith('-')) {
    negative = true;
    text = text.slice(0, -1);
  }
  if (!/^(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(text) && !/^\.\d+$/.test(text)) {
    throw new CellError(`"${cell}" 不是金额（应写作 1,234,567.89、¥-85,000.00 或 1234.00- 这样）`);
  }
  const plain = text.replace(/,/g, '').replace(/^\./, '0.');
  const trimmed = plain.replace(/^0+(?=\d)/, '');
  return negative && /[1-9]/.test(trimmed) ? `-${trimmed}` : trimmed;
}

/**
 * Money in 元 (yuan) as an exact decimal string with at most 2 decimals. `unitScale` is 10000 for
 * columns whose header says 万元. More than two decimals (after scaling) is refused, not rounded.
 */
export function parseMoney(cell: string, unitScale: 1 | 10000 = 1): string {
  const decimal = parseDecimalText(cell);
  const yuan = unitScale === 10000 ? shiftDecimal(decimal, 4) : decimal;
  if (scaleOf(yuan) > 2) throw new CellError(`"${cell}" 的元超过两位小数（金额到分为止）`);
  if (integerDigits(yuan) > 18) throw new CellError(`"${cell}" 超出金额的位数上限`);
  return yuan;
}

/** The most integer digits of a quantity (numeric(16,2) columns: m², kWh). */
export const QUANTITY_DIGITS = 14;
/** The most decimals of a quantity. */
export const QUANTITY_DECIMALS = 2;

/**
 * A quantity already in canonical form (no leading zero, at most {@link QUANTITY_DIGITS} digits and
 * {@link QUANTITY_DECIMALS} decimals): taken as it is. The fast reading of power files recognises the
 * same form byte by byte (connectors/power/fast-lines.ts), with these constants.
 */
const CANONICAL_QUANTITY = new RegExp(
  `^(?:0|[1-9]\\d{0,${QUANTITY_DIGITS - 1}})(?:\\.\\d{1,${QUANTITY_DECIMALS}})?$`,
);

/** A non-negative quantity (m², kWh) as an exact decimal with at most `maxScale` decimals. */
export function parseQuantity(cell: string, maxScale = QUANTITY_DECIMALS): string {
  if (maxScale >= QUANTITY_DECIMALS && CANONICAL_QUANTITY.test(cell)) return cell;
  const decimal = parseDecimalText(cell);
  if (decimal.startsWith('-')) throw new CellError(`"${cell}" 为负数，此处不能为负`);
  if (scaleOf(decimal) > maxScale) throw new CellError(`"${cell}" 超过 ${maxScale} 位小数`);
  if (integerDigits(decimal) > QUANTITY_DIGITS) throw new CellError(`"${cell}" 超出位数上限`);
  return decimal;
}

/** A whole number ≥ 0 (年平均从业人数). */
export function parseCount(cell: string): number {
  const text = asciiNumber(cell).replace(/,/g, '').replace(/\.0+$/, '');
  if (!DIGITS.test(text) || text.length > 9) throw new CellError(`"${cell}" 不是整数`);
  return Number(text);
}

/** A year such as 2024 (also 2024年). */
export function parseYear(cell: string): number {
  const text = asciiNumber(cell).replace(/年$/, '').replace(/\.0+$/, '');
  if (!/^\d{4}$/.test(text)) throw new CellError(`"${cell}" 不是年份（应写作 2024 这样）`);
  const year = Number(text);
  if (year < 1900 || year > 2200) throw new CellError(`年份 ${year} 超出范围（1900–2200）`);
  return year;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isoDate(year: number, month: number, day: number, cell: string): string {
  if (year < 1900 || year > 2200)
    throw new CellError(`"${cell}"：年份 ${year} 超出范围（1900–2200）`);
  if (month < 1 || month > 12) throw new CellError(`"${cell}"：没有 ${month} 月`);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const last = month === 2 ? (leap ? 29 : 28) : DAYS_IN_MONTH[month - 1];
  if (day < 1 || day > last) throw new CellError(`"${cell}"：${year} 年 ${month} 月没有 ${day} 日`);
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** The day an Excel serial date names (days from 1899-12-30), for a message only. */
function fromExcelSerial(serial: number): string {
  const d = new Date(Date.UTC(1899, 11, 30) + Math.floor(serial) * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** A plain number of five digits: what a spreadsheet shows for a date cell that lost its date format. */
const SERIAL_LIKE = /^\d{5}(\.\d+)?$/;

/**
 * A date in any of `2024-03-05`, `2024/3/5`, `2024年3月5日`, `20240305` (also `2024.3.5`) → `2024-03-05`.
 */
export function parseDate(cell: string): string {
  const text = asciiNumber(cell);
  let m =
    /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text) ??
    /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/.exec(text);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (m) return isoDate(Number(m[1]), Number(m[2]), Number(m[3]), cell);
  // An ISO timestamp (an xlsx date cell rendered by the reader) keeps its date part.
  const ts = /^(\d{4})-(\d{2})-(\d{2})T00:00:00(\.000)?Z$/.exec(text);
  if (ts) return isoDate(Number(ts[1]), Number(ts[2]), Number(ts[3]), cell);
  // Not one of the date formats a department writes: a number is never read as a date by guesswork.
  if (SERIAL_LIKE.test(text))
    throw new CellError(
      `"${cell}" 是数字，不是日期；若它是 Excel 的日期序列号，则是 ${fromExcelSerial(Number(text))}，` +
        '但文件没有这样说明，未按猜测入库：请把该列设为日期格式，或写成 2024-03-05 这样的日期后重新导出',
    );
  throw new CellError(
    `"${cell}" 不是日期（应写作 2024-03-05、2024/3/5、2024年3月5日 或 20240305）`,
  );
}

/** A month in any of `2024-03`, `202403`, `2024年3月`, `2024/03` (also `2024-3`) → `2024-03-01`. */
export function parseMonth(cell: string): string {
  const plain = /^(\d{4})-(\d{2})$/.exec(cell);
  if (plain) return isoDate(Number(plain[1]), Number(plain[2]), 1, cell);
  const text = asciiNumber(cell);
  const m =
    /^(\d{4})[-/.](\d{1,2})$/.exec(text) ??
    /^(\d{4})年(\d{1,2})月?$/.exec(text) ??
    /^(\d{4})(\d{2})$/.exec(text);
  if (m) return isoDate(Number(m[1]), Number(m[2]), 1, cell);
  try {
    // A full date (or an xlsx date cell) names its month.
    return `${parseDate(cell).slice(0, 7)}-01`;
  } catch {
    throw new CellError(`"${cell}" 不是月份（应写作 2024-03、202403、2024年3月 或 2024/03）`);
  }
}

/** {@link parseMonth}, or null where it throws a {@link CellError}. */
export function monthOrNull(cell: string): string | null {
  try {
    return parseMonth(cell);
  } catch (error) {
    if (error instanceof CellError) return null;
    throw error;
  }
}

/** 是 / 否 (also Y/N, true/false, 1/0). */
export function parseYesNo(cell: string): boolean {
  const text = asciiNumber(cell).toLowerCase();
  if (['是', 'y', 'yes', 'true', '1'].includes(text)) return true;
  if (['否', 'n', 'no', 'false', '0'].includes(text)) return false;
  throw new CellError(`"${cell}" 既不是「是」也不是「否」`);
}
