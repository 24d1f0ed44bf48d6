/**
 * A large power file for the ingest benchmark: `accounts` accounts read every month for
 * `months` months (40,000 × 48 ≈ 1.9 million rows), every third account without a USCC, and
 * the register those accounts belong to.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { YEARS } from './county.js';
import { buildCounty } from './enterprises.js';
import { writeRegistry } from './market.js';
import { otherBrackets } from './names.js';
import { accountNumber, type PowerAccount, writePowerFile } from './power.js';
import { rngFor } from './random.js';

export interface PowerBenchmarkOptions {
  /** number of electricity accounts (default 40,000) */
  accounts?: number;
  /** months from 2022-01 (default 48) */
  months?: number;
  /** PRNG seed (default 1) */
  seed?: number;
  /** where to write the register (default: market-registry.csv beside outFile) */
  registryFile?: string;
}

export interface PowerBenchmarkResult {
  powerFile: string;
  registryFile: string;
  /** data rows of the power file (accounts × months) */
  rows: number;
  accounts: number;
  nameOnlyAccounts: number;
  enterprises: number;
}

/**
 * Writes the benchmark's power CSV (UTF-8, the spec's column order) to `outFile` and the
 * matching market-registry CSV. Every row is valid and every account links to one enterprise
 * (by USCC, or for a third of them by 户名, some written with the other brackets).
 */
export async function generatePowerBenchmark(
  outFile: string,
  options: PowerBenchmarkOptions = {},
): Promise<PowerBenchmarkResult> {
  const accountCount = options.accounts ?? 40_000;
  const months = options.months ?? 48;
  const seed = options.seed ?? 1;
  const dir = path.dirname(outFile);
  const registryFile = options.registryFile ?? path.join(dir, 'market-registry.csv');
  await mkdir(dir, { recursive: true });
  await mkdir(path.dirname(registryFile), { recursive: true });

  // About 1.6 accounts per enterprise, as in the county.
  const county = buildCounty(seed, Math.max(1, Math.ceil(accountCount / 1.6)), {
    scenarios: false,
    industrialOnly: true,
  });
  const rng = rngFor(seed, 'benchmark-accounts');
  const accounts: PowerAccount[] = [];
  const { enterprises } = county;
  for (let k = 0, i = 0; k < accountCount; i++) {
    const e = enterprises[i % enterprises.length];
    const n =
      i < enterprises.length
        ? rng.weighted([
            [1, 55],
            [2, 35],
            [3, 10],
          ])
        : 1;
    const level = Math.max(2e6, ...e.revenue.map((v) => v ?? 0)) * e.sector.kwhPerYuan;
    for (let j = 0; j < n && k < accountCount; j++, k++) {
      const nameOnly = k % 3 === 2;
      accounts.push({
        accountNo: accountNumber(k),
        ent: e,
        name: nameOnly && /[（(]/.test(e.name) && rng.chance(0.5) ? otherBrackets(e.name) : e.name,
        uscc: nameOnly ? '' : e.uscc,
        annualKwh: YEARS.map(() => level / n),
        fromMonth: 0,
        toMonth: months - 1,
      });
    }
  }
  // The register carries its usual few phantom (invalid) rows; no account refers to them.
  await writeRegistry(county, path.dirname(registryFile), path.basename(registryFile));
  const file = await writePowerFile(
    seed,
    accounts,
    dir,
    {
      file: path.basename(outFile),
      fromMonth: 0,
      toMonth: months - 1,
      layout: 'spec',
      encoding: 'utf-8',
      note: 'ingest benchmark',
    },
    0,
  );
  return {
    powerFile: outFile,
    registryFile,
    rows: file.rows,
    accounts: accounts.length,
    nameOnlyAccounts: accounts.filter((a) => !a.uscc).length,
    enterprises: enterprises.length,
  };
}
