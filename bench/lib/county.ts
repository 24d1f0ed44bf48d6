import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { ingestManifest } from '../../connectors/pipeline/ingest.js';
import { type Database, openDatabase } from '../../db/client.js';
import { generateDemo } from '../../demo/generate.js';

export interface BenchCounty {
  database: Database;
  url: string;
  /** seconds spent generating and loading, 0 when the database was already loaded */
  loadSeconds: number;
  enterprises: number;
}

/**
 * A PostgreSQL database holding the demo county of `enterprises` enterprises (seed `seed`), loaded
 * through the real connectors (generateDemo + ingestManifest). Kept between runs under a name
 * that says its size and seed; `fresh` drops and reloads it.
 */
export async function benchCounty(
  adminUrl: string,
  enterprises: number,
  seed: number,
  options: { fresh?: boolean; max?: number; log?: (line: string) => void } = {},
): Promise<BenchCounty> {
  const log = options.log ?? (() => {});
  const name = `edp_bench_${enterprises}_${seed}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    if (options.fresh) await admin.unsafe(`drop database if exists ${name} with (force)`);
    const [exists] = await admin`select 1 as one from pg_database where datname = ${name}`;
    if (!exists) await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), max: options.max ?? 10 });
  await database.migrate();
  const [{ n }] = await database.rows<{ n: number }>(
    sql`select count(*)::int as n from enterprises`,
  );
  if (n >= enterprises) return { database, url: url.toString(), loadSeconds: 0, enterprises: n };
  if (n > 0) throw new Error(`${name} is partly loaded (${n} enterprises): run with --fresh`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edp-bench-'));
  const started = performance.now();
  try {
    log(`generating the demo county: ${enterprises} enterprises, seed ${seed}`);
    await generateDemo(dir, { enterprises, seed });
    log(`loading it through the connectors into ${name}`);
    const reports = await ingestManifest(database, dir);
    for (const r of reports)
      log(
        `  ${r.source.padEnd(17)} ${String(r.rowsLoaded).padStart(9)} loaded ${String(r.rowsUnmatched).padStart(7)} unmatched ${String(r.rowsQuarantined).padStart(6)} quarantined`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const [{ m }] = await database.rows<{ m: number }>(
    sql`select count(*)::int as m from enterprises`,
  );
  await database.rows(sql`analyze`);
  return {
    database,
    url: url.toString(),
    loadSeconds: (performance.now() - started) / 1000,
    enterprises: m,
  };
}
