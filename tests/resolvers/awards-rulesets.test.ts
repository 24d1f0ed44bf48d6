import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awardCandidates, eligibilityFor } from '../../resolvers/awards/engine.js';
import {
  DEFAULT_RULESETS_DIR,
  defaultRegistry,
  loadRuleSets,
  parseRuleSet,
  RuleSetError,
} from '../../resolvers/awards/ruleset.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { addDesignation, addEnterprise, addProject, addTaxYears } from './awards-seed.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/rulesets');
const OLD = '汶政发〔2022〕9号';
const NEW = '汶政发〔2025〕99号（测试用）';

describe('rule set files', () => {
  it('loads 汶政发〔2022〕9号 from config/rulesets with its window and every code of docs/awards.md', () => {
    const [set] = defaultRegistry().ruleSets;
    expect(set).toMatchObject({
      documentNo: OLD,
      window: { from: '2022-12-24', to: '2025-12-23' },
    });
    expect(set.rules).toHaveLength(19);
    expect(set.rules.find((r) => r.code === 'CLIMBING_PROGRAM')?.amount).toMatchObject({
      type: 'set-elsewhere',
    });
  });

  const valid = () =>
    JSON.parse(JSON.stringify(defaultRegistry().ruleSets[0])) as Record<string, any>;

  it.each([
    ['an unknown kind', (s: any) => (s.rules[0].condition.kind = 'lottery'), /kind/],
    [
      'a window that ends before it starts',
      (s: any) => (s.effectiveTo = '2022-01-01'),
      /ends before it starts/,
    ],
    ['a code twice', (s: any) => (s.rules[1].code = s.rules[0].code), /appears twice/],
    [
      'a computed amount on a designation',
      (s: any) => (s.rules[6].amount = { type: 'computed' }),
      /does not compute/,
    ],
    ['a date that is not a date', (s: any) => (s.effectiveFrom = '2022-02-30'), /YYYY-MM-DD/],
    ['an unknown parameter', (s: any) => (s.rules[0].condition.thresholdYen = 1), /thresholdYen/],
  ])('refuses %s, naming the file', (_what, spoil, message) => {
    const data = valid();
    delete data.window;
    delete data.file;
    spoil(data);
    expect(() => parseRuleSet(data, 'broken.json')).toThrow(RuleSetError);
    expect(() => parseRuleSet(data, 'broken.json')).toThrow(message);
    expect(() => parseRuleSet(data, 'broken.json')).toThrow(/broken\.json/);
  });

  it('refuses two files with one document number', () => {
    expect(() => loadRuleSets([DEFAULT_RULESETS_DIR, DEFAULT_RULESETS_DIR])).toThrow(
      /two rule sets carry/,
    );
  });
});

describe(`a second rule set answers side by side (${testDbMode()})`, () => {
  let t: TestDatabase;
  const registry = loadRuleSets([DEFAULT_RULESETS_DIR, FIXTURES]);
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.drop());

  const answers = async (uscc: string, asOf: string) =>
    (await eligibilityFor(t.database, [uscc], asOf, { registry })).get(uscc)!;

  it('in force from its own start: before it only the old set answers, after it both', async () => {
    const uscc = await addEnterprise(t.database);
    expect(new Set((await answers(uscc, '2025-12-23')).map((a) => a.ruleSet))).toEqual(
      new Set([OLD]),
    );
    const both = await answers(uscc, '2025-12-24');
    expect(both).toHaveLength(19 + 4);
    expect(both.filter((a) => a.ruleSet === NEW).map((a) => a.code)).toEqual([
      'REVENUE_500M',
      'REVENUE_5B',
      'SMART_FACTORY',
      'SMART_UPGRADE_SUBSIDY',
    ]);
  });

  it('a 2025 crossing is outside the old window and inside the new one; a 2023 crossing the other way round', async () => {
    const late = await addEnterprise(t.database);
    await addTaxYears(t.database, late, [
      { year: 2024, revenue: '400000000.00' },
      { year: 2025, revenue: '5200000000.00' },
    ]);
    const early = await addEnterprise(t.database);
    await addTaxYears(t.database, early, [
      { year: 2022, revenue: '400000000.00' },
      { year: 2023, revenue: '600000000.00' },
    ]);
    const pick = (list: Awaited<ReturnType<typeof answers>>, ruleSet: string, code: string) =>
      list.find((a) => a.ruleSet === ruleSet && a.code === code)!;
    const lateAnswers = await answers(late, '2026-01-01');
    expect(pick(lateAnswers, OLD, 'REVENUE_500M')).toMatchObject({
      eligible: false,
      eventDate: '2025-12-31',
    });
    expect(pick(lateAnswers, NEW, 'REVENUE_500M')).toMatchObject({
      eligible: true,
      amountYuan: 80_000,
      eventDate: '2025-12-31',
      clause: '3',
    });
    expect(pick(lateAnswers, NEW, 'REVENUE_5B')).toMatchObject({
      eligible: true,
      amountYuan: 500_000,
    });
    expect(pick(lateAnswers, NEW, 'REVENUE_5B').reasons.join('\n')).toContain(
      '政策有效期 2025-12-24 至 2028-12-23',
    );
    const earlyAnswers = await answers(early, '2026-01-01');
    expect(pick(earlyAnswers, OLD, 'REVENUE_500M')).toMatchObject({
      eligible: true,
      amountYuan: 50_000,
    });
    expect(pick(earlyAnswers, NEW, 'REVENUE_500M')).toMatchObject({ eligible: false });
  });

  it('the same kind with other parameters: 8% of a 600,000 project, two years of operation', async () => {
    const uscc = await addEnterprise(t.database, { establishedOn: '2024-06-01' });
    await addProject(t.database, uscc, {
      equipment: '500000.00',
      software: '100000.00',
      acceptedOn: '2026-03-01',
    });
    const list = await answers(uscc, '2026-06-30');
    const young = list.find((a) => a.ruleSet === NEW && a.code === 'SMART_UPGRADE_SUBSIDY')!;
    expect(young.eligible).toBe(false);
    expect(young.reasons.join('\n')).toContain('满 2 年为 2026-06-01，晚于验收日期');
    const older = await addEnterprise(t.database, { establishedOn: '2020-06-01' });
    await addProject(t.database, older, {
      equipment: '500000.00',
      software: '100000.00',
      acceptedOn: '2026-03-01',
    });
    const sub = (await answers(older, '2026-06-30')).find(
      (a) => a.ruleSet === NEW && a.code === 'SMART_UPGRADE_SUBSIDY',
    )!;
    expect(sub).toMatchObject({ eligible: true, amountYuan: 48_000, eventDate: '2026-03-01' });
    expect(sub.reasons.join('\n')).toContain('软件投资占比 16.66% ≥ 15%');
  });

  it('candidates of a code shared by both sets list each set’s eligible answers', async () => {
    const a = await addEnterprise(t.database);
    await addDesignation(t.database, a, '省级智能工厂', '2024-04-04');
    const b = await addEnterprise(t.database);
    await addDesignation(t.database, b, '省级智能工厂', '2026-04-04');
    const list = await awardCandidates(t.database, 'SMART_FACTORY', '2026-12-31', { registry });
    expect(list.map((x) => [x.ruleSet, x.uscc, x.amountYuan])).toEqual([
      [OLD, a, 50_000],
      [NEW, b, 60_000],
    ]);
  });
});
