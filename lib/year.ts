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
    throw new UserInputError(
      `year must be a whole number between ${MIN_YEAR} and ${MAX_YEAR}, got ${year}`,
    );
  return year;
}
