import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { enterprises } from '../../db/market.js';
import { enterpriseYearFigures } from '../../db/search.js';
import { MU_PER_M2 } from '../../lib/units.js';
import { checkYear } from '../../lib/year.js';
import { ACTIVE_STATUSES } from '../enterprise-search.js';
import { ensureYearFigures } from '../year-figures.js';
import { gradesOfRecord } from './grades.js';
import { reasonsFor } from './reasons.js';
import {
  type CaseFilter,
  type CasePage,
  type GradeOfRecord,
  type LandRevitalizationCase,
  REVITALIZATION_CATEGORIES,
  type RevitalizationCategory,
  RevitalizationInputError,
  type RevitalizationNote,
  type RevitalizationOptions,
  type TownRevitalization,
  UNKNOWN_TOWN,
} from './types.js';

/**
 * The land revitalization lists of a year (docs/land-revitalization.md). Every list is one
 * set-based statement over the year's figures snapshot (enterprise_year_figures, kept current by
 * ensureYearFigures) and the register, with the low-efficiency enterprises passed in as a list.
 */

type CaseRow = {
  has_tax: boolean;
  has_power: boolean;
  total_count: number;
  total_area_mu: string;
  uscc: string | null;
  name: string;
  status: string;
  town: string;
  established_on: string | null;
  register_loaded_on: string;
  land_area_mu: string;
  land_area_m2: string;
  tax_paid_yuan: string | null;
  electricity_kwh: string | null;
  deregistered: boolean;
  idle: boolean;
  low: boolean;
};

const f = enterpriseYearFigures;
const e = enterprises;
const active = sql.join(
  ACTIVE_STATUSES.map((s) => sql`${s}`),
  sql`, `,
);
const COLUMN: Record<RevitalizationCategory, string> = {
  DEREGISTERED_HOLDER: 'deregistered',
  SUSPECTED_IDLE: 'idle',
  LOW_EFFICIENCY: 'low',
};

const isoToday = () => new Date().toISOString().slice(0, 10);

/**
 * The year's flagged enterprises as the CTEs `year_data` (whether any tax payment and any power
 * reading of Y are loaded: without them idleness cannot be judged) and `cases` (every enterprise
 * with land in use > 0 on Y-12-31 and at least one category, with its figures).
 */
function casesCte(year: number, lowEfficiency: readonly string[], yearEnded: boolean): SQL {
  return sql`
    low(uscc) as (select value from json_array_elements_text(${JSON.stringify(lowEfficiency)}::text::json)),
    year_data as (
      select exists(select 1 from ${f} where ${f.year} = ${year}::int and ${f.taxPaidYuan} is not null) as has_tax,
        exists(select 1 from ${f} where ${f.year} = ${year}::int and ${f.electricityKwh} is not null) as has_power
    ),
    flagged as (
      select ${f.uscc} as uscc, ${e.name} as name, ${e.status} as status,
        coalesce(${e.town}, ${UNKNOWN_TOWN}) as town, ${e.establishedOn}::text as established_on,
        (${e.loadedAt} at time zone 'UTC')::date::text as register_loaded_on,
        ${f.landAreaMu} as land_area_mu, ${f.taxPaidYuan} as tax_paid_yuan, ${f.electricityKwh} as electricity_kwh,
        ${e.status} not in (${active}) as deregistered,
        (${yearEnded}::boolean and year_data.has_tax and year_data.has_power and ${e.status} in (${active})
          and coalesce(${e.establishedOn} <= ${`${year}-01-01`}::date, false)
          and coalesce(${f.electricityKwh}, 0) <= 0 and coalesce(${f.taxPaidYuan}, 0) <= 0) as idle,
        low.uscc is not null as low
      from ${f}
      join ${e} on ${e.uscc} = ${f.uscc}
      cross join year_data
      left join low on low.uscc = ${f.uscc}
      where ${f.year} = ${year}::int and ${f.landAreaMu} > 0
    ),
    cases as (select * from flagged where deregistered or idle or low)`;
}

