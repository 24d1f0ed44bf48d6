/**
 * Calendar arithmetic on day numbers (days since 1970-01-01), without Date objects: the
 * generator formats millions of dates and must not depend on the local time zone.
 */
export type Day = number;

/** The day number of a civil date (proleptic Gregorian; Howard Hinnant's days_from_civil). */
export function dayOf(y: number, m: number, d: number): Day {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The civil date of a day number: [year, month 1–12, day 1–31]. */
export function civil(day: Day): [number, number, number] {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp + (mp < 10 ? 3 : -9);
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

export const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** `YYYY-MM-DD`. */
export function iso(day: Day): string {
  const [y, m, d] = civil(day);
  return `${y}-${pad2(m)}-${pad2(d)}`;
}

/** Parses `YYYY-MM-DD` (for the generator's own constants). */
export function parseIso(text: string): Day {
  const [y, m, d] = text.split('-').map(Number);
  return dayOf(y, m, d);
}

export const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeap(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

/** The same calendar day n years later; 29 February becomes 28 February in a common year. */
export function addYears(day: Day, n: number): Day {
  const [y, m, d] = civil(day);
  return dayOf(y + n, m, Math.min(d, daysInMonth(y + n, m)));
}

export const yearOf = (day: Day): number => civil(day)[0];
