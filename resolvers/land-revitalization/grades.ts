import type { Database } from '../../db/client.js';
import { gradesOfRecord as evaluationGradesOfRecord } from '../decisions/runs.js';
import type { GradeOfRecord } from './types.js';

/**
 * The grades of `year` as the county publishes them — the year's final run, else its notice run,
 * else the live evaluation (docs/decisions.md) — for every graded enterprise: the one place low
 * efficiency reads grades from. Cached per run and data version by the evaluation of record.
 */
export async function gradesOfRecord(
  database: Database,
  year: number,
): Promise<Map<string, GradeOfRecord>> {
  const evaluation = await evaluationGradesOfRecord(database, year);
  const grades = new Map<string, GradeOfRecord>();
  for (const r of evaluation.results.values())
    if (r.evaluated && r.grade)
      grades.set(r.uscc, {
        uscc: r.uscc,
        year,
        grade: r.grade,
        score: r.score,
        population: r.population,
        source: r.status,
        runId: r.runId,
      });
  return grades;
}