/** Low efficiency (docs/land-revitalization.md): D in Y, or C in both Y−1 and Y. */
function lowEfficiencyOf(
  current: Map<string, GradeOfRecord>,
  previous: Map<string, GradeOfRecord>,
): string[] {
  const low: string[] = [];
  for (const [uscc, g] of current)
    if (g.grade === 'D' || (g.grade === 'C' && previous.get(uscc)?.grade === 'C')) low.push(uscc);
  return low;
}

/** Everything a year's list needs before its statement: the snapshot and the grades of Y−1 and Y. */
async function prepareYear(database: Database, year: number, options: RevitalizationOptions) {
  checkYear(year);
  await ensureYearFigures(database, year);
  const [current, previous] = await Promise.all([
    gradesOfRecord(database, year),
    gradesOfRecord(database, year - 1),
  ]);
  return {
    current,
    previous,
    low: lowEfficiencyOf(current, previous),
    yearEnded: `${year}-12-31` < (options.today ?? isoToday()),
  };
}

/** Why a category could not be judged for the year; empty when every category was. */
function notesFor(
  year: number,
  prepared: { yearEnded: boolean; current: Map<string, GradeOfRecord> },
  data: { has_tax: boolean; has_power: boolean },
): RevitalizationNote[] {
  const notes: RevitalizationNote[] = [];
  const idle = (text: string) => notes.push({ category: 'SUSPECTED_IDLE', text });
  if (!prepared.yearEnded) idle(`${year}年尚未结束，未判断疑似闲置（需全年用电量和实缴税款）`);
  else if (!data.has_tax) idle(`${year}年实缴税款数据尚未载入，未判断疑似闲置`);
  else if (!data.has_power) idle(`${year}年用电数据尚未载入，未判断疑似闲置`);
  if (prepared.current.size === 0)
    notes.push({
      category: 'LOW_EFFICIENCY',
      text: `${year}年没有亩产效益评价等级，未判断低效用地`,
    });
  return notes;
}

const num = (v: string | null) => (v === null ? null : Number(v));

function toCase(
  row: CaseRow,
  year: number,
  grades: { current: Map<string, GradeOfRecord>; previous: Map<string, GradeOfRecord> },
): LandRevitalizationCase {
  const uscc = row.uscc!;
  const c: LandRevitalizationCase = {
    uscc,
    name: row.name,
    year,
    status: row.status,
    town: row.town,
    establishedOn: row.established_on,
    registerLoadedOn: row.register_loaded_on,
    categories: REVITALIZATION_CATEGORIES.filter((k) => row[COLUMN[k] as keyof CaseRow]),
    landAreaMu: Number(row.land_area_mu),
    landAreaM2: Number(row.land_area_m2),
    taxPaidYuan: num(row.tax_paid_yuan),
    electricityKwh: num(row.electricity_kwh),
    grades: {
      previous: grades.previous.get(uscc) ?? null,
      current: grades.current.get(uscc) ?? null,
    },
    reasons: [],
  };
  c.reasons = reasonsFor(c);
  return c;
}

/** Largest page (`first`). */
export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

/** A case's cursor: its land in use (亩, exact numeric text) and USCC. */
const encodeCursor = (mu: string, uscc: string) =>
  Buffer.from(`${mu}|${uscc}`, 'utf8').toString('base64url');

