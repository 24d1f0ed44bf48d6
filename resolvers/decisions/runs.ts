import DataLoader from 'dataloader';
import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import {
  type EvaluationRunRow,
  evaluationObjections,
  evaluationRunResults,
  evaluationRuns,
  type ObjectionRow,
} from '../../db/decisions.js';
import { enterprises } from '../../db/market.js';
import { UserInputError } from '../../lib/errors.js';
import { checkYear } from '../../lib/year.js';
import { actorOf, writeAuditAction } from '../audit.js';
import { dataVersion, type RunRef, runsInForce } from '../data-version.js';
import { type Evaluation, evaluateYear, storedAnswers } from '../evaluation.js';
import type { Viewer } from '../roles.js';
import { runEvaluation } from './run-evaluation.js';

/** A run with its objections, as the API lists it. */
export type EvaluationRunRecord = EvaluationRunRow & { objections: ObjectionRow[] };

/** The data cut of a run: what was loaded when it was frozen. */
async function dataCut(db: Database['db']) {
  const [row] = (await db.execute(
    sql`select coalesce((select max(id) from ingest_batches where status = 'committed'), 0)::bigint as batch,
      (select count(*) from manual_links)::int as links`,
    'objects',
  )) as { batch: string | number; links: number }[];
  return { batchId: Number(row.batch), manualLinks: Number(row.links) };
}

/**
 * 公示: freezes the live evaluation of `year` as a `notice` run: every enterprise's whole answer and
 * the figures used, the method, the data cut (highest committed batch, manual links), who and when.
 * The evaluation is computed again when the data changed while it was being frozen.
 */
export async function publishEvaluation(
  database: Database,
  viewer: Viewer,
  year: number,
  note: string | null = null,
  requestId?: string,
): Promise<EvaluationRunRow> {
  checkYear(year);
  for (let attempt = 0; ; attempt++) {
    const evaluation = await evaluateYear(database, year);
    // a year not evaluated has no grades to make public (docs/evaluation-years.md)
    if (evaluation.notEvaluated.length)
      throw new UserInputError(`${year} 年不评价，不能公示：${evaluation.notEvaluated.join('；')}`);
    const answers = storedAnswers(evaluation);
    // a batch committed while the evaluation was computed would make the cut lie: compute again
    if ((await dataVersion(database)) !== evaluation.dataVersion && attempt < 3) continue;
    const run = await database.db.transaction(async (tx) => {
      const cut = await dataCut(tx);
      const [created] = await tx
        .insert(evaluationRuns)
        .values({
          year,
          status: 'notice',
          methodId: evaluation.method?.id ?? '-',
          dataCutBatchId: cut.batchId,
          dataCutManualLinks: cut.manualLinks,
          note,
          publishedBy: actorOf(viewer),
        })
        .returning();
      // one statement for the whole county: the answers travel as one JSON document
      await tx.execute(sql`
        insert into ${evaluationRunResults} (run_id, uscc, population, rank, score, grade, answer)
        select ${created.id}::bigint, a->>'uscc', a->>'population', (a->>'rank')::int, (a->>'score')::numeric, a->>'grade', a
        from jsonb_array_elements(${JSON.stringify(answers)}::text::jsonb) as a`);
      await writeAuditAction(tx, {
        viewer,
        action: 'publishEvaluation',
        detail: { runId: created.id, year, note, enterprises: answers.length, dataCut: cut },
        requestId,
      });
      return created;
    });
    return run;
  }
}

async function runById(db: Database['db'], id: string): Promise<EvaluationRunRow> {
  const runId = Number(id);
  const [run] = Number.isSafeInteger(runId)
    ? await db.select().from(evaluationRuns).where(eq(evaluationRuns.id, runId))
    : [];
  if (!run) throw new UserInputError(`评价结果 ${id} 不存在`);
  return run;
}

/**
 * 正式发布: a `notice` run becomes `final`; every earlier run of its year (notice or final) becomes
 * `superseded` by it. Refused while an objection to the run is undecided.
 */
export async function finalizeEvaluation(
  database: Database,
  viewer: Viewer,
  id: string,
  requestId?: string,
): Promise<EvaluationRunRow> {
  return database.db.transaction(async (tx) => {
    const run = await runById(tx, id);
    if (run.status !== 'notice')
      throw new UserInputError(
        `评价结果 ${id} 的状态是 ${run.status}，只有公示中的结果可以正式发布`,
      );
    const open = await tx
      .select({ id: evaluationObjections.id })
      .from(evaluationObjections)
      .where(
        and(eq(evaluationObjections.runId, run.id), sql`${evaluationObjections.upheld} is null`),
      );
    if (open.length)
      throw new UserInputError(
        `评价结果 ${id} 还有 ${open.length} 件异议未处理（异议编号 ${open.map((o) => o.id).join('、')}）`,
      );
    const superseded = await tx
      .update(evaluationRuns)
      .set({ status: 'superseded', supersededBy: run.id })
      .where(
        and(
          eq(evaluationRuns.year, run.year),
          lt(evaluationRuns.id, run.id),
          inArray(evaluationRuns.status, ['notice', 'final']),
        ),
      )
      .returning({ id: evaluationRuns.id });
    const [final] = await tx
      .update(evaluationRuns)
      .set({ status: 'final', finalizedAt: sql`now()`, finalizedBy: actorOf(viewer) })
      .where(eq(evaluationRuns.id, run.id))
      .returning();
    await writeAuditAction(tx, {
      viewer,
      action: 'finalizeEvaluation',
      detail: { runId: run.id, year: run.year, superseded: superseded.map((r) => r.id) },
      requestId,
    });
    return final;
  });
}

