import type { Database } from '../../db/client.js';
import { enterprises } from '../../db/market.js';
import { designations, techProjects } from '../../db/recognition.js';
import { taxAnnual } from '../../db/tax.js';

/** Rows for the award tests, inserted directly with drizzle (linked: uscc set). */

let counter = 0;

/** A fresh 18-character identifier per call (format only; the award engine does not check digits). */
export const nextUscc = (prefix = 'AW') =>
  `91370830${prefix.padEnd(3, 'X').slice(0, 3)}${String(++counter).padStart(6, '0')}Y`;

export interface EnterpriseSeed {
  uscc?: string;
  name?: string;
  status?: string;
  establishedOn?: string | null;
  industryDivision?: string | null;
  town?: string;
}

export async function addEnterprise(
  database: Database,
  seed: EnterpriseSeed = {},
): Promise<string> {
  const uscc = seed.uscc ?? nextUscc();
  const name = seed.name ?? `汶上县测试企业${uscc.slice(-7)}有限公司`;
  await database.db.insert(enterprises).values({
    uscc,
    name,
    nameNorm: name,
    status: seed.status ?? '存续',
    establishedOn: seed.establishedOn === undefined ? '2015-03-01' : seed.establishedOn,
    industryDivision: seed.industryDivision === undefined ? 'C36' : seed.industryDivision,
    industrySection: (seed.industryDivision ?? 'C36')?.slice(0, 1),
    town: seed.town ?? '汶上街道',
    batchId: 1,
  });
  return uscc;
}

export interface YearSeed {
  year: number;
  revenue?: string | null;
  software?: string | null;
  employees?: number | null;
}

export async function addTaxYears(
  database: Database,
  uscc: string,
  years: YearSeed[],
): Promise<void> {
  if (years.length === 0) return;
  await database.db.insert(taxAnnual).values(
    years.map((y) => ({
      identityKey: uscc,
      year: y.year,
      uscc,
      revenueYuan: y.revenue ?? null,
      softwareRevenueYuan: y.software ?? null,
      employees: y.employees ?? null,
      batchId: 1,
    })),
  );
}

export async function addDesignation(
  database: Database,
  uscc: string | null,
  type: string,
  recognizedOn: string,
  coreFactoryUscc?: string,
): Promise<void> {
  await database.db.insert(designations).values({
    identityKey: uscc ?? `name:${type}:${recognizedOn}:${++counter}`,
    type,
    recognizedOn,
    uscc,
    issuer: '山东省工业和信息化厅',
    documentNo: `鲁工信字〔${recognizedOn.slice(0, 4)}〕${++counter}号`,
    coreFactoryUscc: coreFactoryUscc ?? null,
    batchId: 1,
  });
}

export interface ProjectSeed {
  no?: string;
  name?: string;
  equipment: string;
  software: string;
  acceptedOn: string | null;
  alreadySupported?: boolean;
  uscc?: string | null;
}

export async function addProject(
  database: Database,
  uscc: string | null,
  p: ProjectSeed,
): Promise<string> {
  const projectNo = p.no ?? `ZNGZ-${++counter}`;
  await database.db.insert(techProjects).values({
    projectNo,
    uscc,
    projectName: p.name ?? '智能化改造项目',
    equipmentYuan: p.equipment,
    softwareYuan: p.software,
    acceptedOn: p.acceptedOn,
    alreadySupported: p.alreadySupported ?? false,
    batchId: 1,
  });
  return projectNo;
}