function decodeCursor(cursor: string): { mu: string; uscc: string } {
  const [mu, uscc, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (extra !== undefined || !/^\d+(\.\d+)?$/.test(mu ?? '') || !/^[0-9A-Z]{18}$/.test(uscc ?? ''))
    throw new RevitalizationInputError(`不是有效的分页游标：${JSON.stringify(cursor)}`);
  return { mu, uscc };
}

function pageSize(first: number | null | undefined): number | null {
  if (first === undefined) return DEFAULT_PAGE;
  if (first === null) return null;
  if (!Number.isInteger(first) || first < 0)
    throw new RevitalizationInputError(`first 须为不小于 0 的整数，收到 ${first}`);
  return first;
}

/**
 * The cases of a year, largest land first then USCC, filtered by category and town, with the totals
 * of every case the filter matches: one statement after the year's preparation (the snapshot
 * check and the grades of Y−1 and Y, cached per data version). `first: null` reads every case
 * (the export); the GraphQL field caps it at MAX_PAGE.
 */
export async function landRevitalizationCases(
  database: Database,
  filter: CaseFilter,
  page: { first?: number | null; after?: string | null } = {},
  options: RevitalizationOptions = {},
): Promise<CasePage> {
  const { year } = filter;
  const first = pageSize(page.first);
  const after = page.after ? decodeCursor(page.after) : null;
  const prepared = await prepareYear(database, year, options);
  const where: SQL[] = [];
  if (filter.category) where.push(sql`${sql.identifier(COLUMN[filter.category])}`);
  if (filter.town) where.push(sql`town = ${filter.town}`);
  const pageWhere = after
    ? sql`where land_area_mu < ${after.mu}::numeric or (land_area_mu = ${after.mu}::numeric and uscc collate "C" > ${after.uscc})`
    : sql``;
  const rows = await database.rows<CaseRow>(sql`
    with ${casesCte(year, prepared.low, prepared.yearEnded)},
    chosen as (select * from cases ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}),
    totals as (select count(*)::int as total_count, coalesce(sum(land_area_mu), 0)::text as total_area_mu from chosen),
    page as (
      select * from chosen ${pageWhere}
      order by land_area_mu desc, uscc collate "C" asc
      ${first === null ? sql`` : sql`limit ${first + 1}`}
    )
    select year_data.has_tax, year_data.has_power, totals.total_count, totals.total_area_mu,
      page.uscc, page.name, page.status, page.town, page.established_on, page.register_loaded_on,
      page.land_area_mu::text as land_area_mu, (page.land_area_mu / ${sql.raw(String(MU_PER_M2))})::numeric(16, 2)::text as land_area_m2,
      page.tax_paid_yuan::text as tax_paid_yuan, page.electricity_kwh::text as electricity_kwh,
      page.deregistered, page.idle, page.low
    from year_data cross join totals left join page on true
    order by page.land_area_mu desc, page.uscc collate "C" asc`);
  const found = rows.filter((r) => r.uscc !== null);
  const shown = first === null ? found : found.slice(0, first);
  return {
    totalCount: Number(rows[0].total_count),
    totalAreaMu: Number(rows[0].total_area_mu),
    cases: shown.map((r) => toCase(r, year, prepared)),
    cursors: shown.map((r) => encodeCursor(r.land_area_mu, r.uscc!)),
    hasNextPage: first !== null && found.length > first,
    notes: notesFor(year, prepared, rows[0]),
  };
}

/**
 * Cases and land in use (亩) by town and category for a year: one statement after the year's
 * preparation. An enterprise in two categories counts in each, so the categories of a town do not
 * add up to its cases. Towns in code-point order, categories in their order.
 */
export async function landRevitalizationByTown(
  database: Database,
  year: number,
  options: RevitalizationOptions = {},
): Promise<TownRevitalization[]> {
  const prepared = await prepareYear(database, year, options);
  const rows = await database.rows<{
    town: string;
    category: RevitalizationCategory;
    cases: number;
    area_mu: string;
  }>(sql`
    with ${casesCte(year, prepared.low, prepared.yearEnded)}
    select town, c.category, count(*)::int as cases, sum(land_area_mu)::text as area_mu
    from cases cross join lateral (values
      ${sql.join(
        REVITALIZATION_CATEGORIES.map(
          (k, i) => sql`(${k}::text, ${i}::int, ${sql.identifier(COLUMN[k])})`,
        ),
        sql`, `,
      )}) as c(category, position, applies)
    where c.applies
    group by town, c.category, c.position
    order by town collate "C", c.position`);
  return rows.map((r) => ({
    town: r.town,
    category: r.category,
    cases: Number(r.cases),
    areaMu: Number(r.area_mu),
  }));
}
