import { type ExecutionResult, GraphQLError, graphql } from 'graphql';
import { usccCheckChar } from '../../connectors/common/uscc.js';
import type { Database } from '../../db/client.js';
import { ingestBatches } from '../../db/ingest.js';
import { landLeases, landParcels } from '../../db/land.js';
import { enterprises, marketPenalties } from '../../db/market.js';
import { powerConsumption } from '../../db/power-view.js';
import { designations, techProjects } from '../../db/recognition.js';
import { taxAnnual, taxPayments } from '../../db/tax.js';
import { createLogger } from '../../lib/logger.js';
import { normaliseName } from '../../lib/names.js';
import { createContext, type Role, viewerFor } from '../../resolvers/context.js';
import { schema } from '../../schema/index.js';
import { domainCode } from '../../server/errors.js';

const logger = createLogger('silent');

/** Executes an operation against the real schema with a fresh per-request context, as `role`. */
export async function run<T = any>(
  database: Database,
  source: string,
  variables: Record<string, unknown> = {},
  role: Role = 'analyst',
): Promise<ExecutionResult<T>> {
  const contextValue = createContext(database, viewerFor(role), logger, 'test');
  const result = (await graphql({
    schema,
    source,
    variableValues: variables,
    contextValue,
  })) as ExecutionResult<T>;
  return result.errors ? { ...result, errors: result.errors.map(withDomainCode) } : result;
}

/**
 * A domain error with the code the server gives it (server/errors.ts), as a client sees it;
 * other errors keep their message here, for the test's failure to show.
 */
