import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluationOfRecord } from '../../resolvers/decisions/runs.js';
import { muEfficiencyOf } from '../../resolvers/evaluation.js';
import { data, run } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { filler, loadTaxCorrection, seedDecisionsCounty, X } from './decisions-support.js';

const PROFILE = /* GraphQL */ `
  query ($uscc: String!, $year: Int!, $live: Boolean) {
    enterprise(uscc: $uscc) {
      muEfficiency(year: $year, live: $live) {
        score rank grade status runId reasons indicators { name value benchmark points }
      }
    }
  }`;

const PUBLISH = /* GraphQL */ `
  mutation ($year: Int!, $note: String) {
    publishEvaluation(year: $year, note: $note) { id year status methodId dataCutBatchId publishedBy note }
  }`;

const FINALIZE = /* GraphQL */ `
  mutation ($id: ID!) { finalizeEvaluation(id: $id) { id status finalizedBy } }`;

describe(`evaluation runs: publish, correct, read (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDecisionsCounty(t.database);
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-decisions-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const profile = async (year: number, live = false) =>
    (await data(t.database, PROFILE, { uscc: X, year, live })).enterprise.muEfficiency;

  it('answers live before anything is published', async () => {
    const p = await profile(2024);
    expect(p).toMatchObject({ grade: 'D', rank: 21, status: 'live', runId: null });
  });

  it('refuses writes to every role but admin', async () => {
    const writes: [string, Record<string, unknown>][] = [
      [PUBLISH, { year: 2024 }],
      [FINALIZE, { id: '1' }],
      [
        `mutation { objectEvaluation(runId: "1", uscc: "${X}", text: "异议", receivedOn: "2025-04-01") { id } }`,
        {},
      ],
      ['mutation { decideObjection(id: "1", upheld: true, note: "成立") { id } }', {}],
    ];
    for (const role of ['analyst', 'tax', 'market', 'dashboard'] as const)
      for (const [source, variables] of writes) {
        const result = await run(t.database, source, variables, role);
        expect(result.errors?.[0]?.extensions?.code, `${role}: ${source}`).toBe('FORBIDDEN');
      }
    expect((await t.database.rows(sql`select 1 from evaluation_runs`)).length).toBe(0);
  });

  it('publishes 2024: a correction loaded later moves live but not the published answer', async () => {
    const before = await profile(2024);
    const published = (
      await data(t.database, PUBLISH, { year: 2024, note: '2024年度公示' }, 'admin')
    ).publishEvaluation;
    expect(published).toMatchObject({ year: 2024, status: 'notice', note: '2024年度公示' });
    const notice = await profile(2024);
    expect(notice).toMatchObject({ status: 'notice', runId: published.id });
    // the whole answer is kept: indicators, benchmarks and reasons read back the same
    const { status: _s, runId: _r, ...liveAnswer } = before;
    const { status: _s2, runId: _r2, ...noticeAnswer } = notice;
    expect(noticeAnswer).toEqual(liveAnswer);

    const final = (await data(t.database, FINALIZE, { id: published.id }, 'admin'))
      .finalizeEvaluation;
    expect(final.status).toBe('final');

    const batch = await loadTaxCorrection(t.database, dir, 2024, 3_000_000);
    const after = await profile(2024);
    expect(after).toMatchObject({
      status: 'final',
      runId: published.id,
      grade: 'D',
      rank: 21,
      score: before.score,
    });
    const live = await profile(2024, true);
    expect(live).toMatchObject({ status: 'live', runId: null, grade: 'A', rank: 1 });

    // evaluationChanges: exactly the firms whose grade or score moved, X with the correction's batch
    const changes = (
      await data(
        t.database,
        /* GraphQL */ `{ evaluationChanges(year: 2024) {
          enterprise { uscc } published { grade score status } live { grade score status }
          batches { id source fileName rowsRead } } }`,
      )
    ).evaluationChanges;
    const publishedRun = await evaluationOfRecord(t.database, 2024);
    const liveRun = await evaluationOfRecord(t.database, 2024, { live: true });
    const moved = [...liveRun.results.keys()]
      .filter((u) => {
        const a = muEfficiencyOf(publishedRun, u);
        const b = muEfficiencyOf(liveRun, u);
        return a.grade !== b.grade || a.score !== b.score;
      })
      .sort();
    expect(changes.map((c: any) => c.enterprise.uscc)).toEqual(moved);
    expect(moved).toContain(X);
    expect(moved).toContain(filler(1)); // F1 leaves D when X climbs
    const x = changes.find((c: any) => c.enterprise.uscc === X);
    expect(x.published).toMatchObject({ grade: 'D', status: 'final' });
    expect(x.live).toMatchObject({ grade: 'A', status: 'live' });
    expect(x.batches).toEqual([
      {
        id: String(batch),
        source: 'tax-payments',
        fileName: 'tax-correction-CORR-2024.csv',
        rowsRead: 1,
      },
    ]);
    for (const c of changes.filter((c: any) => c.enterprise.uscc !== X))
      expect(c.batches).toEqual([]);
  });

  it('ranks from the run of record, or live on request', async () => {
    const ranking = async (live: boolean) =>
      (
        await data(
          t.database,
          /* GraphQL */ `query ($live: Boolean) { muEfficiencyRanking(year: 2024, population: BELOW_SCALE, live: $live) {
            enterprise { uscc } grade status } }`,
          { live },
        )
      ).muEfficiencyRanking;
    const published = await ranking(false);
    expect(published.at(-1)).toMatchObject({
      enterprise: { uscc: X },
      grade: 'D',
      status: 'final',
    });
    expect((await ranking(true))[0]).toMatchObject({ enterprise: { uscc: X }, status: 'live' });
  });

  it('counts the county’s grades from the run of record, and says so', async () => {
    const query = /* GraphQL */ `{ countyAggregates(year: 2024) { gradesStatus gradesRunId
      byTown { key grades { population evaluated a d } } } }`;
    // as an analyst: 南旺镇 has one evaluated firm, a small cell the dashboard role does not get
    // (tests/auth/small-cells.test.ts)
    const { countyAggregates } = await data(t.database, query, {}, 'analyst');
    const [run] = (await data(t.database, '{ evaluationRuns(year: 2024) { id } }')).evaluationRuns;
    expect(countyAggregates).toMatchObject({ gradesStatus: 'final', gradesRunId: run.id });
    // X (南旺镇) is D in the final run though live it is A now
    const town = countyAggregates.byTown.find((g: any) => g.key === '南旺镇');
    expect(town.grades.find((g: any) => g.population === 'BELOW_SCALE')).toMatchObject({
      evaluated: 1,
      a: 0,
      d: 1,
    });
  });

  it('writes every write once in the audit log, with who and what', async () => {
    const rows = await t.database.rows<{ action: string; role: string; detail: any }>(
      sql`select action, role, detail from audit_log where action is not null order by id`,
    );
    expect(rows.map((r) => [r.action, r.role])).toEqual([
      ['publishEvaluation', 'admin'],
      ['finalizeEvaluation', 'admin'],
    ]);
    expect(rows[0].detail).toMatchObject({ year: 2024, enterprises: 21 });
  });
});
