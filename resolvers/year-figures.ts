import { eq, sql } from 'drizzle-orm';
import { type Database, isQueryCanceled, NO_STATEMENT_TIMEOUT } from '../db/client.js';
import { enterprises } from '../db/market.js';
import { currentLsn, waitForReplay } from '../db/replicas.js';
import { enterpriseYearFigures, metricsSnapshots } from '../db/search.js';
import { sharedWork } from '../db/statement-scope.js';
import { checkYear } from '../lib/year.js';
import { dataVersion, dataVersionChanged } from './data-version.js';
import { checkDataYear, yearStatus } from './evaluable-years.js';
import { evaluateYear } from './evaluation.js';
import { methodForYear } from './evaluation-method.js';
import { metricsSql } from './metrics.js';

/** 规上 threshold when no evaluation method says otherwise (docs/metrics.md): 营业收入 ≥ 20,000,000 元. */
export const DEFAULT_ABOVE_SCALE_REVENUE_YUAN = 20_000_000;

/** The 规上 revenue threshold of `year` (元): the evaluation method's ABOVE_SCALE population, else the default. */
export function aboveScaleRevenueYuan(year: number): number {
  return (
    methodForYear(year)?.populations.find((p) => p.id === 'ABOVE_SCALE')?.minRevenueYuan ??
    DEFAULT_ABOVE_SCALE_REVENUE_YUAN
  );
}

/** The data version each year's snapshot is known to be at, per database (saves a lookup per request). */
const known = new WeakMap<Database, Map<number, string>>();
/** Refreshes in flight, per database and year: concurrent requests wait for the same one. */
const inflight = new WeakMap<Database, Map<number, Promise<void>>>();

/**
 * Makes sure `enterprise_year_figures` holds `year` as of the current data: one statement (the
 * data version) when it does; otherwise recomputes the year — the county evaluation (cached by
 * evaluateYear) and one INSERT … SELECT over metricsSql(year) — in a transaction under an
 * advisory lock, so that two processes do not refresh the same year at once.
 * Returns the data version the snapshot is at.
 */
export async function ensureYearFigures(database: Database, year: number): Promise<string> {
  checkYear(year);
  if (database.primary) return replicaYearFigures(database, database.primary, year);
  const version = await snapshotVersion(database, year);
  let years = known.get(database);
  if (!years) known.set(database, (years = new Map()));
  if (years.get(year) === version) return version;
  let running = inflight.get(database);
  if (!running) inflight.set(database, (running = new Map()));
  let refresh = running.get(year);
  if (!refresh) {
    // concurrent requests wait for it: not cancelled when the one that started it ends
    refresh = sharedWork(() => refreshYear(database, year, version)).finally(() =>
      running!.delete(year),
    );
    running.set(year, refresh);
  }
  await refresh;
  years.set(year, version);
  return version;
}

/** How long a replica waits to replay a snapshot its primary has just written (ms). */
const REPLAY_WAIT_MS = 5000;

/**
 * On a read-only replica: the snapshot as replicated when it is at the replica's data version;
 * otherwise the primary refreshes it and the replica waits until it has replayed that write, so
 * that the snapshot and the rows read beside it come from the same data.
 */
async function replicaYearFigures(
  replica: Database,
  primary: Database,
  year: number,
): Promise<string> {
  const version = await snapshotVersion(replica, year);
  const [snapshot] = await replica.db
    .select({ dataVersion: metricsSnapshots.dataVersion })
    .from(metricsSnapshots)
    .where(eq(metricsSnapshots.year, year));
  if (snapshot?.dataVersion === version) return version;
  await ensureYearFigures(primary, year);
  const lsn = await currentLsn(primary);
  if (lsn && !(await waitForReplay(replica, lsn, REPLAY_WAIT_MS)))
    throw new Error(`只读副本在 ${REPLAY_WAIT_MS} ms 内未同步 ${year} 年度指标快照`);
  dataVersionChanged(replica);
  return snapshotVersion(replica, year);
}

/**
 * The version a year's snapshot is stored at: the data version and whether the year is graded, since
 * the end of a year makes it gradable without any new data (evaluable-years.ts).
 */
