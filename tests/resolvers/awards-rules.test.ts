import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eligibilityFor } from '../../resolvers/awards/engine.js';
import type { AwardEligibility } from '../../resolvers/awards/types.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import {
  addDesignation,
  addEnterprise,
  addProject,
  addTaxYears,
  type EnterpriseSeed,
} from './awards-seed.js';

/** docs/awards.md: every award code of 汶政发〔2022〕9号 at its boundaries. */
describe(`award rules of 汶政发〔2022〕9号 (${testDbMode()})`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t?.drop());

  async function answer(
    uscc: string,
    code: string,
    asOf = '2025-12-31',
  ): Promise<AwardEligibility> {
    const all = (await eligibilityFor(t.database, [uscc], asOf)).get(uscc)!;
    const found = all.find((a) => a.code === code);
    if (!found) throw new Error(`no ${code} among ${all.map((a) => a.code).join(',')}`);
    return found;
  }
  const withDesignation = async (type: string, date: string, seed: EnterpriseSeed = {}) => {
    const uscc = await addEnterprise(t.database, seed);
    await addDesignation(t.database, uscc, type, date);
    return uscc;
  };

  describe('rule sets in force and the enterprise gates', () => {
    it('answers one entry per award code once the window has started, none before', async () => {
      const uscc = await addEnterprise(t.database);
      expect((await eligibilityFor(t.database, [uscc], '2022-12-23')).get(uscc)).toEqual([]);
      const codes = (await eligibilityFor(t.database, [uscc], '2022-12-24'))
        .get(uscc)!
        .map((a) => a.code);
      expect(codes).toEqual([
        'REVENUE_500M',
        'REVENUE_1B',
        'REVENUE_2B',
        'APPAREL_CORE_FACTORY',
        'FIRST_SCALE_ENTRY',
        'CLIMBING_PROGRAM',
        'LITTLE_GIANT',
        'PROVINCIAL_SRDI',
        'IT_INTEGRATION_CERT',
        'SMART_UPGRADE_SUBSIDY',
        'PROVINCIAL_5G_PILOT',
        'INDUSTRIAL_INTERNET_DEMO',
        'SMART_FACTORY',
        'DIGITAL_WORKSHOP',
        'SOFTWARE_REVENUE_10M',
        'SOFTWARE_REVENUE_20M',
        'SOFTWARE_REVENUE_30M',
        'FIRST_SET_NATIONAL',
        'FIRST_SET_PROVINCIAL',
      ]);
      const entry = (await eligibilityFor(t.database, [uscc], '2022-12-24')).get(uscc)![0];
      expect(entry).toMatchObject({
        ruleSet: '汶政发〔2022〕9号',
        clause: '4',
        title: '年营业收入首次突破5亿元',
      });
    });

    it.each(['注销', '吊销', '迁出'])(
      'a %s enterprise is not eligible, and the reason says so',
      async (status) => {
        const uscc = await withDesignation('省级智能工厂', '2023-06-01', { status });
        const a = await answer(uscc, 'SMART_FACTORY');
        expect(a.eligible).toBe(false);
        expect(a.amountYuan).toBeNull();
        expect(a.eventDate).toBe('2023-06-01');
        expect(a.reasons.join('\n')).toContain(`登记状态为「${status}」`);
      },
    );

    it('在业 is active like 存续', async () => {
      const uscc = await withDesignation('省级智能工厂', '2023-06-01', { status: '在业' });
      expect((await answer(uscc, 'SMART_FACTORY')).eligible).toBe(true);
    });

    it('an enterprise established after asOf is not eligible; an unknown 成立日期 is reported missing', async () => {
      const late = await withDesignation('省级智能工厂', '2023-06-01', {
        establishedOn: '2024-01-10',
      });
      const early = await answer(late, 'SMART_FACTORY', '2024-01-09');
      expect(early.eligible).toBe(false);
      expect(early.reasons.join('\n')).toContain('成立日期 2024-01-10 晚于查询日期 2024-01-09');
      expect((await answer(late, 'SMART_FACTORY', '2024-01-10')).eligible).toBe(true);
      const unknown = await withDesignation('省级智能工厂', '2023-06-01', { establishedOn: null });
      const a = await answer(unknown, 'SMART_FACTORY');
      expect(a.eligible).toBe(false);
      expect(a.missing.join('\n')).toContain('成立日期');
    });

    it('a USCC not in the register gets answers that say so', async () => {
      const [a] = (await eligibilityFor(t.database, ['91370830NOTHERE01X'], '2024-01-01')).get(
        '91370830NOTHERE01X',
      )!;
      expect(a.eligible).toBe(false);
      expect(a.reasons[0]).toContain('不在县市场监督管理局企业登记中');
    });

    it('refuses a date that is not a calendar date', async () => {
      await expect(eligibilityFor(t.database, ['x'], '2023-02-30')).rejects.toThrow(/YYYY-MM-DD/);
    });
  });

  describe('designation awards (clauses 5, 7, 8, 9, 13)', () => {
    it.each([
      ['LITTLE_GIANT', '国家级专精特新小巨人', 200_000],
      ['PROVINCIAL_SRDI', '省级专精特新中小企业', 100_000],
      ['IT_INTEGRATION_CERT', '两化融合管理体系贯标', 200_000],
      ['PROVINCIAL_5G_PILOT', '省级5G产业试点示范项目', 50_000],
      ['INDUSTRIAL_INTERNET_DEMO', '工业互联网创新示范企业', 100_000],
      ['SMART_FACTORY', '省级智能工厂', 50_000],
      ['DIGITAL_WORKSHOP', '省级数字化车间', 50_000],
      ['FIRST_SET_NATIONAL', '国家首台(套)重大技术装备', 50_000],
      ['FIRST_SET_PROVINCIAL', '省首台(套)重大技术装备', 30_000],
    ])('%s: 「%s」 newly recognised pays %d 元', async (code, type, amount) => {
      const uscc = await withDesignation(type, '2023-06-01');
      const a = await answer(uscc, code);
      expect(a).toMatchObject({ eligible: true, amountYuan: amount, eventDate: '2023-06-01' });
      expect(a.reasons.join('\n')).toContain(`「${type}」认定日期 2023-06-01`);
      // Only its own code: the others stay not eligible.
      const all = (await eligibilityFor(t.database, [uscc], '2025-12-31')).get(uscc)!;
      expect(all.filter((x) => x.eligible).map((x) => x.code)).toEqual([code]);
    });

    it.each([
      ['2022-12-23', false],
      ['2022-12-24', true],
      ['2025-12-23', true],
      ['2025-12-24', false],
    ])('recognised on %s (window 2022-12-24 … 2025-12-23): eligible %s', async (date, eligible) => {
      const uscc = await withDesignation('省级数字化车间', date);
      const a = await answer(uscc, 'DIGITAL_WORKSHOP', '2026-06-30');
      expect(a.eligible).toBe(eligible);
      expect(a.eventDate).toBe(date);
      expect(a.reasons.join('\n')).toContain(
        eligible ? '在政策有效期 2022-12-24 至 2025-12-23内' : '不在有效期内',
      );
    });

    it('asOf before the recognition: not yet; on the day: eligible', async () => {
      const uscc = await withDesignation('国家级专精特新小巨人', '2024-05-01');
      const before = await answer(uscc, 'LITTLE_GIANT', '2024-04-30');
      expect(before.eligible).toBe(false);
      expect(before.reasons.join('\n')).toContain('晚于查询日期 2024-04-30');
      expect((await answer(uscc, 'LITTLE_GIANT', '2024-05-01')).eligible).toBe(true);
    });

    it('a re-recognition of a type first granted before the window is not new', async () => {
      const uscc = await withDesignation('省级专精特新中小企业', '2021-06-01');
      await addDesignation(t.database, uscc, '省级专精特新中小企业', '2024-06-01');
      const a = await answer(uscc, 'PROVINCIAL_SRDI');
      expect(a.eligible).toBe(false);
      expect(a.eventDate).toBe('2021-06-01');
      expect(a.reasons.join('\n')).toMatch(/再次认定，不是新认定/);
      expect(a.reasons.join('\n')).toContain('2024-06-01');
    });

    it('IT_INTEGRATION_CERT is the first certification: a second one inside the window adds nothing', async () => {
      const uscc = await withDesignation('两化融合管理体系贯标', '2023-03-01');
      await addDesignation(t.database, uscc, '两化融合管理体系贯标', '2025-03-01');
      const a = await answer(uscc, 'IT_INTEGRATION_CERT');
      expect(a).toMatchObject({ eligible: true, eventDate: '2023-03-01', amountYuan: 200_000 });
      expect(a.reasons.join('\n')).toContain('不是首次');
      const old = await withDesignation('两化融合管理体系贯标', '2020-09-01');
      await addDesignation(t.database, old, '两化融合管理体系贯标', '2023-09-01');
      expect((await answer(old, 'IT_INTEGRATION_CERT')).eligible).toBe(false);
    });

    it('full-width brackets in the 认定类型 name the same type', async () => {
      const uscc = await withDesignation('国家首台（套）重大技术装备', '2024-02-02');
      expect(await answer(uscc, 'FIRST_SET_NATIONAL')).toMatchObject({
        eligible: true,
        amountYuan: 50_000,
      });
    });

    it.each([
      ['FIRST_SCALE_ENTRY', '规上工业企业首次纳统', '首次纳统工业企业奖励标准'],
      ['CLIMBING_PROGRAM', '攀登工程协议完成', '济宁市攀登工程攀登协议'],
    ])(
      '%s: eligible with a null amount and a reason naming the other document',
      async (code, type, document) => {
        const uscc = await withDesignation(type, '2024-03-15');
        const a = await answer(uscc, code);
        expect(a).toMatchObject({ eligible: true, amountYuan: null, eventDate: '2024-03-15' });
        expect(a.reasons.join('\n')).toContain(document);
      },
    );

    it('without the designation: not eligible, nothing missing', async () => {
      const uscc = await addEnterprise(t.database);
      const a = await answer(uscc, 'SMART_FACTORY');
      expect(a).toMatchObject({ eligible: false, amountYuan: null, eventDate: null, missing: [] });
      expect(a.reasons.join('\n')).toContain('无「省级智能工厂」认定记录');
    });
  });

  describe('annual thresholds: 营业收入 (clause 4) and 软件业务收入 (clause 10)', () => {
    const firm = async (
      years: { year: number; revenue?: string | null; software?: string | null }[],
      seed: EnterpriseSeed = {},
    ) => {
      const uscc = await addEnterprise(t.database, seed);
      await addTaxYears(t.database, uscc, years);
      return uscc;
    };

    it('first crossing in 2023: eligible, with the figures, the years before and the window in the reason', async () => {
      const uscc = await firm([
        { year: 2022, revenue: '455000000.00' },
        { year: 2023, revenue: '612345678.00' },
      ]);
      const a = await answer(uscc, 'REVENUE_500M', '2024-06-30');
      expect(a).toMatchObject({ eligible: true, amountYuan: 50_000, eventDate: '2023-12-31' });
      expect(a.reasons).toContain(
        '2023年营业收入 612,345,678.00 元 ≥ 500,000,000 元，此前有记录的年份 (2022: 455,000,000.00 元) 均未达到；事件日期 2023-12-31 在政策有效期 2022-12-24 至 2025-12-23内，且不晚于查询日期 2024-06-30',
      );
      expect((await answer(uscc, 'REVENUE_1B', '2024-06-30')).eligible).toBe(false);
    });

    it('the threshold itself counts (≥), a fen below does not', async () => {
      const at = await firm([
        { year: 2022, revenue: '100.00' },
        { year: 2023, revenue: '500000000.00' },
      ]);
      expect((await answer(at, 'REVENUE_500M')).eligible).toBe(true);
      const below = await firm([
        { year: 2022, revenue: '100.00' },
        { year: 2023, revenue: '499999999.99' },
      ]);
      expect((await answer(below, 'REVENUE_500M')).eligible).toBe(false);
    });

    it('2022 crossing: event 2022-12-31 inside the window; asOf 2022-12-30 is too early', async () => {
      const uscc = await firm([
        { year: 2021, revenue: '300000000.00' },
        { year: 2022, revenue: '520000000.00' },
      ]);
      expect(await answer(uscc, 'REVENUE_500M', '2023-01-01')).toMatchObject({
        eligible: true,
        eventDate: '2022-12-31',
      });
      const early = await answer(uscc, 'REVENUE_500M', '2022-12-30');
      expect(early.eligible).toBe(false);
      expect(early.reasons.join('\n')).toContain('晚于查询日期 2022-12-30');
    });

    it('2025 crossing: event 2025-12-31 is after the window', async () => {
      const uscc = await firm([
        { year: 2024, revenue: '300000000.00' },
        { year: 2025, revenue: '2100000000.00' },
      ]);
      const a = await answer(uscc, 'REVENUE_2B', '2026-03-31');
      expect(a).toMatchObject({ eligible: false, eventDate: '2025-12-31', amountYuan: null });
      expect(a.reasons.join('\n')).toContain('晚于政策有效期 2022-12-24 至 2025-12-23的截止日');
    });

    it('an earlier crossing before the window: the later crossing is not the first', async () => {
      const uscc = await firm([
        { year: 2021, revenue: '520000000.00' },
        { year: 2022, revenue: '480000000.00' },
        { year: 2023, revenue: '600000000.00' },
      ]);
      const a = await answer(uscc, 'REVENUE_500M');
      expect(a).toMatchObject({ eligible: false, eventDate: '2021-12-31' });
      expect(a.reasons.join('\n')).toContain('2021年营业收入 520,000,000.00 元 ≥ 500,000,000 元');
    });

    it('two tiers crossed in one year are both eligible, and the reasons say so', async () => {
      const uscc = await firm([
        { year: 2022, revenue: '400000000.00' },
        { year: 2023, revenue: '1100000000.00' },
      ]);
      const [r500, r1b, r2b] = await Promise.all(
        ['REVENUE_500M', 'REVENUE_1B', 'REVENUE_2B'].map((c) => answer(uscc, c)),
      );
      expect(r500).toMatchObject({ eligible: true, amountYuan: 50_000, eventDate: '2023-12-31' });
      expect(r1b).toMatchObject({ eligible: true, amountYuan: 100_000, eventDate: '2023-12-31' });
      expect(r2b.eligible).toBe(false);
      for (const a of [r500, r1b])
        expect(a.reasons.join('\n')).toContain(
          '2023年同时首次突破 500,000,000 元、1,000,000,000 元 2 档',
        );
    });

    it('records starting in the crossing year: eligible, with a reason that earlier years are not on record', async () => {
      const uscc = await firm([
        { year: 2023, revenue: '700000000.00' },
        { year: 2024, revenue: '800000000.00' },
      ]);
      const a = await answer(uscc, 'REVENUE_500M');
      expect(a.eligible).toBe(true);
      expect(a.reasons.join('\n')).toContain('此前年份无申报记录（记录始于 2023 年）');
    });

    it('no annual return on record: not eligible, and the missing data is named', async () => {
      const uscc = await addEnterprise(t.database);
      const a = await answer(uscc, 'REVENUE_500M');
      expect(a.eligible).toBe(false);
      expect(a.missing).toEqual(['税务局 企业所得税年度申报：无营业收入记录']);
    });

    it('no crossing on record: the years of the window without a return are named missing', async () => {
      const uscc = await firm([{ year: 2022, revenue: '10000000.00' }]);
      const a = await answer(uscc, 'REVENUE_500M', '2024-12-31');
      expect(a.eligible).toBe(false);
      expect(a.missing).toEqual([
        '2023年度营业收入（税务局 企业所得税年度申报）无记录',
        '2024年度营业收入（税务局 企业所得税年度申报）无记录',
      ]);
    });

    it('software revenue: tiers for an I65 software enterprise', async () => {
      const uscc = await firm(
        [
          { year: 2022, software: '8000000.00' },
          { year: 2023, software: '25000000.00' },
          { year: 2024, software: '31000000.00' },
        ],
        { industryDivision: 'I65' },
      );
      expect(await answer(uscc, 'SOFTWARE_REVENUE_10M')).toMatchObject({
        eligible: true,
        amountYuan: 50_000,
        eventDate: '2023-12-31',
      });
      const r20 = await answer(uscc, 'SOFTWARE_REVENUE_20M');
      expect(r20).toMatchObject({ eligible: true, amountYuan: 100_000, eventDate: '2023-12-31' });
      expect(r20.reasons.join('\n')).toContain('同时首次突破 10,000,000 元、20,000,000 元');
      expect(await answer(uscc, 'SOFTWARE_REVENUE_30M')).toMatchObject({
        eligible: true,
        amountYuan: 150_000,
        eventDate: '2024-12-31',
      });
      expect((await answer(uscc, 'SOFTWARE_REVENUE_30M', '2024-12-30')).eligible).toBe(false);
    });

    it('software revenue awards only for division I65', async () => {
      const uscc = await firm(
        [
          { year: 2022, software: '1.00' },
          { year: 2023, software: '25000000.00' },
        ],
        { industryDivision: 'C39' },
      );
      const a = await answer(uscc, 'SOFTWARE_REVENUE_10M');
      expect(a.eligible).toBe(false);
      expect(a.reasons.join('\n')).toContain('行业大类 C39 不属于软件和信息技术服务业（I65）');
      const unknown = await firm([{ year: 2023, software: '25000000.00' }], {
        industryDivision: null,
      });
      expect((await answer(unknown, 'SOFTWARE_REVENUE_10M')).missing.join('\n')).toContain(
        '行业大类',
      );
    });

    it('an empty 软件业务收入 counts as 0, so a later year is still the first crossing', async () => {
      const uscc = await firm(
        [
          { year: 2022, software: null, revenue: '1.00' },
          { year: 2023, software: '12000000.00' },
        ],
        { industryDivision: 'I65' },
      );
      const a = await answer(uscc, 'SOFTWARE_REVENUE_10M');
      expect(a).toMatchObject({ eligible: true, eventDate: '2023-12-31' });
      expect(a.reasons.join('\n')).toContain('2022: 0.00 元');
    });
  });

  describe('SMART_UPGRADE_SUBSIDY (clause 8), per project', () => {
    const project = (
      equipment: string,
      software: string,
      acceptedOn: string | null,
      alreadySupported = false,
    ) => ({ equipment, software, acceptedOn, alreadySupported });

    it('exactly 1,000,000 with exactly 10% software: 5% = 50,000', async () => {
      const uscc = await addEnterprise(t.database, { establishedOn: '2020-05-10' });
      const no = await addProject(
        t.database,
        uscc,
        project('900000.00', '100000.00', '2023-03-01'),
      );
      const a = await answer(uscc, 'SMART_UPGRADE_SUBSIDY');
      expect(a).toMatchObject({ eligible: true, amountYuan: 50_000, eventDate: '2023-03-01' });
      const text = a.reasons.find((r) => r.startsWith(`项目 ${no}`))!;
      expect(text).toContain(
        '设备投资 900,000.00 元 + 软件投资 100,000.00 元 = 1,000,000.00 元 ≥ 1,000,000 元',
      );
      expect(text).toContain('软件投资占比 10.00% ≥ 10%');
      expect(text).toMatch(/→ 符合$/);
    });

    it('software just under 10% of the total, or a total just under 1,000,000: not eligible', async () => {
      const share = await addEnterprise(t.database, { establishedOn: '2020-05-10' });
      await addProject(t.database, share, project('900000.01', '99999.99', '2023-03-01'));
      const a = await answer(share, 'SMART_UPGRADE_SUBSIDY');
      expect(a.eligible).toBe(false);
      expect(a.reasons.join('\n')).toContain('软件投资占比 9.99% < 10%');
      const small = await addEnterprise(t.database, { establishedOn: '2020-05-10' });
      await addProject(t.database, small, project('899999.99', '100000.00', '2023-03-01'));
      const b = await answer(small, 'SMART_UPGRADE_SUBSIDY');
      expect(b.eligible).toBe(false);
      expect(b.reasons.join('\n')).toContain('= 999,999.99 元 < 1,000,000 元');
    });

    it('caps each project at 1,000,000 and sums the eligible projects; the already-supported one is named and excluded', async () => {
      const uscc = await addEnterprise(t.database, { establishedOn: '2018-01-01' });
      const big = await addProject(t.database, uscc, {
        no: 'P-BIG',
        ...project('20000000.00', '5000000.00', '2024-09-01'),
      });
      const mid = await addProject(t.database, uscc, {
        no: 'P-MID',
        ...project('1600000.00', '400000.00', '2023-11-11'),
      });
      const done = await addProject(t.database, uscc, {
        no: 'P-DONE',
        ...project('1600000.00', '400000.00', '2023-05-05', true),
      });
      const a = await answer(uscc, 'SMART_UPGRADE_SUBSIDY');
      expect(a).toMatchObject({ eligible: true, amountYuan: 1_100_000, eventDate: '2023-11-11' });
      const text = a.reasons.join('\n');
      expect(text).toContain(`项目 ${big}`);
      expect(text).toContain(
        '= 1,250,000.00 元，超过每个项目上限 1,000,000 元，按上限 1,000,000.00 元',
      );
      expect(a.reasons.find((r) => r.startsWith(`项目 ${mid}`))).toContain('= 100,000.00 元');
      expect(a.reasons.find((r) => r.startsWith(`项目 ${done}`))).toMatch(
        /已享受技术改造扶持政策.*→ 不符合$/,
      );
      expect(text).toContain(
        '符合条件的项目 2 个（P-MID、P-BIG），补助按项目计算后合计 1,100,000.00 元',
      );
    });

    it('the already-supported flag alone excludes a project', async () => {
      const uscc = await addEnterprise(t.database, { establishedOn: '2018-01-01' });
      await addProject(t.database, uscc, project('1600000.00', '400000.00', '2023-05-05', true));
      expect(await answer(uscc, 'SMART_UPGRADE_SUBSIDY')).toMatchObject({
        eligible: false,
        amountYuan: null,
      });
    });

    it.each([
      ['2022-06-15', '2023-06-14', false],
      ['2022-06-15', '2023-06-15', true],
      ['2024-02-29', '2025-02-27', false],
      ['2024-02-29', '2025-02-28', true],
    ])(
      'established %s, accepted %s: one calendar year of operation → %s',
      async (establishedOn, acceptedOn, eligible) => {
        const uscc = await addEnterprise(t.database, { establishedOn });
        await addProject(t.database, uscc, project('1800000.00', '200000.00', acceptedOn));
        const a = await answer(uscc, 'SMART_UPGRADE_SUBSIDY');
        expect(a.eligible).toBe(eligible);
        if (establishedOn === '2024-02-29')
          expect(a.reasons.join('\n')).toContain('满 1 年为 2025-02-28');
      },
    );

    it.each([
      ['2022-12-23', false],
      ['2022-12-24', true],
      ['2025-12-23', true],
      ['2025-12-24', false],
    ])('accepted on %s: eligible %s', async (acceptedOn, eligible) => {
      const uscc = await addEnterprise(t.database, { establishedOn: '2015-01-01' });
      await addProject(t.database, uscc, project('1800000.00', '200000.00', acceptedOn));
      const a = await answer(uscc, 'SMART_UPGRADE_SUBSIDY', '2026-01-31');
      expect(a.eligible).toBe(eligible);
      expect(a.amountYuan).toBe(eligible ? 100_000 : null);
    });

    it('not yet accepted, or accepted after asOf: not eligible', async () => {
      const uscc = await addEnterprise(t.database, { establishedOn: '2015-01-01' });
      await addProject(t.database, uscc, project('1800000.00', '200000.00', null));
      await addProject(t.database, uscc, project('1800000.00', '200000.00', '2024-08-08'));
      const a = await answer(uscc, 'SMART_UPGRADE_SUBSIDY', '2024-08-07');
      expect(a.eligible).toBe(false);
      expect(a.reasons.join('\n')).toContain('尚未验收');
      expect(a.reasons.join('\n')).toContain(
        '验收日期 2024-08-08 在政策有效期 2022-12-24 至 2025-12-23内，但晚于查询日期 2024-08-07',
      );
      expect(await answer(uscc, 'SMART_UPGRADE_SUBSIDY', '2024-08-08')).toMatchObject({
        eligible: true,
        amountYuan: 100_000,
      });
    });
  });

  describe('APPAREL_CORE_FACTORY (clause 4)', () => {
    /** A partner enterprise attached to `core` on `date`, with 年平均从业人数 per year. */
    async function partner(
      core: string,
      date: string,
      employees: Record<number, number>,
      seed: EnterpriseSeed = {},
    ) {
      const uscc = await addEnterprise(t.database, { industryDivision: 'C18', ...seed });
      await addTaxYears(
        t.database,
        uscc,
        Object.entries(employees).map(([year, n]) => ({ year: Number(year), employees: n })),
      );
      await addDesignation(t.database, uscc, '单品精益化工厂', date, core);
      return uscc;
    }
    const day = (month: number, d: number) =>
      `2023-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

    it('the 10th qualifying partner’s attachment is the event; 29 employees, another division, a second attachment and an unlinked record do not count', async () => {
      const core = await addEnterprise(t.database, { industryDivision: 'C18' });
      await addDesignation(t.database, core, '服装加工龙头企业(核心厂)备案', '2023-01-05');
      const staff = (n: number) => ({ 2022: n, 2023: n });
      const first = await partner(core, day(2, 1), staff(30));
      await addDesignation(t.database, first, '单品精益化工厂', day(9, 1), core); // attached again: counts once
      for (let i = 2; i <= 8; i++) await partner(core, day(2, i), staff(40));
      await partner(core, day(3, 1), staff(29)); // 29 < 30
      await partner(core, day(3, 2), staff(80), { industryDivision: 'C17' }); // not 服装
      await addDesignation(t.database, null, '单品精益化工厂', day(3, 3), core); // unlinked record
      await partner(core, day(4, 1), staff(31), { status: '注销' }); // 9th: active or not
      const tenth = await partner(core, day(8, 1), staff(30));
      const a = await answer(core, 'APPAREL_CORE_FACTORY', '2024-06-30');
      expect(a).toMatchObject({ eligible: true, amountYuan: 100_000, eventDate: '2023-08-01' });
      const text = a.reasons.join('\n');
      expect(text).toContain(
        '挂靠本企业的单品精益化工厂 12 家（每家按首次挂靠计一次），符合条件（C18、年平均从业人数 ≥ 30 人）的 10 家，达到 10 家',
      );
      expect(text).toContain(
        `第 10 家符合条件的单品精益化工厂（${tenth}）挂靠认定日期 2023-08-01 为事件日期`,
      );
      expect(text).toContain('2023年年平均从业人数 29 人 < 30 人');
      expect(text).toContain('行业大类 C17（不是 C18 纺织服装、服饰业）');
      expect(text).toMatch(new RegExp(`${first}）：首次挂靠认定日期 2023-02-01.*计入（第 1 家）`));
      // asOf before the 10th attachment (head counts of 2022 then): not yet; on its day: eligible.
      const before = await answer(core, 'APPAREL_CORE_FACTORY', '2023-07-31');
      expect(before).toMatchObject({ eligible: false, eventDate: '2023-08-01' });
      expect(before.reasons.join('\n')).toContain('2022年年平均从业人数 30 人 ≥ 30 人');
      expect(before.reasons.join('\n')).toContain('晚于查询日期 2023-07-31');
      expect(await answer(core, 'APPAREL_CORE_FACTORY', '2023-08-01')).toMatchObject({
        eligible: true,
        eventDate: '2023-08-01',
      });
    });

    it('the latest tax year closed by asOf decides the head count', async () => {
      const core = await addEnterprise(t.database, { industryDivision: 'C18' });
      await addDesignation(t.database, core, '服装加工龙头企业(核心厂)备案', '2023-01-05');
      for (let i = 1; i <= 9; i++) await partner(core, day(5, i), { 2023: 50, 2024: 50 });
      await partner(core, day(6, 1), { 2023: 30, 2024: 29 });
      expect(await answer(core, 'APPAREL_CORE_FACTORY', '2024-12-30')).toMatchObject({
        eligible: true,
        eventDate: '2023-06-01',
      });
      const after = await answer(core, 'APPAREL_CORE_FACTORY', '2024-12-31');
      expect(after.eligible).toBe(false);
      expect(after.reasons.join('\n')).toContain('2024年年平均从业人数 29 人 < 30 人');
    });

    it('without the 备案, or with fewer than 10 partners, not eligible', async () => {
      const core = await addEnterprise(t.database, { industryDivision: 'C18' });
      for (let i = 1; i <= 10; i++) await partner(core, day(7, i), { 2023: 50 });
      const a = await answer(core, 'APPAREL_CORE_FACTORY');
      expect(a.eligible).toBe(false);
      expect(a.reasons.join('\n')).toContain('无「服装加工龙头企业(核心厂)备案」记录');
      const small = await addEnterprise(t.database, { industryDivision: 'C18' });
      await addDesignation(t.database, small, '服装加工龙头企业(核心厂)备案', '2023-01-05');
      for (let i = 1; i <= 9; i++) await partner(small, day(7, i), { 2023: 50 });
      await partner(small, day(7, 20), {}); // no return on record: cannot decide
      const b = await answer(small, 'APPAREL_CORE_FACTORY');
      expect(b.eligible).toBe(false);
      expect(b.missing).toHaveLength(1);
    });
  });
});