function withDomainCode(error: GraphQLError): GraphQLError {
  const code = domainCode(error.originalError);
  if (!code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}

/** Like `run`, but fails on any GraphQL error and returns `data`. */
export async function data<T = any>(
  database: Database,
  source: string,
  variables: Record<string, unknown> = {},
  role: Role = 'analyst',
): Promise<T> {
  const result = await run<T>(database, source, variables, role);
  if (result.errors?.length)
    throw new Error(
      result.errors.map((e) => `${e.path?.join('.') ?? ''}: ${e.message}`).join('\n'),
    );
  return result.data as T;
}

/** A valid USCC with organisation code from `n` (check character computed, GB 32100-2015). */
export function uscc(n: number, prefix = '91370830'): string {
  const first17 = `${prefix}${String(n).padStart(9, '0')}`;
  return first17 + usccCheckChar(first17)!;
}

/** Statements issued while `fn` runs (drizzle and raw `rows()` alike). */
export async function countQueries<T>(
  database: Database,
  fn: () => Promise<T>,
): Promise<{ result: T; queries: number }> {
  const before = database.stats.queries;
  const result = await fn();
  return { result, queries: database.stats.queries - before };
}

export interface FixtureEnterprise {
  uscc: string;
  name: string;
  town: string;
  industryCode: string;
  status?: string;
  establishedOn?: string;
  formerNames?: string[];
}

/** Inserts a committed batch of `source` and returns its id. */
export async function batch(
  database: Database,
  source: string,
  finishedAt = new Date('2025-03-01T08:00:00Z'),
): Promise<number> {
  const [row] = await database.db
    .insert(ingestBatches)
    .values({
      source,
      status: 'committed',
      fileName: `${source}.csv`,
      rowsRead: 0,
      rowsLoaded: 0,
      finishedAt,
      startedAt: finishedAt,
    })
    .returning({ id: ingestBatches.id });
  return row.id;
}

export async function insertEnterprises(
  database: Database,
  list: FixtureEnterprise[],
  batchId: number,
) {
  await database.db.insert(enterprises).values(
    list.map((e, i) => ({
      uscc: e.uscc,
      name: e.name,
      nameNorm: normaliseName(e.name),
      formerNames: e.formerNames ?? [],
      formerNamesNorm: (e.formerNames ?? []).map(normaliseName),
      status: e.status ?? '存续',
      town: e.town,
      industryCode: e.industryCode,
      industrySection: e.industryCode.slice(0, 1),
      industryDivision: e.industryCode.slice(0, 3),
      establishedOn: e.establishedOn ?? '2015-06-01',
      legalForm: '有限责任公司',
      registeredCapitalYuan: '10000000.00',
      address: `${e.town}工业园${i + 1}号`,
      legalRepresentative: '张三',
      batchId,
      sourceRow: i + 2,
    })),
  );
}

const link = (u: string | null, name: string) => ({
  uscc: u,
  rawIdentifier: u,
  rawName: name,
  nameNorm: normaliseName(name),
  matchMethod: u ? 'uscc' : null,
  matchReason: u ? null : '无匹配企业',
});

/**
 * The small county every schema test starts from, with figures worked out by hand:
 * - A 华力机电 (C3670, 中都街道): 2024 tax 120,000 + 80,000 − 5,000 = 195,000 元; revenue 30,000,000;
 *   parcel 20,000 m² (30 亩) held since 2016, leases 2,000 m² out to B during 2024 → 27 亩 on 2024-12-31;
 *   two power accounts: 1,000 + 2,000 kWh in 2024-01, 3,000 in 2024-02.
 * - B 绿色化工 (C2614, 南站镇): 2024 tax 30,000; revenue 5,000,000; parcel 4,000 m² (6 亩) + 2,000 leased in = 9 亩.
 * - C 服装 (C1810, 中都街道, 注销), D 供电 (D4411, 南站镇).
 * - one tax payment that links to no enterprise (uscc null), worth 999,999 元.
 */
export async function seedCounty(database: Database) {
  const b = await batch(database, 'market-registry');
  const A = {
    uscc: uscc(1),
    name: '汶上县华力机电（集团）有限公司',
    town: '中都街道',
    industryCode: 'C3670',
    formerNames: ['汶上县华力机械厂'],
  };
  const B = { uscc: uscc(2), name: '山东绿源化工有限公司', town: '南站镇', industryCode: 'C2614' };
  const C = {
    uscc: uscc(3),
    name: '汶上县鸿瑞轩服饰有限公司',
    town: '中都街道',
    industryCode: 'C1810',
    status: '注销',
  };
  const D = {
    uscc: uscc(4),
    name: '汶上县供电服务有限公司',
    town: '南站镇',
    industryCode: 'D4411',
  };
  await insertEnterprises(database, [A, B, C, D], b);

  const tb = await batch(database, 'tax-payments');
  const pay = (
    no: string,
    u: string | null,
    name: string,
    period: string,
    taxType: string,
    amount: string,
    row: number,
  ) => ({
    receiptNo: no,
    ...link(u, name),
    period,
    taxType,
    amountYuan: amount,
    batchId: tb,
    sourceRow: row,
  });
  await database.db
    .insert(taxPayments)
    .values([
      pay('R1', A.uscc, A.name, '2024-01-01', '增值税', '120000.00', 2),
      pay('R2', A.uscc, A.name, '2024-01-01', '企业所得税', '80000.00', 3),
      pay('R3', A.uscc, A.name, '2024-03-01', '增值税', '-5000.00', 4),
      pay('R4', A.uscc, A.name, '2023-12-01', '增值税', '70000.00', 5),
      pay('R5', B.uscc, B.name, '2024-02-01', '增值税', '30000.00', 6),
      pay('R6', null, '不存在的公司', '2024-02-01', '增值税', '999999.00', 7),
    ]);
  const ab = await batch(database, 'tax-annual');
  const annual = (
    u: string,
    name: string,
    year: number,
    revenue: string,
    rd: string,
    employees: number,
  ) => ({
    identityKey: u,
    year,
    ...link(u, name),
    revenueYuan: revenue,
    softwareRevenueYuan: '0.00',
    rdExpenseYuan: rd,
    employees,
    batchId: ab,
    sourceRow: 2,
  });
  await database.db
    .insert(taxAnnual)
    .values([
      annual(A.uscc, A.name, 2024, '30000000.00', '900000.00', 120),
      annual(A.uscc, A.name, 2023, '25000000.00', '500000.00', 110),
      annual(B.uscc, B.name, 2024, '5000000.00', '0.00', 20),
    ]);
  const lb = await batch(database, 'land-parcels');
  await database.db.insert(landParcels).values([
    {
      unitNo: 'U1',
      registeredOn: '2016-01-01',
      ...link(A.uscc, A.name),
      town: A.town,
      landUse: '工业用地',
      rightType: '出让',
      areaM2: '20000.00',
      batchId: lb,
      sourceRow: 2,
    },
    {
      unitNo: 'U2',
      registeredOn: '2018-05-01',
      ...link(B.uscc, B.name),
      town: B.town,
      landUse: '工业用地',
      rightType: '出让',
      areaM2: '4000.00',
      batchId: lb,
      sourceRow: 3,
    },
    // held by C until 2019: not in force in 2024
    {
      unitNo: 'U3',
      registeredOn: '2010-01-01',
      cancelledOn: '2019-12-31',
      ...link(C.uscc, C.name),
      town: C.town,
      landUse: '工业用地',
      rightType: '出让',
      areaM2: '6666.67',
      batchId: lb,
      sourceRow: 4,
    },
  ]);
  const leb = await batch(database, 'land-leases');
  await database.db.insert(landLeases).values([
    {
      filingNo: 'L1',
      lessorName: A.name,
      lessorIdentifier: A.uscc,
      lessorUscc: A.uscc,
      lessorMatchMethod: 'uscc',
      lesseeName: B.name,
      lesseeIdentifier: B.uscc,
      lesseeUscc: B.uscc,
      lesseeMatchMethod: 'uscc',
      unitNo: 'U1',
      areaM2: '2000.00',
      startsOn: '2024-01-01',
      endsOn: '2024-12-31',
      batchId: leb,
      sourceRow: 2,
    },
  ]);
  const pb = await batch(database, 'power');
  const reading = (account: string, month: string, kwh: string, row: number) => ({
    accountNo: account,
    month,
    ...link(A.uscc, A.name),
    kwh,
    batchId: pb,
    sourceRow: row,
  });
  await database.db
    .insert(powerConsumption)
    .values([
      reading('P-001', '2024-01-01', '1000.00', 2),
      reading('P-002', '2024-01-01', '2000.00', 3),
      reading('P-001', '2024-02-01', '3000.00', 4),
      reading('P-001', '2023-12-01', '500.00', 5),
    ]);
  const pen = await batch(database, 'market-penalties');
  await database.db.insert(marketPenalties).values([
    {
      decisionNo: '汶市监罚〔2024〕1号',
      ...link(A.uscc, A.name),
      violationType: '产品质量',
      decidedOn: '2024-06-01',
      amountYuan: '20000.00',
      batchId: pen,
      sourceRow: 2,
    },
  ]);
  const db2 = await batch(database, 'designations');
  await database.db.insert(designations).values([
    {
      identityKey: A.uscc,
      type: '省级智能工厂',
      recognizedOn: '2023-09-01',
      ...link(A.uscc, A.name),
      issuer: '山东省工业和信息化厅',
      documentNo: '鲁工信〔2023〕1号',
      batchId: db2,
      sourceRow: 2,
    },
  ]);
  const tp = await batch(database, 'tech-projects');
  await database.db.insert(techProjects).values([
    {
      projectNo: 'T1',
      ...link(A.uscc, A.name),
      projectName: '机器人焊接线',
      equipmentYuan: '1200000.10',
      softwareYuan: '300000.20',
      acceptedOn: '2024-04-01',
      alreadySupported: false,
      batchId: tp,
      sourceRow: 2,
    },
  ]);
  return { A, B, C, D };
}

const CODES = ['C3431', 'C3670', 'C2651', 'C1810', 'C2614', 'C3032'];
const TOWNS = ['中都街道', '南站镇', '寅寺镇'];

/**
 * `n` more enterprises (organisation codes from 100) with varied 2024 figures: revenue i × 2,000,000
 * (none when i % 5 = 0), land i × 700 m² (none when i % 7 = 0), tax i × 5,000 元 in two months,
 * power i × 1,000 kWh. Returns their USCCs.
 */
export async function seedMany(database: Database, n: number): Promise<string[]> {
  const b = await batch(database, 'market-registry');
  const list = Array.from({ length: n }, (_, k) => {
    const i = k + 1;
    return {
      uscc: uscc(100 + i),
      name: `汶上县测试${i}号机械有限公司`,
      town: TOWNS[i % TOWNS.length],
      industryCode: CODES[i % CODES.length],
      establishedOn: '2010-01-01',
    };
  });
  await insertEnterprises(database, list, b);
  const tb = await batch(database, 'tax-payments');
  await database.db.insert(taxPayments).values(
    list.flatMap((e, k) => {
      const i = k + 1;
      const half = ((i * 5000) / 2).toFixed(2);
      return ['2024-04-01', '2024-10-01'].map((period, m) => ({
        receiptNo: `M${i}-${m}`,
        ...link(e.uscc, e.name),
        period,
        taxType: '增值税',
        amountYuan: half,
        batchId: tb,
        sourceRow: 2 * k + m + 2,
      }));
    }),
  );
  const ab = await batch(database, 'tax-annual');
  const withRevenue = list.filter((_, k) => (k + 1) % 5 !== 0);
  await database.db.insert(taxAnnual).values(
    withRevenue.map((e) => {
      const i = list.indexOf(e) + 1;
      return {
        identityKey: e.uscc,
        year: 2024,
        ...link(e.uscc, e.name),
        revenueYuan: (i * 2_000_000).toFixed(2),
        softwareRevenueYuan: '0.00',
        rdExpenseYuan: (i * 20_000).toFixed(2),
        employees: 10 + i,
        batchId: ab,
        sourceRow: i + 1,
      };
    }),
  );
  const lb = await batch(database, 'land-parcels');
  const withLand = list.filter((_, k) => (k + 1) % 7 !== 0);
  await database.db.insert(landParcels).values(
    withLand.map((e) => {
      const i = list.indexOf(e) + 1;
      return {
        unitNo: `MU${i}`,
        registeredOn: '2012-01-01',
        ...link(e.uscc, e.name),
        town: e.town,
        landUse: '工业用地',
        rightType: '出让',
        areaM2: (i * 700).toFixed(2),
        batchId: lb,
        sourceRow: i + 1,
      };
    }),
  );
  const pb = await batch(database, 'power');
  await database.db.insert(powerConsumption).values(
    list.map((e, k) => ({
      accountNo: `PM-${k + 1}`,
      month: '2024-06-01',
      ...link(e.uscc, e.name),
      kwh: ((k + 1) * 1000).toFixed(2),
      batchId: pb,
      sourceRow: k + 2,
    })),
  );
  return list.map((e) => e.uscc);
}
