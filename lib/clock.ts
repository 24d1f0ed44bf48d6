/**
 * The platform's clock. Whether a year has ended depends on today, so that answer must be testable
 * on any day: tests set a fixed clock (`setClock`), everything else reads the system time.
 */

let clock: () => Date = () => new Date();

/** Replaces the clock (tests); `null` restores the system time. */
export function setClock(next: (() => Date) | null): void {
  clock = next ?? (() => new Date());
}

/** The current instant. */
export const now = (): Date => clock();

/** The county's time zone: a day ends at midnight in 汶上县, not in UTC. */
const COUNTY_TIME_ZONE = 'Asia/Shanghai';
const dayFormat = new Intl.DateTimeFormat('en-CA', {
  timeZone: COUNTY_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date in the county, YYYY-MM-DD. */
export const countyToday = (): string => dayFormat.format(now());
