import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  varchar,
} from 'drizzle-orm/pg-core';

/**
 * A snapshot of every enterprise's figures and grade for one year (metricsSql + evaluateYear),
 * so that finding enterprises by a metric and the dashboard aggregates are indexed SQL rather
 * than a county-wide computation per request. Derived data only: `metrics_snapshots` records the
 * data version each year was computed at, and a year is recomputed when the version moves
 * (resolvers/year-figures.ts). Numeric columns are unconstrained: ratios keep their precision.
 */
export const enterpriseYearFigures = pgTable(
  'enterprise_year_figures',
  {
    year: integer('year').notNull(),
    uscc: varchar('uscc', { length: 18 }).notNull(),
    /** land in use on Dec 31 (亩) */
    landAreaMu: numeric('land_area_mu'),
    /** 实缴税款 (元) */
    taxPaidYuan: numeric('tax_paid_yuan'),
    /** 营业收入 (元) */
    revenueYuan: numeric('revenue_yuan'),
    /** 用电量 (kWh) */
    electricityKwh: numeric('electricity_kwh'),
    /** 综合能耗 (tce) */
    energyTce: numeric('energy_tce'),
    /** 亩均税收 (元/亩) */
    muAverageTaxYuan: numeric('mu_average_tax_yuan'),
    /** 亩均营业收入 (元/亩) */
    muAverageRevenueYuan: numeric('mu_average_revenue_yuan'),
    /** 单位能耗营业收入 (元/tce) */
    revenuePerTceYuan: numeric('revenue_per_tce_yuan'),
    /** 研发费用 (元) */
    rdExpenseYuan: numeric('rd_expense_yuan'),
    /** 研发投入强度 (fraction) */
    rdIntensity: numeric('rd_intensity'),
    /** 年平均从业人数 */
    employees: integer('employees'),
    /** 全员劳动生产率 (元/人) */
    labourProductivityYuan: numeric('labour_productivity_yuan'),
    /** 规上: revenue of the year ≥ 20,000,000 元 (a missing revenue is below scale) */
    aboveScale: boolean('above_scale').notNull(),
    /** the evaluated population (ABOVE_SCALE / BELOW_SCALE), null when not evaluated */
    population: varchar('population', { length: 16 }),
    /** A, B, C or D; null when not evaluated */
    grade: varchar('grade', { length: 1 }),
    score: numeric('score'),
    rank: integer('rank'),
    /** 所属乡镇, copied from the register with the snapshot (filters of a year's page need no join) */
    town: text('town'),
    /** 行业门类, copied from the register */
    industrySection: varchar('industry_section', { length: 1 }),
    /** 行业大类, copied from the register */
    industryDivision: varchar('industry_division', { length: 3 }),
  },
  (t) => [
    primaryKey({ columns: [t.year, t.uscc] }),
    // orderings, best first (desc nulls last, then uscc): the index serves the page directly
    index('eyf_mu_tax_idx').on(t.year, sql`${t.muAverageTaxYuan} desc nulls last`, t.uscc),
    index('eyf_mu_revenue_idx').on(t.year, sql`${t.muAverageRevenueYuan} desc nulls last`, t.uscc),
    index('eyf_revenue_idx').on(t.year, sql`${t.revenueYuan} desc nulls last`, t.uscc),
    index('eyf_tax_idx').on(t.year, sql`${t.taxPaidYuan} desc nulls last`, t.uscc),
    index('eyf_land_idx').on(t.year, sql`${t.landAreaMu} desc nulls last`, t.uscc),
    index('eyf_kwh_idx').on(t.year, sql`${t.electricityKwh} desc nulls last`, t.uscc),
    index('eyf_score_idx').on(t.year, sql`${t.score} desc nulls last`, t.uscc),
    // a town's page by 亩均税收 (the dashboards' ordering) straight from the index
    index('eyf_town_mu_tax_idx').on(
      t.year,
      t.town,
      sql`${t.muAverageTaxYuan} desc nulls last`,
      t.uscc,
    ),
    // filters
    index('eyf_division_idx').on(t.year, t.industryDivision),
    index('eyf_grade_idx').on(t.year, t.grade),
    index('eyf_scale_idx').on(t.year, t.aboveScale),
  ],
);

/** Which data version each year's snapshot was computed at (resolvers/data-version.ts). */
export const metricsSnapshots = pgTable('metrics_snapshots', {
  year: integer('year').primaryKey(),
  dataVersion: text('data_version').notNull(),
  /** the evaluation method applied; null when none is in force for the year */
  methodId: text('method_id'),
  enterprises: integer('enterprises').notNull(),
  refreshedAt: timestamp('refreshed_at', { withTimezone: true }).notNull().defaultNow(),
});
