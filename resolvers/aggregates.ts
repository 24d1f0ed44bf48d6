import { type SQL, sql } from 'drizzle-orm';
import type { SourceDefinition } from '../connectors/index.js';
import { SOURCE_LIST } from '../connectors/index.js';
import type { Database } from '../db/client.js';
import { ingestBatches, quarantinedRows } from '../db/ingest.js';
import { enterprises } from '../db/market.js';
import { enterpriseYearFigures } from '../db/search.js';
import { type ClusterTarget, clusterCaseSql, clusters, clusterTargets } from './clusters.js';
import { ACTIVE_STATUSES } from './enterprise-search.js';
import { ensureYearFigures } from './year-figures.js';

/**
 * County aggregates for dashboards (汇总): per year, for the county, by town, by industry division
 * and by cluster, in one statement over the year's snapshot (GROUPING SETS); cluster revenue
 * beside the policy's 2026 targets; and the freshness of each source.
 */

export type GroupKind = 'COUNTY' | 'TOWN' | 'INDUSTRY_DIVISION' | 'CLUSTER';

export interface GradeCounts {
  population: 'ABOVE_SCALE' | 'BELOW_SCALE';
  a: number;
  b: number;
  c: number;
  d: number;
  evaluated: number;
}

/** One group's totals for a year; sums are numeric strings (元, 亩, kWh) over the group's enterprises with a value. */
export interface AggregateGroup {
  kind: GroupKind;
  /** the town, the division (e.g. C36), the cluster id; null for the county and for "none/unknown" */
  key: string | null;
  enterprises: number;
  activeEnterprises: number;
  aboveScaleEnterprises: number;
  taxPaidYuan: string;
  revenueYuan: string;
  landAreaMu: string;
  electricityKwh: string;
  /** Σ tax ÷ Σ land over the enterprises that have both (land > 0); null when none */
  muAverageTaxYuan: string | null;
  grades: GradeCounts[];
  /**
   * the fewest firms any of the group's figures is summed over (tax, revenue, land, kWh, each
   * population's grades), 0 when none has a figure: the group's size for small-cell suppression
   */
  cellFirms: number;
}

export interface CountyAggregates {
  year: number;
  /**
   * Where the grade counts come from: the year's final run, else its notice run (公示), else the
   * live evaluation; `runId` null when live. Every other figure is the data as loaded now.
   */
  grades: { status: 'live' | 'notice' | 'final'; runId: string | null };
  county: AggregateGroup;
  byTown: AggregateGroup[];
  byIndustryDivision: AggregateGroup[];
  byCluster: AggregateGroup[];
}

type GradeColumns = { [K in `${'above' | 'below'}_${'a' | 'b' | 'c' | 'd' | 'n'}`]: number };

type GroupRow = GradeColumns & {
  run_id: string | null;
  run_status: string | null;
  g_town: number;
  g_division: number;
  g_cluster: number;
  town: string | null;
  division: string | null;
  cluster: string | null;
  enterprises: number;
  active: number;
  above_scale: number;
  tax: string | null;
  revenue: string | null;
  land: string | null;
  kwh: string | null;
  mu_tax: string | null;
  n_tax: number;
  n_revenue: number;
  n_land: number;
  n_kwh: number;
};

const e = enterprises;
const f = enterpriseYearFigures;

/**
 * The year's aggregates: the snapshot check (one statement, more on a refresh) and one grouped
 * statement. Grades are counted from the year's run
 * of record when there is one (as muEfficiency answers), else from the live evaluation.
 */
