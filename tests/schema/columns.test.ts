import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { data, seedCounty } from './support.js';

/**
 * The columns each statement reads from `table`: the select list in front of each `from "table"`
 * (a planned relation's lateral subquery, or a loader's own select), as column names.
 */
function columnsRead(statements: string[], table: string): string[][] {
  const lists: string[][] = [];
  for (const statement of statements) {
    const from = `from "${table}"`;
    for (let at = statement.indexOf(from); at >= 0; at = statement.indexOf(from, at + 1)) {
      const list = statement.slice(statement.lastIndexOf('select ', at) + 'select '.length, at);
      lists.push(
        [...list.matchAll(/(?:"\w+"\.)?"(\w+)"(?:::\w+)?(?: as "\w+")?/g)].map((m) => m[1]).sort(),
      );
    }
  }
  return lists;
}

/**
 * A detail list reads the columns its requested fields need — with the row's key and the
 * enterprise it belongs to (the audit names it) — and nothing else: not the match candidates,
 * normalised names or load times of a department record nobody asked for.
 */
describe(`detail lists read only the columns their fields need (${testDbMode()})`, () => {
  let t: TestDatabase;
  let A: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    ({
      A: { uscc: A },
    } = await seedCounty(t.database));
  });
  afterAll(() => t?.drop());

  async function statementsOf(query: string) {
    const statements: string[] = [];
    t.database.onQuery = (statement) => statements.push(statement);
    try {
      const result = await data(t.database, query, { u: A });
      return { result, statements };
    } finally {
      t.database.onQuery = undefined;
    }
  }

  const PROVENANCE = [
    'batch_id',
    'loaded_at',
    'match_method',
    'raw_identifier',
    'raw_name',
    'source_row',
  ];

  it('receipts and parcels of a profile: the four columns asked for, the key and the enterprise', async () => {
    const { result, statements } = await statementsOf(/* GraphQL */ `
      query ($u: String!) { enterprise(uscc: $u) { uscc name town industryCode
        taxPayments(first: 100) { nodes { receiptNo period taxType amountYuan } }
        parcels { unitNo areaM2 registeredOn cancelledOn } } }`);
    expect(statements).toHaveLength(1);
    // each related row travels as a JSON array of its values, not an object repeating its keys
    expect(statements[0]).toContain('coalesce(json_agg(json_build_array(');
    expect(statements[0]).not.toContain('row_to_json');
    expect(columnsRead(statements, 'tax_payments')).toEqual([
      ['amount_yuan', 'period', 'receipt_no', 'tax_type', 'uscc'],
    ]);
    expect(columnsRead(statements, 'land_parcels')).toEqual([
      ['area_m2', 'cancelled_on', 'registered_on', 'unit_no', 'uscc'],
    ]);
    expect(result.enterprise.taxPayments.nodes).toEqual([
      { receiptNo: 'R3', period: '2024-03-01', taxType: '增值税', amountYuan: -5000 },
      { receiptNo: 'R1', period: '2024-01-01', taxType: '增值税', amountYuan: 120000 },
      { receiptNo: 'R2', period: '2024-01-01', taxType: '企业所得税', amountYuan: 80000 },
      { receiptNo: 'R4', period: '2023-12-01', taxType: '增值税', amountYuan: 70000 },
    ]);
    expect(result.enterprise.parcels).toEqual([
      { unitNo: 'U1', areaM2: 20000, registeredOn: '2016-01-01', cancelledOn: null },
    ]);
  });

  it('adds the provenance columns only when provenance is asked for', async () => {
    const { result, statements } = await statementsOf(/* GraphQL */ `
      query ($u: String!) { enterprise(uscc: $u) {
        taxPayments(first: 1) { nodes { amountYuan provenance { source batchId sourceRow matchMethod rawName } } } } }`);
    expect(columnsRead(statements, 'tax_payments')).toEqual([
      ['amount_yuan', 'period', 'receipt_no', 'uscc', ...PROVENANCE].sort(),
    ]);
    expect(result.enterprise.taxPayments.nodes[0].provenance).toMatchObject({
      source: 'tax-payments',
      sourceRow: 4,
      matchMethod: 'uscc',
    });
  });

  it('every other detail list of the profile, planned or loaded', async () => {
    const { result, statements } = await statementsOf(/* GraphQL */ `
      query ($u: String!) { enterprise(uscc: $u) {
        taxAnnual { year revenueYuan }
        leasesOut { filingNo areaMu endsOn }
        penalties { decisionNo amountYuan }
        designations { type }
        techProjects { totalYuan }
        powerAccounts(year: 2024) { accountNo accountName totalKwh months { month kwh } }
        electricityByMonth(year: 2024) { month kwh } } }`);
    expect(columnsRead(statements, 'tax_annual')).toEqual([
      ['identity_key', 'revenue_yuan', 'uscc', 'year'],
    ]);
    expect(columnsRead(statements, 'land_leases')).toEqual([
      ['area_m2', 'ends_on', 'filing_no', 'lessee_uscc', 'lessor_uscc'],
    ]);
    expect(columnsRead(statements, 'market_penalties')).toEqual([
      ['amount_yuan', 'decision_no', 'uscc'],
    ]);
    expect(columnsRead(statements, 'designations')).toEqual([
      ['identity_key', 'recognized_on', 'type'],
    ]);
    expect(columnsRead(statements, 'tech_projects')).toEqual([
      ['equipment_yuan', 'project_no', 'software_yuan'],
    ]);
    // powerAccounts and electricityByMonth share one load of the readings
    expect(columnsRead(statements, 'power_consumption')).toEqual([
      ['account_no', 'kwh', 'month', 'raw_name', 'uscc'],
    ]);
    const e = result.enterprise;
    expect(e.taxAnnual).toEqual([
      { year: 2024, revenueYuan: 30000000 },
      { year: 2023, revenueYuan: 25000000 },
    ]);
    expect(e.leasesOut).toEqual([{ filingNo: 'L1', areaMu: 3, endsOn: '2024-12-31' }]);
    expect(e.penalties).toEqual([{ decisionNo: '汶市监罚〔2024〕1号', amountYuan: 20000 }]);
    expect(e.designations).toEqual([{ type: '省级智能工厂' }]);
    expect(e.techProjects).toEqual([{ totalYuan: 1500000.3 }]);
    expect(e.powerAccounts).toEqual([
      {
        accountNo: 'P-001',
        accountName: '汶上县华力机电（集团）有限公司',
        totalKwh: 4000,
        months: [
          { month: '2024-01-01', kwh: 1000 },
          { month: '2024-02-01', kwh: 3000 },
        ],
      },
      {
        accountNo: 'P-002',
        accountName: '汶上县华力机电（集团）有限公司',
        totalKwh: 2000,
        months: [{ month: '2024-01-01', kwh: 2000 }],
      },
    ]);
    expect(e.electricityByMonth).toEqual([
      { month: '2024-01-01', kwh: 3000 },
      { month: '2024-02-01', kwh: 3000 },
    ]);
  });

  it('rows a loader read whole answer their column fields from the row, with no statement more', async () => {
    // landInUse's parcels and leases come from its loader, not from a planned query: their column
    // fields (a select each) must not load the row again through the drizzle plugin's model loader
    const { result, statements } = await statementsOf(/* GraphQL */ `
      query ($u: String!) { enterprise(uscc: $u) { landInUse(date: "2024-06-30") {
        parcels { unitNo registeredOn cancelledOn areaM2 areaMu provenance { sourceRow } }
        leasesOut { filingNo startsOn endsOn areaM2 } } } }`);
    expect(statements).toHaveLength(3); // the enterprise, its parcels, its leases
    expect(result.enterprise.landInUse).toEqual({
      parcels: [
        {
          unitNo: 'U1',
          registeredOn: '2016-01-01',
          cancelledOn: null,
          areaM2: 20000,
          areaMu: 30,
          provenance: { sourceRow: expect.any(Number) },
        },
      ],
      leasesOut: [
        { filingNo: 'L1', startsOn: expect.any(String), endsOn: '2024-12-31', areaM2: 2000 },
      ],
    });
  });

  it('an enterprise with its power accounts of a year: one statement, the readings within it', async () => {
    const { result, statements } = await statementsOf(/* GraphQL */ `
      query ($u: String!) { enterprise(uscc: $u) { uscc name
        powerAccounts(year: 2024) { accountNo accountName months { month kwh } } } }`);
    expect(statements).toHaveLength(1);
    expect(columnsRead(statements, 'power_consumption')).toEqual([
      ['account_no', 'kwh', 'month', 'raw_name', 'uscc'],
    ]);
    expect(result.enterprise.powerAccounts).toEqual([
      {
        accountNo: 'P-001',
        accountName: '汶上县华力机电（集团）有限公司',
        months: [
          { month: '2024-01-01', kwh: 1000 },
          { month: '2024-02-01', kwh: 3000 },
        ],
      },
      {
        accountNo: 'P-002',
        accountName: '汶上县华力机电（集团）有限公司',
        months: [{ month: '2024-01-01', kwh: 2000 }],
      },
    ]);
    // two years at once: each answers its own months (the second through its loader)
    const both = await statementsOf(/* GraphQL */ `
      query ($u: String!) { enterprise(uscc: $u) {
        a: powerAccounts(year: 2024) { accountNo months { month } }
        b: powerAccounts { accountNo months { month } } } }`);
    const months = (accounts: { months: { month: string }[] }[]) =>
      accounts.flatMap((a) => a.months.map((m) => m.month));
    expect(months(both.result.enterprise.a).every((m) => m.startsWith('2024-'))).toBe(true);
    expect(months(both.result.enterprise.b).length).toBeGreaterThanOrEqual(
      months(both.result.enterprise.a).length,
    );
  });

  it('power readings carry their provenance columns when a month’s provenance is asked for, through a fragment too', async () => {
    const { result, statements } = await statementsOf(/* GraphQL */ `
      query ($u: String!) { enterprise(uscc: $u) {
        powerAccounts(year: 2024) { accountNo ...Months } } }
      fragment Months on PowerAccount { months { kwh provenance { source batchId sourceRow rawIdentifier } } }`);
    expect(columnsRead(statements, 'power_consumption')).toEqual([
      ['account_no', 'kwh', 'month', 'uscc', ...PROVENANCE].sort(),
    ]);
    expect(result.enterprise.powerAccounts[0].months[0].provenance).toMatchObject({
      source: 'power',
      sourceRow: 2,
    });
  });

  /** The register columns named in a statement that reads `enterprises` (its aliases aside). */
  const REGISTER_COLUMNS = [
    'name',
    'name_norm',
    'former_names',
    'former_names_norm',
    'legal_representative',
    'legal_form',
    'registered_capital_yuan',
    'established_on',
    'status',
    'address',
    'town',
    'industry_code',
    'industry_section',
    'industry_division',
    'batch_id',
    'loaded_at',
    'source_row',
  ];
  const registerColumnsIn = (statement: string) =>
    REGISTER_COLUMNS.filter((c) => statement.includes(`"d0"."${c}"`)).sort();

  it('the register row beneath detail: only the register columns the fields ask for, for one enterprise or a page', async () => {
    const one = await statementsOf(/* GraphQL */ `
      query ($u: String!) { enterprise(uscc: $u) { uscc name town industryCode
        parcels { unitNo } } }`);
    expect(one.statements).toHaveLength(1);
    expect(registerColumnsIn(one.statements[0])).toEqual(['industry_code', 'name', 'town']);
    expect(one.result.enterprise).toMatchObject({
      uscc: A,
      town: '中都街道',
      parcels: [{ unitNo: 'U1' }],
    });

    const page = await statementsOf(/* GraphQL */ `
      { enterprises(first: 10) { nodes { uscc name active legalForm parcels { unitNo } } } }`);
    const rows = page.statements.filter((s) => s.includes('"land_parcels"'));
    expect(rows).toHaveLength(1);
    expect(registerColumnsIn(rows[0])).toEqual(['legal_form', 'name', 'status']);
    const a = page.result.enterprises.nodes.find((e: { uscc: string }) => e.uscc === A);
    expect(a).toMatchObject({ active: true, parcels: [{ unitNo: 'U1' }] });
    expect(a.name).toBeTruthy();
  });
});
