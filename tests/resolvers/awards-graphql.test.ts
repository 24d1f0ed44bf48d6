import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.js';
import { countQueries, data, run } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { addDesignation, addEnterprise, addProject, addTaxYears } from './awards-seed.js';

describe(`awards over GraphQL (${testDbMode()})`, () => {
  let t: TestDatabase;
  const firms: string[] = [];
  beforeAll(async () => {
    t = await createTestDatabase();
    for (let i = 0; i < 12; i++) {
      const uscc = await addEnterprise(t.database, {
        industryDivision: i % 3 === 0 ? 'I65' : 'C36',
      });
      await addDesignation(t.database, uscc, '省级智能工厂', `2023-0${1 + (i % 9)}-10`);
      await addTaxYears(t.database, uscc, [
        { year: 2022, revenue: '300000000.00' },
        { year: 2023, revenue: i < 4 ? '650000000.00' : '310000000.00' },
      ]);
      if (i === 5)
        await addProject(t.database, uscc, {
          equipment: '1800000.00',
          software: '200000.00',
          acceptedOn: '2024-03-03',
        });
      firms.push(uscc);
    }
  });
  afterAll(() => t?.drop());

  const ELIGIBILITY = /* GraphQL */ `
    query ($uscc: String!, $asOf: Date!) {
      enterprise(uscc: $uscc) {
        awardEligibility(asOf: $asOf) { enterprise { uscc } uscc code clause ruleSet title eligible amountYuan eventDate reasons missing }
      }
    }`;

  it('Enterprise.awardEligibility answers one entry per award code with its reasons', async () => {
    const { enterprise } = await data(t.database, ELIGIBILITY, {
      uscc: firms[0],
      asOf: '2024-06-30',
    });
    expect(enterprise.awardEligibility).toHaveLength(19);
    const smart = enterprise.awardEligibility.find((a: any) => a.code === 'SMART_FACTORY');
    expect(smart).toMatchObject({
      enterprise: { uscc: firms[0] },
      clause: '9',
      ruleSet: '汶政发〔2022〕9号',
      eligible: true,
      amountYuan: 50000,
      eventDate: '2023-01-10',
      missing: [],
    });
    const software = enterprise.awardEligibility.find(
      (a: any) => a.code === 'SOFTWARE_REVENUE_10M',
    );
    expect(software.eligible).toBe(false);
    expect(software.missing).toEqual([]);
    expect(software.reasons.join('\n')).toContain('软件业务收入均未达到 10,000,000 元');
  });

  it('is batched through the per-request loader: three enterprises or twelve cost the same statements', async () => {
    const query = (n: number) =>
      `{ enterprises(first: ${n}) { edges { node { uscc awardEligibility(asOf: "2024-06-30") { code eligible } } } } }`;
    const awardsOnly = await countQueries(t.database, () =>
      data(t.database, `{ enterprises(first: 12) { edges { node { uscc } } } }`),
    );
    const few = await countQueries(t.database, () => data(t.database, query(3)));
    const many = await countQueries(t.database, () => data(t.database, query(12)));
    expect(many.result.enterprises.edges).toHaveLength(12);
    expect(
      many.result.enterprises.edges.every((e: any) => e.node.awardEligibility.length === 19),
    ).toBe(true);
    expect(many.queries).toBe(few.queries);
    expect(many.queries - awardsOnly.queries).toBeLessThanOrEqual(5);
  });

  it('awardCandidates lists the eligible ones; awardSummary counts and sums by clause', async () => {
    const { awardCandidates } = await data(
      t.database,
      `{ awardCandidates(code: REVENUE_500M, asOf: "2024-01-01") { uscc code amountYuan eventDate eligible } }`,
    );
    expect(awardCandidates.map((a: any) => a.uscc).sort()).toEqual(firms.slice(0, 4).sort());
    expect(
      awardCandidates.every(
        (a: any) => a.eligible && a.amountYuan === 50000 && a.eventDate === '2023-12-31',
      ),
    ).toBe(true);
    const { awardSummary } = await data(
      t.database,
      `{ awardSummary(asOf: "2024-06-30") { ruleSet clause code title candidates totalAmountYuan unpricedCandidates } }`,
      {},
      'dashboard',
    );
    expect(awardSummary.find((s: any) => s.code === 'SMART_FACTORY')).toMatchObject({
      clause: '9',
      candidates: 12,
      totalAmountYuan: 600000,
      unpricedCandidates: 0,
    });
    expect(awardSummary.find((s: any) => s.code === 'REVENUE_500M')).toMatchObject({
      clause: '4',
      candidates: 4,
      totalAmountYuan: 200000,
    });
    expect(awardSummary.find((s: any) => s.code === 'SMART_UPGRADE_SUBSIDY')).toMatchObject({
      clause: '8',
      candidates: 1,
      totalAmountYuan: 100000,
    });
  });

  it('the dashboard reads the summary but not the per-enterprise candidates', async () => {
    const result = await run(
      t.database,
      `{ awardCandidates(code: SMART_FACTORY, asOf: "2024-01-01") { uscc } }`,
      {},
      'dashboard',
    );
    expect(result.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('a date that is not a calendar date is the caller’s error, said plainly', async () => {
    const result = await run(t.database, `{ awardSummary(asOf: "2023-02-30") { code } }`);
    expect(result.errors?.[0].message).toMatch(/YYYY-MM-DD/);
  });

  it('AwardCode lists every code of the rule sets with its Chinese description', () => {
    const type = schema.getType('AwardCode') as import('graphql').GraphQLEnumType;
    const values = type.getValues();
    expect(values).toHaveLength(19);
    expect(values.find((v) => v.name === 'LITTLE_GIANT')?.description).toBe(
      '新认定为国家级专精特新“小巨人”企业（汶政发〔2022〕9号 第5条）',
    );
  });
});
