import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { data, run, seedCounty } from './support.js';

describe(`enterprise profile across departments (${testDbMode()})`, () => {
  let t: TestDatabase;
  let county: Awaited<ReturnType<typeof seedCounty>>;
  beforeAll(async () => {
    t = await createTestDatabase();
    county = await seedCounty(t.database);
  });
  afterAll(() => t?.drop());

  const PROFILE = /* GraphQL */ `
    query ($uscc: String!) {
      enterprise(uscc: $uscc) {
        id uscc name formerNames status active town industryCode industrySection industryDivision establishedOn
        legalForm registeredCapitalYuan address
        registration { source batchId sourceRow }
        penalties { decisionNo violationType decidedOn amountYuan provenance { source matchMethod } }
        taxPayments(year: 2024, first: 2) {
          totalCount
          edges { cursor node { receiptNo period taxType amountYuan provenance { source batchId loadedAt sourceRow matchMethod rawIdentifier rawName } } }
          pageInfo { hasNextPage endCursor }
        }
        taxAnnual { year revenueYuan softwareRevenueYuan rdExpenseYuan employees }
        taxByMonth(year: 2024) { month totalYuan byTaxType { taxType amountYuan payments } }
        parcels { unitNo areaM2 areaMu registeredOn cancelledOn provenance { source sourceRow } }
        leasesOut { filingNo areaMu lessee { name } }
        landInUse(date: "2024-12-31") { date heldM2 leasedOutM2 leasedInM2 areaM2 areaMu parcels { unitNo } leasesOut { filingNo } }
        powerAccounts(year: 2024) { accountNo accountName totalKwh months { month kwh provenance { source } } }
        electricityByMonth(year: 2024) { month kwh accounts }
        designations { type recognizedOn issuer documentNo }
        techProjects { projectNo equipmentYuan softwareYuan totalYuan acceptedOn alreadySupported }
      }
    }`;

  it('joins every department’s records with provenance and the hand-worked figures', async () => {
    const { enterprise: e } = await data(t.database, PROFILE, { uscc: county.A.uscc });
    expect(e.uscc).toBe(county.A.uscc);
    expect(e.formerNames).toEqual(['汶上县华力机械厂']);
    expect(e.active).toBe(true);
    expect(e.industryDivision).toBe('C36');
    expect(e.registeredCapitalYuan).toBe(10_000_000);
    expect(e.registration).toMatchObject({ source: 'market-registry', sourceRow: 2 });
    expect(e.penalties).toEqual([
      {
        decisionNo: '汶市监罚〔2024〕1号',
        violationType: '产品质量',
        decidedOn: '2024-06-01',
        amountYuan: 20000,
        provenance: { source: 'market-penalties', matchMethod: 'uscc' },
      },
    ]);

    expect(e.taxPayments.totalCount).toBe(3);
    expect(e.taxPayments.edges.map((x: any) => x.node.receiptNo)).toEqual(['R3', 'R1']);
    expect(e.taxPayments.pageInfo.hasNextPage).toBe(true);
    const first = e.taxPayments.edges[1].node;
    expect(first).toMatchObject({ period: '2024-01-01', taxType: '增值税', amountYuan: 120000 });
    expect(first.provenance).toMatchObject({
      source: 'tax-payments',
      sourceRow: 2,
      matchMethod: 'uscc',
      rawIdentifier: county.A.uscc,
      rawName: county.A.name,
    });
    expect(first.provenance.loadedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    expect(e.taxAnnual.map((r: any) => r.year)).toEqual([2024, 2023]);
    expect(e.taxAnnual[0]).toMatchObject({
      revenueYuan: 30_000_000,
      rdExpenseYuan: 900_000,
      employees: 120,
    });

    expect(e.taxByMonth).toEqual([
      {
        month: '2024-01-01',
        totalYuan: 200000,
        byTaxType: [
          { taxType: '企业所得税', amountYuan: 80000, payments: 1 },
          { taxType: '增值税', amountYuan: 120000, payments: 1 },
        ],
      },
      {
        month: '2024-03-01',
        totalYuan: -5000,
        byTaxType: [{ taxType: '增值税', amountYuan: -5000, payments: 1 }],
      },
    ]);

    expect(e.parcels).toEqual([
      {
        unitNo: 'U1',
        areaM2: 20000,
        areaMu: 30,
        registeredOn: '2016-01-01',
        cancelledOn: null,
        provenance: { source: 'land-parcels', sourceRow: 2 },
      },
    ]);
    expect(e.leasesOut).toEqual([{ filingNo: 'L1', areaMu: 3, lessee: { name: county.B.name } }]);
    expect(e.landInUse).toEqual({
      date: '2024-12-31',
      heldM2: 20000,
      leasedOutM2: 2000,
      leasedInM2: 0,
      areaM2: 18000,
      areaMu: 27,
      parcels: [{ unitNo: 'U1' }],
      leasesOut: [{ filingNo: 'L1' }],
    });

    expect(e.powerAccounts.map((a: any) => [a.accountNo, a.totalKwh, a.months.length])).toEqual([
      ['P-001', 4000, 2],
      ['P-002', 2000, 1],
    ]);
    expect(e.electricityByMonth).toEqual([
      { month: '2024-01-01', kwh: 3000, accounts: 2 },
      { month: '2024-02-01', kwh: 3000, accounts: 1 },
    ]);

    expect(e.designations).toEqual([
      {
        type: '省级智能工厂',
        recognizedOn: '2023-09-01',
        issuer: '山东省工业和信息化厅',
        documentNo: '鲁工信〔2023〕1号',
      },
    ]);
    expect(e.techProjects[0]).toMatchObject({
      projectNo: 'T1',
      totalYuan: 1500000.3,
      acceptedOn: '2024-04-01',
      alreadySupported: false,
    });
  });

  it('pages tax receipts with the cursor', async () => {
    const q = `query ($uscc: String!, $after: String) { enterprise(uscc: $uscc) { taxPayments(first: 2, after: $after) { edges { node { receiptNo } } pageInfo { endCursor hasNextPage } } } }`;
    const p1 = await data(t.database, q, { uscc: county.A.uscc });
    const p2 = await data(t.database, q, {
      uscc: county.A.uscc,
      after: p1.enterprise.taxPayments.pageInfo.endCursor,
    });
    const seen = [...p1.enterprise.taxPayments.edges, ...p2.enterprise.taxPayments.edges].map(
      (x: any) => x.node.receiptNo,
    );
    expect(seen).toEqual(['R3', 'R1', 'R2', 'R4']);
    expect(p2.enterprise.taxPayments.pageInfo.hasNextPage).toBe(false);
  });

  it('counts land on a date: leases in, cancelled parcels out, nothing in force is null', async () => {
    const q = `query ($u: String!, $d: Date!) { enterprise(uscc: $u) { landInUse(date: $d) { areaMu leasedInM2 } } }`;
    expect(
      (await data(t.database, q, { u: county.B.uscc, d: '2024-06-30' })).enterprise.landInUse,
    ).toEqual({ areaMu: 9, leasedInM2: 2000 });
    expect(
      (await data(t.database, q, { u: county.B.uscc, d: '2025-01-01' })).enterprise.landInUse,
    ).toEqual({ areaMu: 6, leasedInM2: 0 });
    expect(
      (await data(t.database, q, { u: county.C.uscc, d: '2019-12-31' })).enterprise.landInUse
        .areaMu,
    ).toBeCloseTo(10.0, 4);
    expect(
      (await data(t.database, q, { u: county.C.uscc, d: '2020-01-01' })).enterprise.landInUse
        .areaMu,
    ).toBeNull();
  });

  it('finds an enterprise by its Relay global id', async () => {
    const { enterprise } = await data(
      t.database,
      `query ($u: String!) { enterprise(uscc: $u) { id } }`,
      { u: county.B.uscc },
    );
    const { node } = await data(
      t.database,
      `query ($id: ID!) { node(id: $id) { ... on Enterprise { uscc } } }`,
      { id: enterprise.id },
    );
    expect(node.uscc).toBe(county.B.uscc);
    expect(
      (await data(t.database, `{ enterprise(uscc: "91370830XXXXXXXXXX") { uscc } }`)).enterprise,
    ).toBeNull();
  });

  it('shows a department only its own detail', async () => {
    const fields: Record<string, string> = {
      taxAnnual: 'taxAnnual { year }',
      parcels: 'parcels { unitNo }',
      penalties: 'penalties { decisionNo }',
      address: 'address',
      powerAccounts: 'powerAccounts { accountNo }',
      designations: 'designations { type }',
    };
    const allowed: string[] = [];
    for (const [name, selection] of Object.entries(fields)) {
      const result = await run(
        t.database,
        `query ($u: String!) { enterprise(uscc: $u) { name ${selection} } }`,
        { u: county.A.uscc },
        'tax',
      );
      if (!result.errors) allowed.push(name);
      else expect(result.errors[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(allowed).toEqual(['taxAnnual', 'designations']);
    const asDashboard = await run(
      t.database,
      `query ($u: String!) { enterprise(uscc: $u) { name } }`,
      { u: county.A.uscc },
      'dashboard',
    );
    expect(asDashboard.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
