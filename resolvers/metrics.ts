import { inArray, type SQL, sql } from 'drizzle-orm';
import { landLeases, landParcels } from '../db/land.js';
import { enterprises } from '../db/market.js';
import { powerHolders, powerReadings } from '../db/power.js';
import { taxAnnual, taxPayments } from '../db/tax.js';
import { checkYear } from '../lib/year.js';
import { tcePer10kKwhFor } from './evaluation-method.js';

export interface MetricsSqlOptions {
  /** Restrict every aggregate to these enterprises (for loaders); all enterprises when absent. */
  usccs?: readonly string[];
  /** tce per 10⁴ kWh; default: the evaluation method's factor for the year. */
  tcePer10kKwh?: number;
}

/**
 * One row per registered enterprise with its figures for `year` (docs/metrics.md), computed in SQL on
 * numeric (numeric columns come back as strings). Only records linked to an enterprise (uscc not
 * null) count. Column names are a contract: other queries join this fragment as a subquery.
 *
 * - land_area_m2 / land_area_mu: land in use on Y-12-31 (parcels held − leased out + leased in),
 *   null when no parcel or lease is in force that day; 1 亩 = 10000/15 m² exactly (× 0.0015)
 * - tax_paid_yuan: Σ 实缴金额 of the months of Y (refunds negative), null without a payment
 * - revenue_yuan, rd_expense_yuan, employees: the annual return of Y (营业收入, 研发费用, 年平均从业人数)
 * - electricity_kwh: Σ over every linked account and month of Y, null without a reading;
 *   energy_tce = kWh × factor ÷ 10⁴
 * - mu_average_tax_yuan (亩均税收), mu_average_revenue_yuan (亩均营业收入), revenue_per_tce_yuan
 *   (单位能耗营业收入), rd_intensity (研发投入强度), labour_productivity_yuan (全员劳动生产率):
 *   null when an input is missing or the divisor is not positive
 * - facts for the reasons: has_land_record, tax_payment_count, has_annual_return,
 *   power_reading_count
 */
export function metricsSql(year: number, options: MetricsSqlOptions = {}): SQL {
  checkYear(year);
  const factor = String(options.tcePer10kKwh ?? tcePer10kKwhFor(year));
  const yearStart = `${year}-01-01`;
  const nextYearStart = `${year + 1}-01-01`;
  const day = `${year}-12-31`;
  const only = (column: Parameters<typeof inArray>[0]) =>
    options.usccs ? sql`and ${inArray(column, [...options.usccs])}` : sql``;
  return sql`
    with land as (
      select uscc, sum(area) as area_m2
      from (
        select ${landParcels.uscc} as uscc, ${landParcels.areaM2} as area from ${landParcels}
        where ${landParcels.uscc} is not null ${only(landParcels.uscc)}
          and ${landParcels.registeredOn} <= ${day}::date
          and (${landParcels.cancelledOn} is null or ${landParcels.cancelledOn} >= ${day}::date)
        union all
        select ${landLeases.lessorUscc}, -${landLeases.areaM2} from ${landLeases}
        where ${landLeases.lessorUscc} is not null ${only(landLeases.lessorUscc)}
          and ${landLeases.startsOn} <= ${day}::date and ${landLeases.endsOn} >= ${day}::date
        union all
        select ${landLeases.lesseeUscc}, ${landLeases.areaM2} from ${landLeases}
        where ${landLeases.lesseeUscc} is not null ${only(landLeases.lesseeUscc)}
          and ${landLeases.startsOn} <= ${day}::date and ${landLeases.endsOn} >= ${day}::date
      ) held
      group by uscc
    ),
    tax as (
      select ${taxPayments.uscc} as uscc, sum(${taxPayments.amountYuan}) as paid, count(*) as payments
      from ${taxPayments}
      where ${taxPayments.uscc} is not null ${only(taxPayments.uscc)}
        and ${taxPayments.period} >= ${yearStart}::date and ${taxPayments.period} < ${nextYearStart}::date
      group by ${taxPayments.uscc}
    ),
    annual as (
      -- one return per enterprise and year; should two delivered identities link to one
      -- enterprise, the most recently loaded return counts
      select distinct on (${taxAnnual.uscc}) ${taxAnnual.uscc} as uscc, ${taxAnnual.revenueYuan} as revenue,
        ${taxAnnual.rdExpenseYuan} as rd, ${taxAnnual.employees} as employees
      from ${taxAnnual}
      where ${taxAnnual.uscc} is not null ${only(taxAnnual.uscc)} and ${taxAnnual.year} = ${year}::int
      order by ${taxAnnual.uscc}, ${taxAnnual.loadedAt} desc, ${taxAnnual.batchId} desc
    ),
    power as (
      -- power_consumption's tables (db/power.ts): the year's readings summed per holder first, then
      -- per enterprise (the view would join every reading to its holder)
      select h.uscc as uscc, sum(r.kwh) as kwh, sum(r.readings)::bigint as readings
      from (
        select ${powerReadings.holderId} as holder_id, ${powerReadings.accountId} as account_id, sum(${powerReadings.kwh}) as kwh, count(*) as readings
        from ${powerReadings}
        where ${powerReadings.month} >= ${yearStart}::date and ${powerReadings.month} < ${nextYearStart}::date
          ${options.usccs ? sql`and ${powerReadings.accountId} in (select ${powerHolders.accountId} from ${powerHolders} where ${inArray(powerHolders.uscc, [...options.usccs])})` : sql``}
        group by ${powerReadings.holderId}, ${powerReadings.accountId}
      ) r
      join ${powerHolders} h on h.id = r.holder_id and h.account_id = r.account_id
      where h.uscc is not null ${options.usccs ? sql`and ${inArray(sql`h.uscc`, [...options.usccs])}` : sql``}
      group by h.uscc
    ),
    base as (
      select ${enterprises.uscc} as uscc,
        land.area_m2 as land_area_m2,
        land.area_m2 * 0.0015 as land_area_mu,
        tax.paid as tax_paid_yuan,
        annual.revenue as revenue_yuan,
        annual.rd as rd_expense_yuan,
        annual.employees as employees,
        power.kwh as electricity_kwh,
        power.kwh * ${factor}::numeric / 10000 as energy_tce,
        land.uscc is not null as has_land_record,
        coalesce(tax.payments, 0)::int as tax_payment_count,
        annual.uscc is not null as has_annual_return,
        coalesce(power.readings, 0)::int as power_reading_count
      from ${enterprises}
      left join land on land.uscc = ${enterprises.uscc}
      left join tax on tax.uscc = ${enterprises.uscc}
      left join annual on annual.uscc = ${enterprises.uscc}
      left join power on power.uscc = ${enterprises.uscc}
      ${options.usccs ? sql`where ${inArray(enterprises.uscc, [...options.usccs])}` : sql``}
    )
    select uscc, ${year}::int as year,
      land_area_mu, land_area_m2, tax_paid_yuan, revenue_yuan, electricity_kwh, energy_tce,
      case when land_area_mu > 0 then tax_paid_yuan / land_area_mu end as mu_average_tax_yuan,
      case when land_area_mu > 0 then revenue_yuan / land_area_mu end as mu_average_revenue_yuan,
      case when energy_tce > 0 then revenue_yuan / energy_tce end as revenue_per_tce_yuan,
      rd_expense_yuan,
      case when revenue_yuan > 0 then rd_expense_yuan / revenue_yuan end as rd_intensity,
      employees,
      case when employees > 0 then revenue_yuan / employees end as labour_productivity_yuan,
      has_land_record, tax_payment_count, has_annual_return, power_reading_count
    from base`;
}

