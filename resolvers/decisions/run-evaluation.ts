import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { evaluationRunResults, evaluationRuns } from '../../db/decisions.js';
import type { RunRef } from '../data-version.js';
import type {
  Evaluation,
  IndicatorResult,
  MuEfficiencyResult,
  StoredAnswer,
} from '../evaluation.js';
import { evaluationMethods, type Grade, type Population } from '../evaluation-method.js';
import type { EnterpriseMetrics } from '../metric-table.js';
import { VersionedCache } from '../versioned-cache.js';

type RunResultRow = {
  uscc: string;
  population: Population | null;
  rank: number | null;
  population_size: number | null;
  score: string | null;
  grade: Grade | null;
  grade_label: string | null;
  evaluated: boolean;
  method_id: string | null;
  town: string | null;
  industry_division: string | null;
  answer: string;
};

/**
 * One enterprise's answer read from a published run. What rankings read comes in columns; the
 * indicators, reasons and figures are parsed from the stored JSON when first read (a request
 * reads a few of tens of thousands).
 */
class RunResult implements MuEfficiencyResult {
  readonly uscc: string;
  readonly year: number;
  readonly methodId: string | null;
  readonly evaluated: boolean;
  readonly population: Population | null;
  readonly rank: number | null;
  readonly populationSize: number | null;
  readonly score: number | null;
  readonly grade: Grade | null;
  readonly gradeLabel: string | null;
  readonly town: string | null;
  readonly industryDivision: string | null;
  readonly runId: string;
  readonly status: 'notice' | 'final';
  #answer: string;
  #parsed?: StoredAnswer;

  constructor(row: RunResultRow, ref: RunRef) {
    this.uscc = row.uscc;
    this.year = ref.year;
    this.methodId = row.method_id;
    this.evaluated = row.evaluated;
    this.population = row.population;
    this.rank = row.rank;
    this.populationSize = row.population_size;
    this.score = row.score === null ? null : Number(row.score);
    this.grade = row.grade;
    this.gradeLabel = row.grade_label;
    this.town = row.town;
    this.industryDivision = row.industry_division;
    this.runId = ref.id;
    this.status = ref.status;
    this.#answer = row.answer;
  }

  #stored(): StoredAnswer {
    return (this.#parsed ??= JSON.parse(this.#answer) as StoredAnswer);
  }

  get indicators(): IndicatorResult[] {
    return this.#stored().indicators;
  }

  get reasons(): string[] {
    return this.#stored().reasons;
  }

  /** The figures the run was computed from (null when the run did not keep them). */
  metrics(): EnterpriseMetrics | null {
    return this.#stored().metrics;
  }
}

async function load(database: Database, ref: RunRef): Promise<Evaluation> {
  const [run] = await database.db
    .select()
    .from(evaluationRuns)
    .where(sql`${evaluationRuns.id} = ${Number(ref.id)}`);
  // the score as JSON wrote it, so that it reads back as the very same double
  const rows = await database.rows<RunResultRow>(sql`
    select uscc, population, rank, grade, answer->>'score' as score,
      (answer->>'populationSize')::int as population_size, answer->>'gradeLabel' as grade_label,
      (answer->>'evaluated')::boolean as evaluated, answer->>'methodId' as method_id,
      answer->>'town' as town, answer->>'industryDivision' as industry_division, answer::text as answer
    from ${evaluationRunResults} where run_id = ${Number(ref.id)}`);
  const method = evaluationMethods().find((m) => m.id === run?.methodId) ?? null;
  const evaluation: Evaluation = {
    year: ref.year,
    method,
    dataVersion: `run:${ref.id}`,
    runId: ref.id,
    status: ref.status,
    results: new Map(),
    ranked: new Map(),
    notEvaluated: [],
  };
  for (const row of rows) {
    const result = new RunResult(row, ref);
    evaluation.results.set(row.uscc, result);
    if (!row.population) continue;
    const members = evaluation.ranked.get(row.population) ?? [];
    members.push(result);
    evaluation.ranked.set(row.population, members);
  }
  for (const members of evaluation.ranked.values()) members.sort((a, b) => a.rank! - b.rank!);
  return evaluation;
}

/**
 * Process-wide cache of published runs read back, per database: a run's answers never change, only
 * its status (notice → final → superseded), which is part of the key.
 */
const runs = new VersionedCache<Evaluation>(8);

/** A published run as an Evaluation (answers, rankings), read once per process and status. */
export function runEvaluation(database: Database, ref: RunRef): Promise<Evaluation> {
  return runs.get(database, `run:${ref.id}`, ref.status, () => load(database, ref));
}