export async function countyAggregates(
  database: Database,
  year: number,
  ensureYear: (year: number) => Promise<unknown> = (y) => ensureYearFigures(database, y),
): Promise<CountyAggregates> {
  await ensureYear(year);
  // the grades of record: the year's final run, else its latest notice run (as runOfRecord in
  // resolvers/decisions/runs.ts chooses), else the snapshot's live grades
  const graded = {
    population: sql`(case when (select id from run) is null then ${f.population} else r.population end)`,
    grade: sql`(case when (select id from run) is null then ${f.grade} else r.grade end)`,
  };
  const active = sql.join(
    ACTIVE_STATUSES.map((s) => sql`${s}`),
    sql`, `,
  );
  const gradeCounts = (['ABOVE_SCALE', 'BELOW_SCALE'] as const).flatMap((p) => {
    const prefix = p === 'ABOVE_SCALE' ? 'above' : 'below';
    return [
      ...(['A', 'B', 'C', 'D'] as const).map(
        (g) =>
          sql`(count(*) filter (where ${graded.population} = ${p} and ${graded.grade} = ${g}))::int as ${sql.identifier(`${prefix}_${g.toLowerCase()}`)}`,
      ),
      sql`(count(*) filter (where ${graded.population} = ${p}))::int as ${sql.identifier(`${prefix}_n`)}`,
    ];
  });
  const rows = await database.rows<GroupRow>(sql`
    with run as (
      select id, status from evaluation_runs where year = ${year}::int and status in ('notice', 'final')
      order by (status = 'final') desc, id desc limit 1
    ),
    x as (
      select ${e.uscc} as uscc, ${e.town} as town, ${e.industryDivision} as division, ${clusterCaseSql(e.industryCode)} as cluster, ${e.status} as status
      from ${e}
    )
    select grouping(x.town)::int as g_town, grouping(x.division)::int as g_division, grouping(x.cluster)::int as g_cluster,
      x.town, x.division, x.cluster,
      (select id from run)::text as run_id, (select status from run) as run_status,
      count(*)::int as enterprises,
      (count(*) filter (where x.status in (${active})))::int as active,
      (count(*) filter (where ${f.aboveScale}))::int as above_scale,
      sum(${f.taxPaidYuan})::text as tax,
      sum(${f.revenueYuan})::text as revenue,
      sum(${f.landAreaMu})::text as land,
      sum(${f.electricityKwh})::text as kwh,
      count(${f.taxPaidYuan})::int as n_tax, count(${f.revenueYuan})::int as n_revenue,
      count(${f.landAreaMu})::int as n_land, count(${f.electricityKwh})::int as n_kwh,
      (sum(${f.taxPaidYuan}) filter (where ${f.muAverageTaxYuan} is not null)
        / nullif(sum(${f.landAreaMu}) filter (where ${f.muAverageTaxYuan} is not null), 0))::text as mu_tax,
      ${sql.join(gradeCounts, sql`, `)}
    from x left join ${f} on ${f.year} = ${year}::int and ${f.uscc} = x.uscc
    left join evaluation_run_results r on r.run_id = (select id from run) and r.uscc = x.uscc
    group by grouping sets ((), (x.town), (x.division), (x.cluster))`);
  const toGroup = (r: GroupRow, kind: GroupKind, key: string | null): AggregateGroup => ({
    kind,
    key,
    enterprises: Number(r.enterprises),
    activeEnterprises: Number(r.active),
    aboveScaleEnterprises: Number(r.above_scale),
    taxPaidYuan: r.tax ?? '0',
    revenueYuan: r.revenue ?? '0',
    landAreaMu: r.land ?? '0',
    electricityKwh: r.kwh ?? '0',
    muAverageTaxYuan: r.mu_tax,
    grades: (['above', 'below'] as const).map((p) => ({
      population: p === 'above' ? 'ABOVE_SCALE' : 'BELOW_SCALE',
      a: Number(r[`${p}_a`]),
      b: Number(r[`${p}_b`]),
      c: Number(r[`${p}_c`]),
      d: Number(r[`${p}_d`]),
      evaluated: Number(r[`${p}_n`]),
    })),
    cellFirms: fewestFirms([r.n_tax, r.n_revenue, r.n_land, r.n_kwh, r.above_n, r.below_n]),
  });
  const result: CountyAggregates = {
    year,
    grades: rows[0]?.run_id
      ? { status: rows[0].run_status as 'notice' | 'final', runId: rows[0].run_id }
      : { status: 'live', runId: null },
    county: undefined as never,
    byTown: [],
    byIndustryDivision: [],
    byCluster: [],
  };
  for (const r of rows) {
    const grouped = [Number(r.g_town), Number(r.g_division), Number(r.g_cluster)];
    if (grouped.every((g) => g === 1)) result.county = toGroup(r, 'COUNTY', null);
    else if (grouped[0] === 0) result.byTown.push(toGroup(r, 'TOWN', r.town));
    else if (grouped[1] === 0)
      result.byIndustryDivision.push(toGroup(r, 'INDUSTRY_DIVISION', r.division));
    else result.byCluster.push(toGroup(r, 'CLUSTER', r.cluster));
  }
  // every cluster appears, with zeros when it has no enterprise; "no cluster" goes last
  const order = clusters().map((c) => c.id);
  for (const id of order)
    if (!result.byCluster.some((g) => g.key === id))
      result.byCluster.push(emptyGroup('CLUSTER', id));
  const rank = (k: string | null) => (k === null ? Number.MAX_SAFE_INTEGER : order.indexOf(k));
  result.byCluster.sort((a, b) => rank(a.key) - rank(b.key));
  const byKey = (a: AggregateGroup, b: AggregateGroup) =>
    a.key === null ? 1 : b.key === null ? -1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  result.byTown.sort(byKey);
  result.byIndustryDivision.sort(byKey);
  result.county ??= emptyGroup('COUNTY', null);
  return result;
}

/** The smallest of the firm counts that are not 0 (a figure over no firm tells nothing); 0 when all are. */
function fewestFirms(counts: readonly (number | string)[]): number {
  const some = counts.map(Number).filter((n) => n > 0);
  return some.length ? Math.min(...some) : 0;
}

function emptyGroup(kind: GroupKind, key: string | null): AggregateGroup {
  return {
    kind,
    key,
    enterprises: 0,
    activeEnterprises: 0,
    aboveScaleEnterprises: 0,
    taxPaidYuan: '0',
    revenueYuan: '0',
    landAreaMu: '0',
    electricityKwh: '0',
    muAverageTaxYuan: null,
    grades: [
      { population: 'ABOVE_SCALE', a: 0, b: 0, c: 0, d: 0, evaluated: 0 },
      { population: 'BELOW_SCALE', a: 0, b: 0, c: 0, d: 0, evaluated: 0 },
    ],
    cellFirms: 0,
  };
}

