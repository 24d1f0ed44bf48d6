import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import type { Database } from '../../db/client.js';
import { batch, uscc } from '../schema/support.js';
import { CountySeed } from '../support/seed.js';

/*
 * A 规下 county (亩产效益 = 亩均税收 alone, weight 100), 2022–2025: 20 fillers on 15 亩 each paying
 * 1,010,000 … 1,200,000 元 a year, and X (甲企业) on 15 亩 paying 1,000 元 a year, so X is the last of
 * 21: D every year (D = the last ⌈0.05 × 21⌉ = 2 positions, the other one filler F1). Every firm
 * files an annual return each year (revenue 1,000,000 元, below scale), so every year has its data.
 * X has one electricity account, P0001, with 10,000 kWh each June.
 */
export const X = uscc(1);
export const filler = (i: number) => uscc(100 + i);
export const YEARS = [2022, 2023, 2024, 2025];

/** The county's rows, written as batch 1 (a committed batch of the register, as if loaded). */
export async function seedDecisionsCounty(database: Database): Promise<void> {
  const first = await batch(database, 'market-registry');
  if (first !== 1) throw new Error(`the seed expects to be batch 1, got ${first}`);
  await decisionsCounty().insert(database);
}

export function decisionsCounty(): CountySeed {
  const s = new CountySeed();
  for (let i = 1; i <= 20; i++) {
    const u = filler(i);
    s.enterprise(u, `填充企业${i}`).parcel(u, 15, '2015-01-01');
    for (const y of YEARS)
      s.tax(u, y, 1_000_000 + i * 10_000).annualReturn(u, y, { revenue: 1_000_000 });
  }
  s.enterprise(X, '甲企业', { town: '南旺镇' }).parcel(X, 15, '2015-01-01');
  for (const y of YEARS)
    s.tax(X, y, 1_000)
      .annualReturn(X, y, { revenue: 1_000_000 })
      .reading(X, 'P0001', `${y}-06`, 10_000, '甲企业');
  return s;
}

/**
 * Loads, through the real connector, a late tax payment of X for `year` (a correction delivered by
 * the tax bureau): `yuan` more tax in December. Returns the batch id.
 */
export async function loadTaxCorrection(
  database: Database,
  dir: string,
  year: number,
  yuan: number,
  receipt = `CORR-${year}`,
): Promise<number> {
  const file = path.join(dir, `tax-correction-${receipt}.csv`);
  writeFileSync(
    file,
    `税票号码,纳税人识别号,纳税人名称,税款所属期,税种,实缴金额(元)\n${receipt},${X},甲企业,${year}-12,增值税,${yuan.toFixed(2)}\n`,
  );
  const report = await ingestFile(database, 'tax-payments', file);
  return report.batchId;
}
