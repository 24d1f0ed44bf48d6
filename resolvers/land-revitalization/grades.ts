import type { Database } from '../../db/client.js';
import { evaluateYear } from '../evaluation.js';
import type { GradeOfRecord } from './types.js';

/**
 * The grades of `year` as the county reads them — the year's final run, else its notice run, else
 * the live evaluation — for every graded enterprise. The one place low efficiency reads grades
 * from: today the live evaluation (no runs are kept yet).
 */
export async function gradesOfRecord(
  database: Database,
  year: number,
): Promise<Map<string, GradeOfRecord>> {
  const evaluation = await evaluateYear(database, year);
  const grades = new Map<string, GradeOfRecord>();
  for (const r of evaluation.results.values())
    if (r.evaluated && r.grade)
      grades.set(r.uscc, {
        uscc: r.uscc,
        year,
        grade: r.grade,
        score: r.score,
        population: r.population,
        source: 'live',
      });
  return grades;
}