/** A row of `metricsSql` as the drivers return it (numeric as strings). */
export type MetricsRow = {
  uscc: string;
  year: number;
  land_area_mu: string | null;
  land_area_m2: string | null;
  tax_paid_yuan: string | null;
  revenue_yuan: string | null;
  electricity_kwh: string | null;
  energy_tce: string | null;
  mu_average_tax_yuan: string | null;
  mu_average_revenue_yuan: string | null;
  revenue_per_tce_yuan: string | null;
  rd_expense_yuan: string | null;
  rd_intensity: string | null;
  employees: number | null;
  labour_productivity_yuan: string | null;
  has_land_record: boolean;
  tax_payment_count: number;
  has_annual_return: boolean;
  power_reading_count: number;
};

/** The metric columns of `metricsSql`. */
export type MetricColumn = Exclude<
  keyof MetricsRow & string,
  'uscc' | 'year' | `has_${string}` | `${string}_count`
>;

/** An enterprise's figures for one year; null means an input is missing (never 0), and `missing` says which. */
export interface EnterpriseMetrics {
  uscc: string;
  year: number;
  /** land in use on Dec 31 (亩) */
  landAreaMu: number | null;
  /** land in use on Dec 31 (m²) */
  landAreaM2: number | null;
  /** 实缴税款 (元) */
  taxPaidYuan: number | null;
  /** 营业收入 (元) */
  revenueYuan: number | null;
  /** 用电量 (kWh) */
  electricityKwh: number | null;
  /** 综合能耗 (tce, 当量值) */
  energyTce: number | null;
  /** 亩均税收 (元/亩) */
  muAverageTaxYuan: number | null;
  /** 亩均营业收入 (元/亩) */
  muAverageRevenueYuan: number | null;
  /** 单位能耗营业收入 (元/tce) */
  revenuePerTceYuan: number | null;
  /** 研发费用 (元) */
  rdExpenseYuan: number | null;
  /** 研发投入强度 (fraction) */
  rdIntensity: number | null;
  /** 年平均从业人数 */
  employees: number | null;
  /** 全员劳动生产率 (元/人) */
  labourProductivityYuan: number | null;
  /** why each null metric is null, one sentence per missing input */
  missing: string[];
}

