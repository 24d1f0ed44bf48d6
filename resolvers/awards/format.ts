/**
 * Dates, money and the wording shared by every award rule: the reasons are read by a
 * department clerk against the policy text, so figures are printed as the clerk's
 * spreadsheets print them (thousands separators, two decimals, 元).
 */

import { UserInputError } from '../../lib/errors.js';
import { toFen } from '../../lib/money.js';

/** Exact money (lib/money.ts), used by the award rules. */
export { fenToYuan, sumYuan, toFen } from '../../lib/money.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A policy's effective period (有效期), both ends included, as ISO dates. */
export interface Window {
  from: string;
  to: string;
}

/** Thrown for a question the engine cannot answer as asked (a bad date, an unknown award code). */
export class AwardInputError extends UserInputError {}

/** True for a real calendar date written YYYY-MM-DD (2023-02-30 is not one). */
export function isIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/** Throws AwardInputError unless `asOf` is a real YYYY-MM-DD date. */
export function assertAsOf(asOf: string): void {
  if (!isIsoDate(asOf))
    throw new AwardInputError(`查询日期 asOf 须写作 YYYY-MM-DD，收到 "${asOf}"`);
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** The same calendar day `years` later; 29 February becomes 28 February in a common year. */
export function addYears(iso: string, years: number): string {
  const [y, m, d] = iso.split('-').map(Number);
  const year = y + years;
  const day = m === 2 && d === 29 && !isLeap(year) ? 28 : d;
  return `${String(year).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The latest year Y whose 31 December is on or before `asOf` (its annual figures are closed). */
export function lastClosedYear(asOf: string): number {
  const year = Number(asOf.slice(0, 4));
  return asOf.endsWith('-12-31') ? year : year - 1;
}

const groupThousands = (digits: string) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** "612,345,678.00 元": a figure from the records, always with two decimals. */
export function yuanText(fen: bigint): string {
  const negative = fen < 0n;
  const abs = negative ? -fen : fen;
  const cents = String(abs % 100n).padStart(2, '0');
  return `${negative ? '-' : ''}${groupThousands(String(abs / 100n))}.${cents} 元`;
}

/** "500,000,000 元": a threshold or an award from the policy, decimals only when it has them. */
export function limitText(yuan: number): string {
  const fen = toFen(yuan);
  return fen % 100n === 0n ? `${groupThousands(String(fen / 100n))} 元` : yuanText(fen);
}

/** "10%" / "12.5%": a fraction printed as a percentage. */
export const percentText = (fraction: number): string => `${Number((fraction * 100).toFixed(4))}%`;

export const windowText = (window: Window): string => `政策有效期 ${window.from} 至 ${window.to}`;

/**
 * The rule every award shares: its event date lies inside the policy's window and on or
 * before the date of the question. Returns whether it does and the sentence saying so.
 */
export function checkEventDate(
  eventDate: string,
  window: Window,
  asOf: string,
  label = '事件日期',
): { ok: boolean; reason: string } {
  const said = `${label} ${eventDate}`;
  if (eventDate < window.from)
    return { ok: false, reason: `${said} 早于${windowText(window)}的起始日，不在有效期内` };
  if (eventDate > window.to)
    return { ok: false, reason: `${said} 晚于${windowText(window)}的截止日，不在有效期内` };
  if (eventDate > asOf)
    return { ok: false, reason: `${said} 在${windowText(window)}内，但晚于查询日期 ${asOf}` };
  return { ok: true, reason: `${said} 在${windowText(window)}内，且不晚于查询日期 ${asOf}` };
}

/** The last day an event may fall on to count as of `asOf`: the window's end or asOf, whichever is earlier. */
export const lastEventDay = (window: Window, asOf: string): string =>
  window.to < asOf ? window.to : asOf;

/** Folds full-width brackets: 国家首台（套） and 国家首台(套) name one 认定类型. */
export const foldType = (type: string): string =>
  type.trim().replace(/（/g, '(').replace(/）/g, ')');
