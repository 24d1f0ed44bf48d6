/**
 * The ways department exports are messy (docs/sources.md, "Common rules"): four date formats, four
 * month formats, money with thousands separators, ¥ and a minus before or after, stray half-
 * and full-width (U+3000) spaces. Each file has a profile of how often each variation occurs.
 */
import { civil, type Day, pad2 } from './calendar.js';
import type { Rng } from './random.js';

export type DateStyle = 'iso' | 'slash' | 'cn' | 'compact';
export type MonthStyle = 'iso' | 'compact' | 'cn' | 'slash';
export type MoneyStyle = 'plain' | 'grouped' | 'yen' | 'integer';

/** `2024-03-05`, `2024/3/5`, `2024年3月5日` or `20240305`. */
export function formatDate(day: Day, style: DateStyle): string {
  const [y, m, d] = civil(day);
  switch (style) {
    case 'iso':
      return `${y}-${pad2(m)}-${pad2(d)}`;
    case 'slash':
      return `${y}/${m}/${d}`;
    case 'cn':
      return `${y}年${m}月${d}日`;
    case 'compact':
      return `${y}${pad2(m)}${pad2(d)}`;
  }
}

/** `2024-03`, `202403`, `2024年3月` or `2024/03`. */
export function formatMonth(y: number, m: number, style: MonthStyle): string {
  switch (style) {
    case 'iso':
      return `${y}-${pad2(m)}`;
    case 'compact':
      return `${y}${pad2(m)}`;
    case 'cn':
      return `${y}年${m}月`;
    case 'slash':
      return `${y}/${pad2(m)}`;
  }
}

function group(digits: string): string {
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return out;
}

/**
 * Formats an amount of yuan (rounded to fen). `minusAfter` puts the sign behind the number
 * (`1,234.00-`), as some bank-derived exports do; `¥` always precedes the sign (`¥-85,000.00`).
 */
export function formatMoney(yuan: number, style: MoneyStyle, minusAfter = false): string {
  const fen = Math.round(Math.abs(yuan) * 100);
  const negative = yuan < 0 && fen !== 0;
  const whole = Math.floor(fen / 100).toString();
  const cents = fen % 100;
  let body: string;
  if (style === 'integer' && cents === 0) body = whole;
  else if (style === 'plain' || style === 'integer') body = `${whole}.${pad2(cents)}`;
  else body = `${group(whole)}.${pad2(cents)}`;
  if (!negative) return style === 'yen' ? `¥${body}` : body;
  if (style === 'yen') return `¥-${body}`;
  return minusAfter ? `${body}-` : `-${body}`;
}

/** How often a file shows each variation; weights need not sum to 1. */
export interface MessProfile {
  dates: ReadonlyArray<readonly [DateStyle, number]>;
  months: ReadonlyArray<readonly [MonthStyle, number]>;
  money: ReadonlyArray<readonly [MoneyStyle, number]>;
  /** share of negative amounts written with the minus behind */
  minusAfter: number;
  /** share of text cells with a stray leading/trailing space */
  stray: number;
}

/** Weighted choice with the cumulative weights computed once (this runs for millions of cells). */
class Choice<T> {
  private readonly values: T[];
  private readonly cumulative: number[];

  constructor(items: ReadonlyArray<readonly [T, number]>) {
    this.values = items.map(([v]) => v);
    let total = 0;
    this.cumulative = items.map(([, w]) => (total += w));
    this.cumulative = this.cumulative.map((c) => c / total);
  }

  draw(rng: Rng): T {
    const r = rng.next();
    for (let i = 0; i < this.cumulative.length - 1; i++)
      if (r < this.cumulative[i]) return this.values[i];
    return this.values[this.values.length - 1];
  }
}

/** A file's messiness: draws the variation of each cell from the file's own stream. */
export class Mess {
  private readonly dates: Choice<DateStyle>;
  private readonly months: Choice<MonthStyle>;
  private readonly monies: Choice<MoneyStyle>;

  constructor(
    readonly rng: Rng,
    readonly profile: MessProfile,
  ) {
    this.dates = new Choice(profile.dates);
    this.months = new Choice(profile.months);
    this.monies = new Choice(profile.money);
  }

  date(day: Day): string {
    return formatDate(day, this.dates.draw(this.rng));
  }

  month(y: number, m: number): string {
    return formatMonth(y, m, this.months.draw(this.rng));
  }

  money(yuan: number): string {
    const style = this.monies.draw(this.rng);
    return formatMoney(yuan, style, yuan < 0 && this.rng.chance(this.profile.minusAfter));
  }

  /** A text cell, now and then with a half- or full-width space before or after it. */
  text(value: string): string {
    if (!value || !this.rng.chance(this.profile.stray)) return value;
    switch (this.rng.int(0, 3)) {
      case 0:
        return ` ${value}`;
      case 1:
        return `${value} `;
      case 2:
        return `\u3000${value}`;
      default:
        return `${value}\u3000 `;
    }
  }
}

/** A date that no parser should accept (a deliberately invalid row). */
export function unparseableDate(rng: Rng): string {
  return rng.pick(['2023-02-30', '2024/13/5', '2022年14月3日', '不详', '20231345', '2024-6-31']);
}

/** A month that no parser should accept. */
export function unparseableMonth(rng: Rng): string {
  return rng.pick(['2023-13', '202300', '2024年13月', '2022/00', '待核']);
}
