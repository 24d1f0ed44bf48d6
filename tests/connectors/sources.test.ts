import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile, ingestRecords } from '../../connectors/pipeline/ingest.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { countsOf, expectCountsAddUp, fixture, U } from './support.js';

describe(`each department source (${testDbMode()})`, () => {
  let t: TestDatabase;
  const load = async (source: string, file: string) => {
    const report = await ingestFile(t.database, source, fixture(file));
    await expectCountsAddUp(t.database, report);
    return report;
  };
  const reasonsOf = async (batchId: number): Promise<[number, string[]][]> =>
    (
      await t.database.rows<{ row_number: number; reasons: string[] }>(
        sql`select row_number, reasons from quarantined_rows where batch_id = ${batchId} order by row_number`,
      )
    ).map((r) => [r.row_number, r.reasons]);

  beforeAll(async () => {
    t = await createTestDatabase();
    await load('market-registry', 'registry.csv');
  });
  afterAll(() => t?.drop());

  it('market-registry: an invalid USCC, a legacy number, an unknown status, a bad industry code or date are quarantined with every reason', async () => {
    const report = await load('market-registry', 'registry-bad.csv');
    expect(countsOf(report)).toEqual({
      read: 3,
      loaded: 0,
      replaced: 0,
      quarantined: 3,
      unmatched: 0,
    });
    const [bad, legacy, empty] = await reasonsOf(report.batchId);
    expect(bad[1]).toHaveLength(5);
    expect(bad[1].join('\n')).toMatch(
      /校验码不符[\s\S]*登记状态 "营业"[\s\S]*行业代码 "C367"[\s\S]*注册资本\(万元\): "十万"[\s\S]*成立日期: .*没有 30 日/,
    );
    expect(legacy[1]).toEqual(['统一社会信用代码 "370830168297305" 有 15 位，应为 18 位']);
    expect(empty[1]).toEqual(['企业名称为空', '登记状态为空']);
  });

  it('market-penalties: BOM, an unknown column, a decision without a fine, a bad date quarantined', async () => {
    const report = await load('market-penalties', 'market-penalties.csv');
    expect(countsOf(report)).toEqual({
      read: 3,
      loaded: 2,
      replaced: 0,
      quarantined: 1,
      unmatched: 0,
    });
    const rows = await t.database.rows(
      sql`select decision_no, uscc, match_method, decided_on::text, amount_yuan::text from market_penalties order by 1`,
    );
    expect(rows).toEqual([
      {
        decision_no: '汶市监罚〔2024〕12号',
        uscc: U.textile,
        match_method: 'uscc',
        decided_on: '2024-05-06',
        amount_yuan: '5000.00',
      },
      {
        decision_no: '汶市监罚〔2024〕13号',
        uscc: U.dongfang,
        match_method: 'name',
        decided_on: '2024-06-01',
        amount_yuan: null,
      },
    ]);
    expect((await reasonsOf(report.batchId))[0][1]).toEqual([
      '处罚决定日期: "2024-06-31"：2024 年 6 月没有 31 日',
    ]);
  });

  it('tax-annual: GB18030, 营业收入 in 万元, an empty 软件业务收入 is 0, the enterprise as delivered is the key', async () => {
    const report = await load('tax-annual', 'tax-annual.csv');
    expect(countsOf(report)).toEqual({
      read: 4,
      loaded: 3,
      replaced: 0,
      quarantined: 1,
      unmatched: 0,
    });
    const rows = await t.database.rows(sql`
      select identity_key, year, uscc, revenue_yuan::text as revenue, software_revenue_yuan::text as software, rd_expense_yuan::text as rd, employees
      from tax_annual order by uscc`);
    expect(rows).toEqual([
      {
        identity_key: U.huali,
        year: 2023,
        uscc: U.huali,
        revenue: '520000000.00',
        software: '0.00',
        rd: '15600000.00',
        employees: 1234,
      },
      {
        identity_key: '山东汶上纺织有限公司',
        year: 2023,
        uscc: U.textile,
        revenue: '25005000.00',
        software: '0.00',
        rd: null,
        employees: 88,
      },
      {
        identity_key: U.yan,
        year: 2023,
        uscc: U.yan,
        revenue: '1200000.00',
        software: '0.00',
        rd: null,
        employees: null,
      },
    ]);
  });

  it('land-parcels: xlsx with date cells, a change of holder, m² kept, a cancellation before registration quarantined', async () => {
    const report = await load('land-parcels', 'land-parcels.xlsx');
    expect(countsOf(report)).toEqual({
      read: 4,
      loaded: 3,
      replaced: 0,
      quarantined: 1,
      unmatched: 0,
    });
    const rows = await t.database.rows(sql`
      select unit_no, registered_on::text, cancelled_on::text, uscc, match_method, area_m2::text, land_use from land_parcels order by unit_no, registered_on`);
    expect(rows).toEqual([
      {
        unit_no: '370830001001GB00001W00000000',
        registered_on: '2015-03-01',
        cancelled_on: '2022-12-31',
        uscc: U.huali,
        match_method: 'uscc',
        area_m2: '66666.67',
        land_use: '工业用地',
      },
      {
        unit_no: '370830001001GB00001W00000000',
        registered_on: '2023-01-01',
        cancelled_on: null,
        uscc: U.runtong,
        match_method: 'uscc',
        area_m2: '66666.67',
        land_use: '仓储用地',
      },
      {
        unit_no: '370830002002GB00002W00000000',
        registered_on: '2018-06-01',
        cancelled_on: null,
        uscc: U.textile,
        match_method: 'name',
        area_m2: '10000.00',
        land_use: '工业用地',
      },
    ]);
    expect((await reasonsOf(report.batchId))[0]).toEqual([
      5,
      ['注销日期 2019-12-31 早于登记日期 2020-01-01'],
    ]);
  });

  it('land-leases: both parties resolved on their own; a lease with an unresolved party counts as unmatched', async () => {
    const report = await load('land-leases', 'land-leases.csv');
    expect(countsOf(report)).toEqual({
      read: 4,
      loaded: 1,
      replaced: 0,
      quarantined: 1,
      unmatched: 2,
    });
    const rows = await t.database.rows(sql`
      select filing_no, lessor_uscc, lessor_match_method, lessee_uscc, lessee_match_method, lessee_match_candidates, area_m2::text, starts_on::text, ends_on::text
      from land_leases order by filing_no`);
    expect(rows).toEqual([
      {
        filing_no: 'ZL-2023-001',
        lessor_uscc: U.huali,
        lessor_match_method: 'uscc',
        lessee_uscc: U.runtong,
        lessee_match_method: 'name',
        lessee_match_candidates: null,
        area_m2: '2000.00',
        starts_on: '2023-01-01',
        ends_on: '2025-12-31',
      },
      {
        filing_no: 'ZL-2023-002',
        lessor_uscc: null,
        lessor_match_method: null,
        lessee_uscc: U.textile,
        lessee_match_method: 'uscc',
        lessee_match_candidates: null,
        area_m2: '3000.00',
        starts_on: '2023-01-01',
        ends_on: '2024-12-31',
      },
      {
        filing_no: 'ZL-2023-003',
        lessor_uscc: U.huali,
        lessor_match_method: 'uscc',
        lessee_uscc: null,
        lessee_match_method: null,
        lessee_match_candidates: [U.sameName1, U.sameName2],
        area_m2: '500.00',
        starts_on: '2023-03-01',
        ends_on: '2024-02-29',
      },
    ]);
    expect((await reasonsOf(report.batchId))[0][1]).toEqual([
      '终止日期 2023-12-31 早于起始日期 2024-01-01',
      '出租方证件号与出租方都为空：记录没有指明企业',
    ]);
  });

  it('power: every month format, thousands separators, accounts linked by USCC or by 户名, a negative reading quarantined', async () => {
    const report = await load('power', 'power.csv');
    expect(countsOf(report)).toEqual({
      read: 6,
      loaded: 4,
      replaced: 0,
      quarantined: 1,
      unmatched: 1,
    });
    const rows = await t.database.rows(
      sql`select account_no, month::text, kwh::text, uscc, match_method from power_consumption order by 1, 2`,
    );
    expect(rows).toEqual([
      {
        account_no: '3700000001',
        month: '2024-01-01',
        kwh: '120000.00',
        uscc: U.huali,
        match_method: 'uscc',
      },
      {
        account_no: '3700000001',
        month: '2024-02-01',
        kwh: '110000.50',
        uscc: U.huali,
        match_method: 'uscc',
      },
      {
        account_no: '3700000001',
        month: '2024-03-01',
        kwh: '130000.00',
        uscc: U.huali,
        match_method: 'uscc',
      },
      {
        account_no: '3700000002',
        month: '2024-01-01',
        kwh: '5000.00',
        uscc: U.huali,
        match_method: 'name',
      },
      {
        account_no: '3700000003',
        month: '2024-01-01',
        kwh: '10.00',
        uscc: null,
        match_method: null,
      },
    ]);
    expect((await reasonsOf(report.batchId))[0][1]).toEqual([
      '用电量(千瓦时): "-5" 为负数，此处不能为负',
    ]);
  });

  it('designations: type names folded to the canonical spelling; unknown types and a 单品精益化工厂 without its core factory quarantined', async () => {
    const report = await load('designations', 'designations.csv');
    expect(countsOf(report)).toEqual({
      read: 6,
      loaded: 4,
      replaced: 0,
      quarantined: 2,
      unmatched: 0,
    });
    const rows = await t.database.rows(
      sql`select type, recognized_on::text, uscc, match_method, core_factory_uscc from designations order by recognized_on`,
    );
    expect(rows).toEqual([
      {
        type: '国家级专精特新小巨人',
        recognized_on: '2023-06-01',
        uscc: U.huali,
        match_method: 'uscc',
        core_factory_uscc: null,
      },
      {
        type: '国家首台(套)重大技术装备',
        recognized_on: '2023-07-01',
        uscc: U.textile,
        match_method: 'uscc',
        core_factory_uscc: null,
      },
      {
        type: '单品精益化工厂',
        recognized_on: '2024-01-02',
        uscc: U.runtong,
        match_method: 'uscc',
        core_factory_uscc: U.huali,
      },
      {
        type: '省级智能工厂',
        recognized_on: '2024-03-01',
        uscc: U.xinhua,
        match_method: 'name',
        core_factory_uscc: null,
      },
    ]);
    const reasons = await reasonsOf(report.batchId);
    expect(reasons[0][1][0]).toMatch(/^认定类型 "市级优秀企业" 不是已知类型/);
    expect(reasons[1][1]).toEqual([
      '关联企业统一社会信用代码为空：单品精益化工厂须写明所挂靠的核心厂',
    ]);
  });

  it('tech-projects: amounts excluding VAT with ¥ and separators, 是/否, anything else quarantined', async () => {
    const report = await load('tech-projects', 'tech-projects.csv');
    expect(countsOf(report)).toEqual({
      read: 2,
      loaded: 1,
      replaced: 0,
      quarantined: 1,
      unmatched: 0,
    });
    const rows = await t.database.rows(
      sql`select project_no, equipment_yuan::text, software_yuan::text, accepted_on::text, already_supported, uscc from tech_projects`,
    );
    expect(rows).toEqual([
      {
        project_no: 'ZN-2024-001',
        equipment_yuan: '1200000.00',
        software_yuan: '300000.00',
        accepted_on: '2024-09-30',
        already_supported: false,
        uscc: U.huali,
      },
    ]);
    expect((await reasonsOf(report.batchId))[0][1]).toEqual([
      '已享受技术改造扶持: "也许" 既不是「是」也不是「否」',
    ]);
  });

  it('ingestRecords: records keyed by column name (the power API) load like a file, one batch', async () => {
    async function* records() {
      yield {
        用电户号: '3700000009',
        户名: '汶上县润通物流有限公司',
        统一社会信用代码: null,
        抄表年月: '2024-05',
        '用电量(千瓦时)': '42.5',
      };
      yield {
        用电户号: '3700000009',
        户名: '汶上县润通物流有限公司',
        统一社会信用代码: '',
        抄表年月: '2024-13',
        '用电量(千瓦时)': '1',
      };
    }
    const report = await ingestRecords(t.database, 'power', records(), {
      fileName: 'api:2024-05?page=1',
    });
    await expectCountsAddUp(t.database, report);
    expect(countsOf(report)).toEqual({
      read: 2,
      loaded: 1,
      replaced: 0,
      quarantined: 1,
      unmatched: 0,
    });
    const [row] = await t.database.rows(
      sql`select kwh::text, uscc, match_method, source_row from power_consumption where account_no = '3700000009'`,
    );
    expect(row).toEqual({ kwh: '42.50', uscc: U.runtong, match_method: 'name', source_row: 2 });
  });
});
