import { asc, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { evaluationRuns } from '../../db/decisions.js';
import { ingestBatches } from '../../db/ingest.js';
import { checkYear } from '../../lib/year.js';
import type { IngestBatchRow } from '../data-quality.js';
import { runsInForce } from '../data-version.js';
import { evaluateYear, type MuEfficiencyResult, muEfficiencyOf } from '../evaluation.js';
import { runEvaluation } from './run-evaluation.js';
import { runOfRecord } from './runs.js';

/** One enterprise whose live evaluation differs from the published one, and the loads since the cut. */
export interface EvaluationChange {
  uscc: string;
  published: MuEfficiencyResult;
  live: MuEfficiencyResult;
  /** committed batches after the run's data cut that wrote records of the enterprise, oldest first */
  batches: IngestBatchRow[];
}

/**
 * The records that feed an evaluation, each with the enterprise it is linked to: a batch that
 * wrote one of them after the cut can explain a moved grade. A record keeps the batch that last
 * wrote it (its provenance), so a record written again later names the later batch.
 */
const FED_BY = sql`
  select uscc, batch_id from enterprises
  union all select uscc, batch_id from tax_payments
  union all select uscc, batch_id from tax_annual
  union all select uscc, batch_id from land_parcels
  union all select lessor_uscc, batch_id from land_leases
  union all select lessee_uscc, batch_id from land_leases
  union all select uscc, batch_id from power_consumption`;

/** Scores differ beyond the last bits of a double (the live and the stored score are both doubles). */
const moved = (a: MuEfficiencyResult, b: MuEfficiencyResult) =>
  a.evaluated !== b.evaluated ||
  a.grade !== b.grade ||
  (a.score === null) !== (b.score === null) ||
  (a.score !== null && b.score !== null && Math.abs(a.score - b.score) > 1e-9);

/**
 * 为何实时结果与公示结果不同: enterprises whose live grade or score differs (or that are evaluated in one and not the other) from the year's final
 * run (else its notice run), by USCC, each with the committed batches after the run's data cut that
 * wrote its records. Empty when the year has no published run.
 */
export async function evaluationChanges(
  database: Database,
  year: number,
): Promise<EvaluationChange[]> {
  checkYear(year);
  const ref = runOfRecord(await runsInForce(database), year);
  if (!ref) return [];
  const [published, live, [run]] = await Promise.all([
    runEvaluation(database, ref),
    evaluateYear(database, year),
    database.db
      .select()
      .from(evaluationRuns)
      .where(sql`${evaluationRuns.id} = ${Number(ref.id)}`),
  ]);
  const usccs = [...new Set([...published.results.keys(), ...live.results.keys()])].sort();
  const changes = usccs.flatMap((uscc): EvaluationChange[] => {
    const before = muEfficiencyOf(published, uscc);
    const now = muEfficiencyOf(live, uscc);
    return moved(before, now) ? [{ uscc, published: before, live: now, batches: [] }] : [];
  });
  if (changes.length === 0) return changes;
  const written = await database.rows<{ uscc: string; batch_id: string }>(sql`
    select distinct f.uscc, f.batch_id from (${FED_BY}) f
    where f.batch_id > ${run.dataCutBatchId} and f.uscc = any(${sql.param(changes.map((c) => c.uscc))}::text[])`);
  const ids = [...new Set(written.map((w) => Number(w.batch_id)))];
  const batches = ids.length
    ? await database.db
        .select()
        .from(ingestBatches)
        .where(inArray(ingestBatches.id, ids))
        .orderBy(asc(ingestBatches.id))
    : [];
  const committed = batches.filter((b) => b.status === 'committed');
  for (const change of changes) {
    const mine = new Set(
      written.filter((w) => w.uscc === change.uscc).map((w) => String(w.batch_id)),
    );
    change.batches = committed.filter((b) => mine.has(String(b.id)));
  }
  return changes;
}
