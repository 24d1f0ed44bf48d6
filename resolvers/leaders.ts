import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { enterprises } from '../db/market.js';
import { enterpriseYearFigures } from '../db/search.js';
import { ensureYearFigures } from './year-figures.js';

/** One line of the county's 亩均税收 leader board (dashboards). */
export interface MuTaxLeader {
  rank: number;
  uscc: string;
  name: string;
  town: string | null;
  /** 亩均税收 (元/亩) */
  muAverageTaxYuan: number;
  /** 实缴税款 (元) */
  taxPaidYuan: number;
  /** land in use on Dec 31 (亩) */
  landAreaMu: number;
  grade: string | null;
}

/** The most leaders a board lists. */
export const MAX_LEADERS = 50;

/**
 * The enterprises with the highest 亩均税收 of `year` (ties by USCC), from the year's snapshot:
 * one indexed statement after the snapshot check. Enterprises without a figure are not ranked.
 */
export async function muTaxLeaders(
  database: Database,
  year: number,
  first: number,
  ensureYear: (year: number) => Promise<unknown> = (y) => ensureYearFigures(database, y),
): Promise<MuTaxLeader[]> {
  await ensureYear(year);
  const f = enterpriseYearFigures;
  const rows = await database.rows<{
    uscc: string;
    name: string;
    town: string | null;
    mu: string;
    tax: string;
    land: string;
    grade: string | null;
  }>(sql`
    select ${f.uscc} as uscc, ${enterprises.name} as name, ${enterprises.town} as town, ${f.muAverageTaxYuan}::text as mu,
      ${f.taxPaidYuan}::text as tax, ${f.landAreaMu}::text as land, ${f.grade} as grade
    from ${f} join ${enterprises} on ${enterprises.uscc} = ${f.uscc}
    where ${f.year} = ${year} and ${f.muAverageTaxYuan} is not null
    order by ${f.muAverageTaxYuan} desc nulls last, ${f.uscc}
    limit ${Math.min(Math.max(first, 0), MAX_LEADERS)}`);
  return rows.map((r, i) => ({
    rank: i + 1,
    uscc: r.uscc,
    name: r.name,
    town: r.town,
    muAverageTaxYuan: Number(r.mu),
    taxPaidYuan: Number(r.tax),
    landAreaMu: Number(r.land),
    grade: r.grade,
  }));
}
