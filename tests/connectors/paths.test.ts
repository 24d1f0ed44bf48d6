import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestOptions, ingestFile, ingestRecords } from '../../connectors/pipeline/ingest.js';
import type { LoadPath } from '../../connectors/pipeline/load.js';
import { openFile } from '../../connectors/pipeline/readers.js';
import type { Database } from '../../db/client.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { countsOf, expectCountsAddUp, fixture } from './support.js';

/** Every file of every source, the register first. */
const FILES = [
  ['market-registry', 'registry.csv'],
  ['market-penalties', 'market-penalties.csv'],
  ['tax-payments', 'tax-payments.csv'],
  ['tax-annual', 'tax-annual.csv'],
  ['land-parcels', 'land-parcels.xlsx'],
  ['land-leases', 'land-leases.csv'],
  ['power', 'power.csv'],
  ['designations', 'designations.csv'],
  ['tech-projects', 'tech-projects.csv'],
] as const;

const TABLES = [
  'enterprises',
  'market_penalties',
  'tax_payments',
  'tax_annual',
  'land_parcels',
  'land_leases',
  'power_consumption',
  'designations',
  'tech_projects',
];

/** Every table's rows without what differs between loads (batch id, time), and the quarantine. */
async function contents(database: Database) {
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = await database.rows<Record<string, unknown>>(
      sql`select * from ${sql.identifier(table)}`,
    );
    out[table] = rows
      .map((row) => {
        const { batch_id: _b, loaded_at: _l, updated_at: _u, ...rest } = row;
        return JSON.stringify(rest);
      })
      .sort();
  }
  out.quarantined_rows = (
    await database.rows<{ q: string }>(
      sql`select source || ' ' || row_number || ' ' || reasons::text || ' ' || raw::text as q from quarantined_rows`,
    )
  )
    .map((r) => r.q)
    .sort();
  return out;
}

/** The indexes of the loaded tables, as PostgreSQL would create them. */
const indexes = (database: Database) =>
  database.rows(
    sql`select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2`,
  );

/** A file's rows as records keyed by the header (what the API pull hands over): they can be read once only. */
async function* recordsOf(file: string): AsyncGenerator<Record<string, string>> {
  let header: string[] | undefined;
  for await (const batch of openFile(file).batches) {
    for (const row of batch) {
      if (!header) header = row.cells;
      else yield Object.fromEntries(header.map((h, i) => [h, row.cells[i] ?? '']));
    }
  }
}

describe(`load paths: bulk, direct and staging give the same result (${testDbMode()})`, () => {
  let bulk: TestDatabase;
  let direct: TestDatabase;
  let staged: TestDatabase;
  const paths: Record<string, LoadPath[]> = { bulk: [], direct: [] };
  const load = async (
    database: Database,
    source: string,
    file: string,
    options: IngestOptions = {},
  ) => {
    let path: LoadPath | undefined;
    const report = await ingestFile(database, source, fixture(file), {
      ...options,
      onPath: (p) => (path = p),
    });
    await expectCountsAddUp(database, report);
    return { report, path };
  };

  beforeAll(async () => {
    bulk = await createTestDatabase();
    direct = await createTestDatabase();
    staged = await createTestDatabase();
    for (const [source, file] of FILES) {
      paths.bulk.push((await load(bulk.database, source, file, { bulkMinBytes: 0 })).path!);
      paths.direct.push((await load(direct.database, source, file)).path!);
      // The staging path from records (xlsx: compared between the other two only).
      if (file.endsWith('.csv'))
        await ingestRecords(staged.database, source, recordsOf(fixture(file)), { fileName: file });
    }
  });
  afterAll(async () => {
    await Promise.all([bulk?.drop(), direct?.drop(), staged?.drop()]);
  });

  it('takes the bulk path into empty tables, else the direct path', () => {
    expect(paths.bulk).toEqual(FILES.map(() => 'bulk'));
    expect(paths.direct).toEqual(FILES.map(() => 'direct'));
  });

  it('stores the same rows and quarantines the same rows on every path, and keeps every index', async () => {
    const expected = await contents(direct.database);
    expect(await contents(bulk.database)).toEqual(expected);
    const viaStage = await contents(staged.database);
    for (const table of TABLES.filter((t) => t !== 'land_parcels'))
      expect(viaStage[table], table).toEqual(expected[table]);
    expect(await indexes(bulk.database)).toEqual(await indexes(direct.database));
  });

  it('gives way to the staging path for a reload (nothing changes) and for a key met twice in one file', async () => {
    const tables = async () => ({ ...(await contents(bulk.database)), quarantined_rows: [] }); // a reload quarantines its bad rows again
    const before = await tables();
    const again = await load(bulk.database, 'power', 'power.csv', { bulkMinBytes: 0 });
    expect(again.path).toBe('stage');
    expect(countsOf(again.report)).toMatchObject({ replaced: 0 });
    expect(await tables()).toEqual(before);

    for (const t of [bulk, direct]) {
      // The first key is new, the duplicate (row 4) fails the COPY (direct) or the rebuilt primary
      // key (bulk: tax_payments is not empty, so the bulk path does not even start): staging path.
      const duplicate = await load(t.database, 'tax-payments', 'tax-payments-duplicate.csv', {
        bulkMinBytes: 0,
      });
      expect(duplicate.path).toBe('stage');
      expect(countsOf(duplicate.report)).toEqual({
        read: 3,
        loaded: 2,
        replaced: 0,
        quarantined: 1,
        unmatched: 0,
      });
    }
  });

  it('rolls the bulk path back when the rebuilt primary key meets a duplicate, and loads through the staging path', async () => {
    const t = await createTestDatabase();
    try {
      await load(t.database, 'market-registry', 'registry.csv');
      const duplicate = await load(t.database, 'tax-payments', 'tax-payments-duplicate.csv', {
        bulkMinBytes: 0,
      });
      expect(duplicate.path).toBe('stage');
      expect(countsOf(duplicate.report)).toEqual({
        read: 3,
        loaded: 2,
        replaced: 0,
        quarantined: 1,
        unmatched: 0,
      });
      const [{ n }] = await t.database.rows<{ n: number }>(
        sql`select count(*)::int as n from quarantined_rows`,
      );
      expect(n).toBe(1); // the bulk attempt's rows and quarantine are gone with its savepoint
      expect(await indexes(t.database)).toEqual(await indexes(direct.database));
    } finally {
      await t.drop();
    }
  });
});
