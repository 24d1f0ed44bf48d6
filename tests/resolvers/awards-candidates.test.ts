import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awardCandidates, awardSummary, eligibilityFor } from '../../resolvers/awards/engine.js';
import { awardCodes, defaultRegistry } from '../../resolvers/awards/ruleset.js';
import type { AwardEligibility } from '../../resolvers/awards/types.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { addDesignation, addEnterprise, addProject, addTaxYears } from './awards-seed.js';

/** A small deterministic county with something for every award code, and the set-based paths checked against the per-enterprise one. */
describe(`award candidates and summary (${testDbMode()})`, () => {
  let t: TestDatabase;
  const all: string[] = [];
  let seed = 20221224;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const date = (from: number, to: number) => {
    const y = from + Math.floor(random() * (to - from + 1));
    return `${y}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
  };
  const TYPES = [
    '国家级专精特新小巨人',
    '省级专精特新中小企业',
    '两化融合管理体系贯标',
    '省级智能工厂',
    '省级数字化车间',
    '省级5G产业试点示范项目',
    '工业互联网创新示范企业',
    '国家首台(套)重大技术装备',
    '省首台(套)重大技术装备',
    '规上工业企业首次纳统',
    '攀登工程协议完成',
  ];

  beforeAll(async () => {
    t = await createTestDatabase();
    for (let i = 0; i < 70; i++) {
      const division = pick(['C18', 'C18', 'C36', 'I65', 'C39', null]);
      const uscc = await addEnterprise(t.database, {
        status: pick(['存续', '存续', '存续', '在业', '注销', '吊销']),
        establishedOn: pick([date(2010, 2024), date(2010, 2024), '2024-02-29', null]),
        industryDivision: division,
      });
      all.push(uscc);
      const base = 1e8 * (1 + random() * 20);
      await addTaxYears(
        t.database,
        uscc,
        [2020, 2021, 2022, 2023, 2024, 2025]
          .filter(() => random() < 0.8)
          .map((year) => ({
            year,
            revenue:
              random() < 0.05
                ? null
                : (base * (0.6 + random() * 0.9) * (1 + (year - 2020) * 0.15)).toFixed(2),
            software: division === 'I65' ? (3e6 * (1 + random() * 12)).toFixed(2) : null,
            employees: 20 + Math.floor(random() * 20),
          })),
      );
      for (let k = Math.floor(random() * 4); k > 0; k--)
        await addDesignation(t.database, uscc, pick(TYPES), date(2020, 2026)).catch(() => {});
      for (let k = Math.floor(random() * 3); k > 0; k--) {
        const equipment = 5e5 + random() * 3e7;
        await addProject(t.database, uscc, {
          equipment: equipment.toFixed(2),
          software: (equipment * random() * 0.25).toFixed(2),
          acceptedOn: random() < 0.1 ? null : date(2022, 2026),
          alreadySupported: random() < 0.2,
        });
      }
    }
    // Beside the random ones, one sure case for the codes chance may miss.
    const software = await addEnterprise(t.database, { industryDivision: 'I65' });
    await addTaxYears(t.database, software, [
      { year: 2022, software: '5000000.00' },
      { year: 2023, software: '35000000.00' },
    ]);
    await addDesignation(t.database, software, '省级专精特新中小企业', '2024-04-01');
    const core = await addEnterprise(t.database, { industryDivision: 'C18' });
    await addDesignation(t.database, core, '服装加工龙头企业(核心厂)备案', '2023-01-01');
    all.push(software, core);
    for (let i = 1; i <= 10; i++) {
      const partner = await addEnterprise(t.database, { industryDivision: 'C18' });
      await addTaxYears(t.database, partner, [
        { year: 2022, employees: 35 },
        { year: 2023, employees: 35 },
        { year: 2024, employees: 35 },
      ]);
      await addDesignation(t.database, partner, '单品精益化工厂', `2023-0${1 + (i % 9)}-15`, core);
      all.push(partner);
    }
    const apparel = all.slice(0, 50);
    for (const core of all.slice(0, 3)) {
      await addDesignation(t.database, core, '服装加工龙头企业(核心厂)备案', date(2022, 2023));
      for (const partner of apparel.filter((p) => p !== core && random() < 0.6)) {
        await addDesignation(t.database, partner, '单品精益化工厂', date(2022, 2025), core).catch(
          () => {},
        );
      }
    }
  });
  afterAll(() => t?.drop());

  const key = (a: AwardEligibility) =>
    `${a.ruleSet}|${a.code}|${a.uscc}|${a.amountYuan}|${a.eventDate}`;
  const DATES = ['2022-12-24', '2023-12-31', '2024-06-30', '2025-12-23', '2026-06-30'];

  it.each(DATES)(
    'as of %s, every code’s candidates equal eligibilityFor over all enterprises, filtered',
    async (asOf) => {
      const everyone = [...(await eligibilityFor(t.database, all, asOf)).values()]
        .flat()
        .filter((a) => a.eligible);
      let found = 0;
      for (const { rule } of awardCodes(defaultRegistry())) {
        const candidates = await awardCandidates(t.database, rule.code, asOf);
        expect(candidates.map(key).sort()).toEqual(
          everyone
            .filter((a) => a.code === rule.code)
            .map(key)
            .sort(),
        );
        found += candidates.length;
      }
      if (asOf >= '2024-06-30') expect(found).toBeGreaterThan(10);
    },
  );

  it('every award code has at least one candidate somewhere in this county', async () => {
    const codes = new Set<string>();
    for (const asOf of DATES) {
      for (const row of await awardSummary(t.database, asOf))
        if (row.candidates > 0) codes.add(row.code);
    }
    expect([...codes].sort()).toEqual(
      awardCodes(defaultRegistry())
        .map((b) => b.rule.code)
        .sort(),
    );
  });

  it('the summary counts and sums the candidates per code, exactly', async () => {
    const asOf = '2025-12-23';
    const summary = await awardSummary(t.database, asOf);
    expect(summary).toHaveLength(19);
    for (const row of summary) {
      const list = await awardCandidates(t.database, row.code, asOf);
      expect(row.candidates).toBe(list.length);
      expect(row.unpricedCandidates).toBe(list.filter((a) => a.amountYuan === null).length);
      expect(row.totalAmountYuan).toBeCloseTo(
        list.reduce((s, a) => s + (a.amountYuan ?? 0), 0),
        2,
      );
    }
  });

  it('is batched: the same few statements for one enterprise or eighty', async () => {
    const count = async (usccs: string[]) => {
      const before = t.database.stats.queries;
      await eligibilityFor(t.database, usccs, '2025-06-30');
      return t.database.stats.queries - before;
    };
    const one = await count(all.slice(0, 1));
    const many = await count(all);
    expect(one).toBeLessThanOrEqual(5);
    expect(many).toBe(one);
    const before = t.database.stats.queries;
    await awardCandidates(t.database, 'APPAREL_CORE_FACTORY', '2025-06-30');
    expect(t.database.stats.queries - before).toBeLessThanOrEqual(1 + 3); // prefilter + register, designations, partners
  });

  it('an unknown code is refused with the known ones listed', async () => {
    await expect(awardCandidates(t.database, 'LOTTERY', '2024-01-01')).rejects.toThrow(
      /未知的奖励代码 LOTTERY；可选代码：REVENUE_500M/,
    );
  });
});
