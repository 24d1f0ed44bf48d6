import { UserInputError } from './errors.js';

/** The first year the platform computes figures for. */
export const MIN_YEAR = 1990;
/** The last year the platform computes figures for. */
export const MAX_YEAR = 2100;

/**
 * Returns `year` when it is a whole number from MIN_YEAR to MAX_YEAR (年度, calendar year);
 * a {@link UserInputError} otherwise. Every layer checks a year this one way.
 */
export function checkYear(year: number): number {
  if (!Number.isInteger(year) || year < MIN_YEAR || year > MAX_YEAR)
    throw new UserInputError(`年份 year 须为 ${MIN_YEAR} 到 ${MAX_YEAR} 之间的整数，收到 ${year}`);
  return year;
}