async function snapshotVersion(database: Database, year: number): Promise<string> {
  const version = await dataVersion(database);
  // no year without data gets a snapshot: a read must not grow the table year after year
  // (the same cached read of the loaded years as the status below: no statement more)
  await checkDataYear(database, year, version);
  const status = await yearStatus(database, year, version);
  return `${version}|${status.evaluable ? 'graded' : 'ungraded'}`;
}

async function refreshYear(database: Database, year: number, version: string): Promise<void> {
  const [snapshot] = await database.db
    .select({ dataVersion: metricsSnapshots.dataVersion })
    .from(metricsSnapshots)
    .where(eq(metricsSnapshots.year, year));
  if (snapshot?.dataVersion === version) return;
  const evaluation = await evaluateYear(database, year);
  const grades = [...evaluation.results.values()]
    .filter((r) => r.evaluated)
    .map((r) => ({
      uscc: r.uscc,
      population: r.population,
      grade: r.grade,
      score: r.score,
      rank: r.rank,
    }));
  const threshold = String(aboveScaleRevenueYuan(year));
  await database.db.transaction(async (tx) => {
    // shared work, like the evaluation: not cancelled with the request that started it
    if (database.statementTimeoutMs) await tx.execute(NO_STATEMENT_TIMEOUT);
    await tx.execute(sql`select pg_advisory_xact_lock(7382014, ${year}::int)`);
    const [again] = await tx
      .select({ dataVersion: metricsSnapshots.dataVersion })
      .from(metricsSnapshots)
      .where(eq(metricsSnapshots.year, year));
    if (again?.dataVersion === version) return;
    await tx.delete(enterpriseYearFigures).where(eq(enterpriseYearFigures.year, year));
    const [inserted] = await tx.execute<{ n: number }>(
      sql`
      with m as (${metricsSql(year)}),
      g as (select * from json_to_recordset(${JSON.stringify(grades)}::text::json)
              as g(uscc text, population text, grade text, score numeric, rank int)),
      ins as (
        insert into ${enterpriseYearFigures} (year, uscc, land_area_mu, tax_paid_yuan, revenue_yuan, electricity_kwh, energy_tce,
          mu_average_tax_yuan, mu_average_revenue_yuan, revenue_per_tce_yuan, rd_expense_yuan, rd_intensity, employees,
          labour_productivity_yuan, above_scale, population, grade, score, rank, town, industry_section, industry_division)
        select m.year, m.uscc, m.land_area_mu, m.tax_paid_yuan, m.revenue_yuan, m.electricity_kwh, m.energy_tce,
          m.mu_average_tax_yuan, m.mu_average_revenue_yuan, m.revenue_per_tce_yuan, m.rd_expense_yuan, m.rd_intensity, m.employees,
          m.labour_productivity_yuan, coalesce(m.revenue_yuan >= ${threshold}::numeric, false), g.population, g.grade, g.score, g.rank,
          e.town, e.industry_section, e.industry_division
        from m join ${enterprises} e on e.uscc = m.uscc left join g on g.uscc = m.uscc
        returning 1
      )
      select count(*)::int as n from ins`,
      'objects',
    );
    const n = Number(inserted?.n ?? 0);
    await tx
      .insert(metricsSnapshots)
      .values({
        year,
        dataVersion: version,
        methodId: evaluation.method?.id ?? null,
        enterprises: n,
      })
      .onConflictDoUpdate({
        target: metricsSnapshots.year,
        set: {
          dataVersion: version,
          methodId: evaluation.method?.id ?? null,
          enterprises: n,
          refreshedAt: sql`now()`,
        },
      });
  });
  // fresh statistics, so that the planner walks the ordering indexes rather than hashing the year,
  // and a fresh visibility map, so that those walks are index-only (no heap fetch per row)
  // (VACUUM runs outside a transaction, under the connection's statement timeout: when that cuts it
  // short, the snapshot stands and autovacuum does it later)
  await database.rows(sql`vacuum (analyze) ${enterpriseYearFigures}`).catch((error) => {
    if (!isQueryCanceled(error)) throw error;
  });
}