/** 异议: records an enterprise's objection to a run (notice or final) as received on `receivedOn`. */
export async function objectEvaluation(
  database: Database,
  viewer: Viewer,
  args: { runId: string; uscc: string; text: string; receivedOn: string },
  requestId?: string,
): Promise<ObjectionRow> {
  const uscc = args.uscc.trim().toUpperCase();
  if (!args.text.trim()) throw new UserInputError('异议内容不能为空');
  return database.db.transaction(async (tx) => {
    const run = await runById(tx, args.runId);
    if (run.status === 'superseded')
      throw new UserInputError(`评价结果 ${run.id} 已被第 ${run.supersededBy} 号结果取代`);
    const [known] = await tx
      .select({ uscc: enterprises.uscc })
      .from(enterprises)
      .where(eq(enterprises.uscc, uscc));
    if (!known) throw new UserInputError(`统一社会信用代码 ${uscc} 不是本县登记企业`);
    const [objection] = await tx
      .insert(evaluationObjections)
      .values({
        runId: run.id,
        uscc,
        text: args.text.trim(),
        receivedOn: args.receivedOn,
        recordedBy: actorOf(viewer),
      })
      .returning();
    await writeAuditAction(tx, {
      viewer,
      action: 'objectEvaluation',
      detail: { objectionId: objection.id, runId: run.id, receivedOn: args.receivedOn },
      enterprises: [uscc],
      requestId,
    });
    return objection;
  });
}

/**
 * Decides an objection once: upheld or not, with a note. An upheld objection is settled by a data
 * correction and a new run (a revision), never by editing the stored grade.
 */
export async function decideObjection(
  database: Database,
  viewer: Viewer,
  args: { id: string; upheld: boolean; note: string },
  requestId?: string,
): Promise<ObjectionRow> {
  if (!args.note.trim()) throw new UserInputError('处理意见不能为空');
  return database.db.transaction(async (tx) => {
    const id = Number(args.id);
    const [found] = Number.isSafeInteger(id)
      ? await tx.select().from(evaluationObjections).where(eq(evaluationObjections.id, id))
      : [];
    if (!found) throw new UserInputError(`异议 ${args.id} 不存在`);
    if (found.upheld !== null)
      throw new UserInputError(`异议 ${args.id} 已于 ${found.decidedAt?.toISOString()} 处理`);
    const [decided] = await tx
      .update(evaluationObjections)
      .set({
        upheld: args.upheld,
        note: args.note.trim(),
        decidedAt: sql`now()`,
        decidedBy: actorOf(viewer),
      })
      .where(eq(evaluationObjections.id, id))
      .returning();
    await writeAuditAction(tx, {
      viewer,
      action: 'decideObjection',
      detail: { objectionId: id, runId: found.runId, upheld: args.upheld, note: args.note.trim() },
      enterprises: [found.uscc],
      requestId,
    });
    return decided;
  });
}

/** The runs of one year (or every year), newest first, each with its objections. */
export async function listEvaluationRuns(
  database: Database,
  year?: number | null,
): Promise<EvaluationRunRecord[]> {
  const runs = await database.db
    .select()
    .from(evaluationRuns)
    .where(year == null ? undefined : eq(evaluationRuns.year, year))
    .orderBy(desc(evaluationRuns.year), desc(evaluationRuns.id));
  const objections = runs.length
    ? await database.db
        .select()
        .from(evaluationObjections)
        .where(
          inArray(
            evaluationObjections.runId,
            runs.map((r) => r.id),
          ),
        )
        .orderBy(asc(evaluationObjections.id))
    : [];
  return runs.map((r) => ({ ...r, objections: objections.filter((o) => o.runId === r.id) }));
}

/** The run a year is read from: its final run, else its latest notice run; undefined when none. */
export function runOfRecord(runs: readonly RunRef[], year: number): RunRef | undefined {
  const mine = runs.filter((r) => r.year === year);
  return mine.find((r) => r.status === 'final') ?? mine.at(-1);
}

/**
 * The 亩产效益 evaluation of `year` as the county publishes it: from the year's final run, else its
 * notice run, else the live evaluation (`status` and `runId` say which). With `live: true`, always
 * the live evaluation. Every answer that follows from a grade of record (profiles, rankings, land
 * lists) reads it here. One statement per call at most (the data state, shared with the data
 * version), or none while the service's data-version TTL holds; the run itself is read once per
 * process and status.
 */
export async function evaluationOfRecord(
  database: Database,
  year: number,
  options: { live?: boolean } = {},
): Promise<Evaluation> {
  checkYear(year);
  if (options.live) return evaluateYear(database, year);
  const ref = runOfRecord(await runsInForce(database), year);
  return ref ? runEvaluation(database, ref) : evaluateYear(database, year);
}

/** The grades of `year` as the county publishes them (final, else notice, else live): see evaluationOfRecord. */
export const gradesOfRecord = (database: Database, year: number) =>
  evaluationOfRecord(database, year);

/** Per-request loader of the evaluation of record by year (see evaluationOfRecord). */
export function evaluationOfRecordLoader(database: Database) {
  return new DataLoader<number, Evaluation>(async (years) =>
    Promise.all(years.map((year) => evaluationOfRecord(database, year))),
  );
}
