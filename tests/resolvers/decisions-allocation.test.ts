import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countyAllocation } from '../../resolvers/allocation.js';
import { surchargeFile } from '../../resolvers/allocation-export.js';
import { data } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { filler, loadTaxCorrection, seedDecisionsCounty, X } from './decisions-support.js';

const ALLOCATION = /* GraphQL */ `
  query ($uscc: String!, $year: Int!) {
    enterprise(uscc: $uscc) {
      allocation(year: $year) { grade consecutiveDYears surchargeYuanPerKwh runId gradeStatus
        history { year grade runId } reasons }
    }
  }`;

const admin = async (database: TestDatabase['database'], source: string, vars = {}) =>
  data(database, source, vars, 'admin');

async function publishFinal(database: TestDatabase['database'], year: number): Promise<string> {
  const { publishEvaluation } = await admin(
    database,
    'mutation ($y: Int!) { publishEvaluation(year: $y) { id } }',
    { y: year },
  );
  await admin(database, 'mutation ($id: ID!) { finalizeEvaluation(id: $id) { id } }', {
    id: publishEvaluation.id,
  });
  return publishEvaluation.id;
}

describe(`allocation from final runs; a revision after an upheld objection (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  const runs: Record<number, string> = {};
  beforeAll(async () => {
    t = await createTestDatabase();
    await seedDecisionsCounty(t.database);
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-decisions-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const allocation = async (uscc: string, year: number) =>
    (await data(t.database, ALLOCATION, { uscc, year })).enterprise.allocation;

  it('a D-run over three years of final runs gives 0.05 / 0.10 / 0.15', async () => {
    for (const year of [2022, 2023, 2024]) runs[year] = await publishFinal(t.database, year);
    const rates = [];
    for (const year of [2022, 2023, 2024]) {
      const a = await allocation(X, year);
      expect(a).toMatchObject({ grade: 'D', runId: runs[year], gradeStatus: 'final' });
      rates.push([a.consecutiveDYears, a.surchargeYuanPerKwh]);
    }
    expect(rates).toEqual([
      [1, 0.05],
      [2, 0.1],
      [3, 0.15],
    ]);
    const a2024 = await allocation(X, 2024);
    expect(a2024.history).toEqual([
      { year: 2022, grade: 'D', runId: runs[2022] },
      { year: 2023, grade: 'D', runId: runs[2023] },
      { year: 2024, grade: 'D', runId: runs[2024] },
    ]);
    expect(a2024.reasons.at(-1)).toContain(`第 ${runs[2024]} 号`);
    // 2025 has no final run: live, and it says so
    expect(await allocation(X, 2025)).toMatchObject({ gradeStatus: 'live', runId: null });
  });

  it('a correction loaded later leaves allocation(2024) and the 2025 surcharge list on the final run', async () => {
    const fileBefore = surchargeFile(await countyAllocation(t.database, 2024));
    await loadTaxCorrection(t.database, dir, 2024, 3_000_000);
    const live = await data(
      t.database,
      '{ enterprise(uscc: "' + X + '") { muEfficiency(year: 2024, live: true) { grade } } }',
    );
    expect(live.enterprise.muEfficiency.grade).toBe('A');
    expect(await allocation(X, 2024)).toMatchObject({
      grade: 'D',
      surchargeYuanPerKwh: 0.15,
      runId: runs[2024],
    });
    const fileAfter = surchargeFile(await countyAllocation(t.database, 2024));
    expect(fileAfter).toEqual(fileBefore);
    expect(fileAfter.rows.map((r) => [r.accountNo, r.uscc, r.rateYuanPerKwh])).toEqual([
      ['P0001', X, 0.15],
    ]);
    expect(fileAfter.gradesFrom).toBe(`2024年度正式评价结果 第${runs[2024]}号`);
    const list = await data(
      t.database,
      '{ allocationList(year: 2024) { enterprise { uscc } runId } }',
    );
    expect(list.allocationList.map((a: any) => a.enterprise.uscc).sort()).toEqual(
      [X, filler(1)].sort(),
    );
  });

  it('an upheld objection, a revision, and the list follows the new final run', async () => {
    const { objectEvaluation } = await admin(
      t.database,
      `mutation ($run: ID!, $uscc: String!) {
        objectEvaluation(runId: $run, uscc: $uscc, text: "12月补缴税款未计入", receivedOn: "2025-04-10") { id upheld } }`,
      { run: runs[2024], uscc: X },
    );
    expect(objectEvaluation.upheld).toBeNull();
    const { decideObjection } = await admin(
      t.database,
      'mutation ($id: ID!) { decideObjection(id: $id, upheld: true, note: "补缴税款属实，更正后重新公示") { upheld note decidedAt } }',
      { id: objectEvaluation.id },
    );
    expect(decideObjection.upheld).toBe(true);

    const { publishEvaluation: revision } = await admin(
      t.database,
      'mutation { publishEvaluation(year: 2024, note: "更正后重新公示") { id status } }',
    );
    // while the revision is a notice, the final run still decides
    expect(await allocation(X, 2024)).toMatchObject({ grade: 'D', runId: runs[2024] });
    const profile = async () =>
      (
        await data(
          t.database,
          `{ enterprise(uscc: "${X}") { muEfficiency(year: 2024) { grade status runId } } }`,
        )
      ).enterprise.muEfficiency;
    expect(await profile()).toMatchObject({ grade: 'D', status: 'final', runId: runs[2024] });

    await admin(t.database, 'mutation ($id: ID!) { finalizeEvaluation(id: $id) { id } }', {
      id: revision.id,
    });
    expect(await profile()).toMatchObject({ grade: 'A', status: 'final', runId: revision.id });
    expect(await allocation(X, 2024)).toMatchObject({
      grade: 'A',
      surchargeYuanPerKwh: null,
      runId: revision.id,
    });
    // F1 was D in the 2022 and 2023 final runs and is D again in the revision: its third year
    expect(await allocation(filler(1), 2024)).toMatchObject({
      grade: 'D',
      consecutiveDYears: 3,
      surchargeYuanPerKwh: 0.15,
    });
    const file = surchargeFile(await countyAllocation(t.database, 2024));
    expect(file.rows).toEqual([]);
    expect(file.gradesFrom).toBe(`2024年度正式评价结果 第${revision.id}号`);

    const { evaluationRuns } = await data(
      t.database,
      '{ evaluationRuns(year: 2024) { id status supersededBy objections { text upheld note } } }',
    );
    expect(evaluationRuns).toEqual([
      { id: revision.id, status: 'final', supersededBy: null, objections: [] },
      {
        id: runs[2024],
        status: 'superseded',
        supersededBy: revision.id,
        objections: [
          { text: '12月补缴税款未计入', upheld: true, note: '补缴税款属实，更正后重新公示' },
        ],
      },
    ]);
  });

  it('refuses a second decision and a finalize of a superseded run', async () => {
    const again = await data(t.database, '{ evaluationRuns(year: 2024) { id objections { id } } }');
    const objection = again.evaluationRuns[1].objections[0].id;
    const { run } = await import('../schema/support.js');
    const decided = await run(
      t.database,
      'mutation ($id: ID!) { decideObjection(id: $id, upheld: false, note: "再议") { id } }',
      { id: objection },
      'admin',
    );
    expect(decided.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const finalized = await run(
      t.database,
      'mutation ($id: ID!) { finalizeEvaluation(id: $id) { id } }',
      { id: runs[2024] },
      'admin',
    );
    expect(finalized.errors?.[0]?.message).toContain('superseded');
  });

  it('audits each write once', async () => {
    const rows = await t.database.rows<{ action: string; n: number }>(
      sql`select action, count(*)::int as n from audit_log where action is not null group by action order by action`,
    );
    expect(rows).toEqual([
      { action: 'decideObjection', n: 1 },
      { action: 'finalizeEvaluation', n: 4 },
      { action: 'objectEvaluation', n: 1 },
      { action: 'publishEvaluation', n: 4 },
    ]);
  });
});
