import { inArray, type SQL, sql } from 'drizzle-orm';
import { landLeases, landParcels } from '../db/land.js';
import { enterprises } from '../db/market.js';
import { powerHolders, powerReadings } from '../db/power.js';
import { taxAnnual, taxPayments } from '../db/tax.js';
import { MU_PER_M2 } from '../lib/units.js';
import { checkYear } from '../lib/year.js';
import { tcePer10kKwhFor } from './evaluation-method.js';
import { FACTS, METRICS } from './metric-table.js';

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
 *   null when no parcel or lease is in force that day; 1 亩 = 10000/15 m² exactly (lib/units.ts)
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
        land.area_m2 * ${sql.raw(String(MU_PER_M2))} as land_area_mu,
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
    select uscc, ${year}::int as year, ${selectList()}
    from base`;
}

/**
 * The final select list, from the table of metrics: base figures as `base` computed them, each
 * ratio null unless its denominator is positive, then the facts for the reasons.
 */
function selectList(): SQL {
  const column = (name: string) => sql.identifier(name);
  const metrics = METRICS.map((m) =>
    'ratio' in m
      ? sql`case when ${column(m.ratio.denominator)} > 0 then ${column(m.ratio.numerator)} / ${column(m.ratio.denominator)} end as ${column(m.column)}`
      : column(m.column),
  );
  return sql.join([...metrics, ...FACTS.map((f) => column(f.column))], sql`, `);
}
