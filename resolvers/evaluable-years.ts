import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { landLeases, landParcels } from '../db/land.js';
import { taxAnnual, taxPayments } from '../db/tax.js';
import { countyToday } from '../lib/clock.js';
import { UserInputError } from '../lib/errors.js';
import { MIN_YEAR } from '../lib/year.js';
import { dataVersion } from './data-version.js';
import { VersionedCache } from './versioned-cache.js';

/**
 * Which years may be evaluated (docs/evaluation-years.md) — the one place that decides it. A year Y
 * is evaluated only when it has ended (Y-12-31 is before today in the county) and its data is in: at
 * least one tax payment dated in Y and one annual return for Y are loaded. Any other year grades no
 * one, allocates nothing and breaks a run of D years.
 */
export interface YearStatus {
  year: number;
  evaluable: boolean;
  /** why the year is not evaluated (Chinese, one per missing condition); empty when it is */
  reasons: string[];
}

/** The years for which tax payments and annual returns are loaded. */
interface LoadedYears {
  payments: Set<number>;
  annualReturns: Set<number>;
  /** the first year a loaded parcel or lease begins in (land is in use from then on); null without land */
  landFirst: number | null;
}

/**
 * The years of the loaded tax payments (a skip scan over the index on the payment month: one index
 * probe per year, not a read of every payment) and of the annual returns, in one statement.
 */
async function readLoadedYears(database: Database): Promise<LoadedYears> {
  const [row] = await database.rows<{
    payments: number[] | null;
    annual: number[] | null;
    land_first: number | null;
  }>(sql`
    with recursive months(period) as (
      (select ${taxPayments.period} from ${taxPayments} order by ${taxPayments.period} limit 1)
      union all
      select (select ${taxPayments.period} from ${taxPayments}
              where ${taxPayments.period} >= make_date(extract(year from months.period)::int + 1, 1, 1)
              order by ${taxPayments.period} limit 1)
      from months where months.period is not null
    )
    select
      (select array_agg(extract(year from period)::int) from months where period is not null) as payments,
      (select array_agg(distinct ${taxAnnual.year}) from ${taxAnnual}) as annual,
      least(
        (select extract(year from min(${landParcels.registeredOn}))::int from ${landParcels}),
        (select extract(year from min(${landLeases.startsOn}))::int from ${landLeases})
      ) as land_first`);
  return {
    payments: new Set((row?.payments ?? []).map(Number)),
    annualReturns: new Set((row?.annual ?? []).map(Number)),
    landFirst: row?.land_first == null ? null : Number(row.land_first),
  };
}

/** What is loaded, per data version (a load or a correction may bring a year in). */
const loaded = new VersionedCache<LoadedYears>(2);

/** `version`: the data version when the caller has just read it (saves reading it again). */
async function loadedYears(database: Database, version?: string): Promise<LoadedYears> {
  return loaded.get(database, 'loaded-years', version ?? (await dataVersion(database)), () =>
    readLoadedYears(database),
  );
}

/** The status of `year` given what is loaded and today's date in the county (YYYY-MM-DD). */
function statusOf(years: LoadedYears, year: number, today: string): YearStatus {
  const reasons: string[] = [];
  if (`${year}-12-31` >= today)
    reasons.push(`${year} 年度未结束：${year}-12-31 之后方可评价（今天是 ${today}）`);
  if (!years.payments.has(year))
    reasons.push(`税务局 ${year} 年实缴税款数据未入库（没有税款所属期在 ${year} 年的实缴记录）`);
  if (!years.annualReturns.has(year))
    reasons.push(`税务局 ${year} 年度企业所得税年度申报数据未入库（没有 ${year} 年度的申报）`);
  return { year, evaluable: reasons.length === 0, reasons };
}

/**
 * Whether `year` is evaluated, and if not why: one statement per data version (none more when the
 * caller passes the data version it has just read).
 */
export async function yearStatus(
  database: Database,
  year: number,
  version?: string,
): Promise<YearStatus> {
  return statusOf(await loadedYears(database, version), year, countyToday());
}

/** The statuses of several years at once (the same cached read). */
export async function yearStatuses(
  database: Database,
  years: readonly number[],
  version?: string,
): Promise<YearStatus[]> {
  const found = await loadedYears(database, version);
  const today = countyToday();
  return years.map((y) => statusOf(found, y, today));
}

/** Every evaluable year, latest first: ended, with tax payments and annual returns loaded. */
export async function evaluableYears(database: Database): Promise<number[]> {
  const found = await loadedYears(database);
  const today = countyToday();
  return [...found.payments]
    .filter((y) => statusOf(found, y, today).evaluable)
    .sort((a, b) => b - a);
}

/**
 * The years county-wide figures are computed for (docs/evaluation-years.md): from the first year
 * with tax payments, annual returns or land in use loaded (MIN_YEAR while none are) to the current year. A year
 * outside has no data to add up; refusing it keeps a read from computing, and storing, figures of
 * nothing (each year's snapshot holds a row per enterprise).
 */
export async function dataYearRange(
  database: Database,
  version?: string,
): Promise<{ first: number; last: number }> {
  const found = await loadedYears(database, version);
  const last = Number(countyToday().slice(0, 4));
  const loadedFirst = Math.min(
    ...found.payments,
    ...found.annualReturns,
    ...(found.landFirst === null ? [] : [found.landFirst]),
  );
  const first = Number.isFinite(loadedFirst) ? Math.min(loadedFirst, last) : MIN_YEAR;
  return { first, last };
}

/** Returns `year` when county-wide figures are computed for it ({@link dataYearRange}); a {@link UserInputError} otherwise. */
export async function checkDataYear(
  database: Database,
  year: number,
  version?: string,
): Promise<number> {
  const { first, last } = await dataYearRange(database, version);
  if (year < first || year > last)
    throw new UserInputError(
      `${year} 年没有可汇总的数据：全县汇总与年度指标只提供 ${first}–${last} 年（自有税务或土地数据的第一年至今年） (no data for ${year}; years ${first}–${last})`,
    );
  return year;
}