export interface TargetProgress {
  cluster: string;
  nameZh: string;
  chainZh: string;
  /** the year the target is set for, e.g. 2026 */
  targetYear: number;
  /** the target 营业收入 (元) */
  targetRevenueYuan: number;
  labelZh: string;
  source: string;
  /** Σ 营业收入 of the cluster in the year asked (元) */
  revenueYuan: string;
  /** revenue ÷ target (1 = reached) */
  shareReached: number;
}

/** The policy's cluster targets beside the clusters' revenue of `year` (from countyAggregates). */
export function targetProgress(
  aggregates: CountyAggregates,
  targets: ClusterTarget[] = clusterTargets(),
): TargetProgress[] {
  return targets.map((target) => {
    const cluster = clusters().find((c) => c.id === target.cluster)!;
    const revenue = aggregates.byCluster.find((g) => g.key === target.cluster)?.revenueYuan ?? '0';
    return {
      cluster: target.cluster,
      nameZh: cluster.nameZh,
      chainZh: cluster.chainZh,
      targetYear: target.year,
      targetRevenueYuan: target.revenueYuan,
      labelZh: target.labelZh,
      source: target.source,
      revenueYuan: revenue,
      shareReached: Number(revenue) / target.revenueYuan,
    };
  });
}

/**
 * What a source's table holds now, from its definition: rows, and those linked to no enterprise
 * (with two parties, a lease, when either is unlinked); the register links nothing.
 */
function heldSql(source: SourceDefinition): SQL {
  const unlinked = source.parties.map((p) => sql`${sql.identifier(p.uscc)} is null`);
  const unmatched = unlinked.length
    ? sql`(count(*) filter (where ${sql.join(unlinked, sql` or `)}))::int`
    : sql`0`;
  return sql`select ${source.name}::text as source, count(*)::int as rows, ${unmatched} as unmatched from ${sql.identifier(source.table)}`;
}

export interface SourceFreshness {
  source: string;
  /** finished_at of the latest committed batch; null when none */
  latestBatchAt: Date | string | null;
  latestBatchId: number | null;
  committedBatches: number;
  /** rows the source holds now */
  rows: number;
  /** rows of the latest committed batch that were quarantined */
  latestBatchQuarantined: number;
  /** the source's current quarantined rows: each problem row once, the latest load's copy (not those a reload or correction superseded) */
  quarantined: number;
  /** records not linked to exactly one enterprise (a lease counts when either party is unlinked) */
  unmatched: number;
}

/** Per source: its latest committed batch, rows held, quarantined and unmatched counts. One statement. */
export async function dataFreshness(database: Database): Promise<SourceFreshness[]> {
  const held = sql.join(SOURCE_LIST.map(heldSql), sql` union all `);
  const rows = await database.rows<{
    source: string;
    rows: number;
    unmatched: number;
    latest_at: string | Date | null;
    latest_id: string | number | null;
    committed: number;
    latest_quarantined: number | null;
    quarantined: number;
  }>(sql`
    with held as (${held}),
    latest as (
      select distinct on (${ingestBatches.source}) ${ingestBatches.source} as source, ${ingestBatches.id} as id,
        ${ingestBatches.finishedAt} as finished_at, ${ingestBatches.rowsQuarantined} as rows_quarantined
      from ${ingestBatches} where ${ingestBatches.status} = 'committed'
      order by ${ingestBatches.source}, ${ingestBatches.id} desc
    ),
    committed as (select ${ingestBatches.source} as source, count(*)::int as n from ${ingestBatches} where ${ingestBatches.status} = 'committed' group by 1),
    quarantined as (select ${quarantinedRows.source} as source, count(*)::int as n from ${quarantinedRows}
      where ${quarantinedRows.supersededBy} is null group by 1)
    select held.source, held.rows, held.unmatched, latest.finished_at as latest_at, latest.id as latest_id,
      coalesce(committed.n, 0) as committed, latest.rows_quarantined as latest_quarantined, coalesce(quarantined.n, 0) as quarantined
    from held
    left join latest on latest.source = held.source
    left join committed on committed.source = held.source
    left join quarantined on quarantined.source = held.source`);
  const bySource = new Map(rows.map((r) => [r.source, r]));
  return SOURCE_LIST.map(({ name: source }) => {
    const r = bySource.get(source)!;
    return {
      source,
      latestBatchAt: r.latest_at,
      latestBatchId: r.latest_id === null ? null : Number(r.latest_id),
      committedBatches: Number(r.committed),
      rows: Number(r.rows),
      latestBatchQuarantined: Number(r.latest_quarantined ?? 0),
      quarantined: Number(r.quarantined),
      unmatched: Number(r.unmatched),
    };
  });
}