const num = (value: string | number | null): number | null =>
  value === null ? null : Number(value);

/** The inputs behind each metric, for explaining a null. */
const INPUTS: Record<MetricColumn, MetricColumn[]> = {
  land_area_mu: [],
  land_area_m2: [],
  tax_paid_yuan: [],
  revenue_yuan: [],
  electricity_kwh: [],
  energy_tce: ['electricity_kwh'],
  rd_expense_yuan: [],
  employees: [],
  mu_average_tax_yuan: ['tax_paid_yuan', 'land_area_mu'],
  mu_average_revenue_yuan: ['revenue_yuan', 'land_area_mu'],
  revenue_per_tce_yuan: ['revenue_yuan', 'energy_tce'],
  rd_intensity: ['rd_expense_yuan', 'revenue_yuan'],
  labour_productivity_yuan: ['revenue_yuan', 'employees'],
};

/** Why a base input is null, or why a ratio's divisor does not allow it. */
function ownReason(row: MetricsRow, column: MetricColumn): string | null {
  const y = row.year;
  switch (column) {
    case 'land_area_mu':
    case 'land_area_m2':
      return row.has_land_record ? null : `no parcel or lease in force on ${y}-12-31`;
    case 'tax_paid_yuan':
      return row.tax_payment_count > 0 ? null : `no tax payment in ${y}`;
    case 'electricity_kwh':
    case 'energy_tce':
      return row.power_reading_count > 0 ? null : `no electricity reading in ${y}`;
    case 'revenue_yuan':
      return !row.has_annual_return
        ? `no annual tax return for ${y}`
        : row.revenue_yuan === null
          ? `the ${y} annual return has no 营业收入`
          : null;
    case 'rd_expense_yuan':
      return !row.has_annual_return
        ? `no annual tax return for ${y}`
        : row.rd_expense_yuan === null
          ? `the ${y} annual return has no 研发费用`
          : null;
    case 'employees':
      return !row.has_annual_return
        ? `no annual tax return for ${y}`
        : row.employees === null
          ? `the ${y} annual return has no 年平均从业人数`
          : null;
    default:
      return null;
  }
}

function divisorReason(row: MetricsRow, column: MetricColumn): string | null {
  switch (column) {
    case 'mu_average_tax_yuan':
    case 'mu_average_revenue_yuan': {
      const land = num(row.land_area_mu);
      if (land === null || land > 0) return null;
      return land === 0
        ? 'land in use is 0'
        : `land in use is negative (${land} 亩: more leased out than held)`;
    }
    case 'revenue_per_tce_yuan':
      return num(row.energy_tce) === 0 ? `electricity consumption in ${row.year} is 0` : null;
    case 'rd_intensity':
      return row.revenue_yuan !== null && Number(row.revenue_yuan) <= 0
        ? `营业收入 ${row.year} is not positive`
        : null;
    case 'labour_productivity_yuan':
      return row.employees === 0 ? `年平均从业人数 ${row.year} is 0` : null;
    default:
      return null;
  }
}

/** Why `column` is null in `row` (empty when it has a value): one sentence per missing input. */
export function whyNull(row: MetricsRow, column: MetricColumn): string[] {
  if (row[column] !== null) return [];
  const reasons = new Set<string>();
  const visit = (c: MetricColumn) => {
    const own = ownReason(row, c);
    if (own) reasons.add(own);
    for (const input of INPUTS[c]) if (row[input] === null) visit(input);
    const divisor = divisorReason(row, c);
    if (divisor) reasons.add(divisor);
  };
  visit(column);
  return [...reasons];
}

/** Converts a `metricsSql` row to numbers, at the edge, with the reasons for every null. */
export function toEnterpriseMetrics(row: MetricsRow): EnterpriseMetrics {
  const columns = Object.keys(INPUTS) as MetricColumn[];
  return {
    uscc: row.uscc,
    year: Number(row.year),
    landAreaMu: num(row.land_area_mu),
    landAreaM2: num(row.land_area_m2),
    taxPaidYuan: num(row.tax_paid_yuan),
    revenueYuan: num(row.revenue_yuan),
    electricityKwh: num(row.electricity_kwh),
    energyTce: num(row.energy_tce),
    muAverageTaxYuan: num(row.mu_average_tax_yuan),
    muAverageRevenueYuan: num(row.mu_average_revenue_yuan),
    revenuePerTceYuan: num(row.revenue_per_tce_yuan),
    rdExpenseYuan: num(row.rd_expense_yuan),
    rdIntensity: num(row.rd_intensity),
    employees: row.employees === null ? null : Number(row.employees),
    labourProductivityYuan: num(row.labour_productivity_yuan),
    missing: [...new Set(columns.flatMap((c) => whyNull(row, c)))],
  };
}
