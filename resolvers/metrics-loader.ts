import DataLoader from 'dataloader';
import type { Database } from '../db/client.js';
import { metricsFromEvaluation } from './evaluation.js';
import { type EnterpriseMetrics, type MetricsRow, toEnterpriseMetrics } from './metric-table.js';
import { metricsSql } from './metrics.js';

/**
 * Figures of `year` for many enterprises in one statement, or none when the county evaluation of
 * the year is cached for the current data (its statement carries the same figures). With
 * `evaluate` (the per-request loader), the county evaluation is computed when a method is in force
 * and not cached yet: once per data version, after which figures come from memory. Enterprises that
 * are not registered are absent from the map.
 */
export async function metricsFor(
  database: Database,
  usccs: readonly string[],
  year: number,
  options: { evaluate?: boolean } = {},
): Promise<Map<string, EnterpriseMetrics>> {
  const result = new Map<string, EnterpriseMetrics>();
  if (usccs.length === 0) return result;
  const cached = await metricsFromEvaluation(database, usccs, year, options);
  if (cached) return cached;
  const rows = await database.rows<MetricsRow>(metricsSql(year, { usccs: [...new Set(usccs)] }));
  for (const row of rows) result.set(row.uscc, toEnterpriseMetrics(row));
  return result;
}

/**
 * Per-request loader of metrics keyed by `${uscc}:${year}`: from the county evaluation of the year
 * (computed once per data version), else one statement per year in a batch.
 * A key whose enterprise is not registered gets an Error.
 */
export function metricsLoader(database: Database) {
  return new DataLoader<string, EnterpriseMetrics>(
    async (keys) => {
      const usccsByYear = new Map<number, string[]>();
      for (const key of keys) {
        const [uscc, year] = key.split(':');
        if (!usccsByYear.has(Number(year))) usccsByYear.set(Number(year), []);
        usccsByYear.get(Number(year))!.push(uscc);
      }
      const found = new Map<string, EnterpriseMetrics>();
      await Promise.all(
        [...usccsByYear].map(async ([year, usccs]) => {
          for (const [uscc, metrics] of await metricsFor(database, usccs, year, { evaluate: true }))
            found.set(`${uscc}:${year}`, metrics);
        }),
      );
      return keys.map(
        (key) => found.get(key) ?? new Error(`no registered enterprise for metrics key ${key}`),
      );
    },
    { maxBatchSize: 1000 },
  );
}
