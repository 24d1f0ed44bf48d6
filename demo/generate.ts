/**
 * The deterministic demo data set: a synthetic 汶上县 written as the departments' own files
 * (docs/sources.md), with a manifest saying how to load them and what they should produce.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULTS } from '../lib/config.js';
import { FIRST_YEAR, LAST_YEAR } from './county.js';
import { buildCounty } from './enterprises.js';
import { planLand, writeLeases, writeParcels } from './land.js';
import type { Manifest, ManifestFile } from './manifest.js';
import { writePenalties, writeRegistry } from './market.js';
import { planPower, writePower } from './power.js';
import { planRecognition, writeDesignations, writeProjects } from './recognition.js';
import { MIN_ENTERPRISES } from './scenarios.js';
import { writeAnnual, writePayments } from './tax.js';

export interface DemoOptions {
  /** number of registered enterprises (default 2,000; at least MIN_ENTERPRISES) */
  enterprises?: number;
  /** PRNG seed (default 20221224): the same seed and size give byte-identical files */
  seed?: number;
}

/**
 * Writes every source of docs/sources.md into `outDir` for 2022–2025, and `manifest.json` listing
 * the files in load order (market-registry first). Returns the manifest.
 */
export async function generateDemo(outDir: string, options: DemoOptions = {}): Promise<Manifest> {
  const count = options.enterprises ?? DEFAULTS.demoEnterprises;
  const seed = options.seed ?? DEFAULTS.demoSeed;
  if (!Number.isInteger(count) || count < MIN_ENTERPRISES)
    throw new RangeError(`the demo needs at least ${MIN_ENTERPRISES} enterprises, got ${count}`);
  if (!Number.isInteger(seed) || seed < 0)
    throw new RangeError(`the seed must be a non-negative whole number, got ${seed}`);
  await mkdir(outDir, { recursive: true });

  const county = buildCounty(seed, count);
  const land = planLand(county);
  const recognition = planRecognition(county);
  const accounts = planPower(county);

  const files: ManifestFile[] = [];
  files.push(await writeRegistry(county, outDir));
  files.push(await writePenalties(county, outDir));
  files.push(...(await writePayments(county, land, outDir)));
  files.push(...(await writeAnnual(county, outDir)));
  files.push(await writeParcels(county, land, outDir));
  files.push(await writeLeases(county, land, outDir));
  files.push(...(await writePower(county, accounts, outDir)));
  files.push(await writeDesignations(county, recognition, outDir));
  files.push(await writeProjects(county, recognition, outDir));

  const manifest: Manifest = {
    generator: 'wenshang-edp demo',
    version: 1,
    seed,
    enterprises: count,
    years: [FIRST_YEAR, LAST_YEAR],
    rowNumbering: 'row numbers count the header as row 1: the first data row is row 2',
    files,
    scenarios: county.enterprises
      .filter((e) => e.spec)
      .map((e) => ({
        role: e.role!,
        uscc: e.uscc,
        name: e.name,
        description: e.spec!.description,
        expect: e.spec!.expect ?? [],
        ...(e.spec!.revitalization
          ? { landRevitalization: { year: LAST_YEAR, categories: e.spec!.revitalization } }
          : {}),
      })),
  };
  await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
