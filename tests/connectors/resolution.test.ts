import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import type { Database } from '../../db/client.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { expectCountsAddUp, fixture, paymentLinks, U } from './support.js';

/** The department files of the order-independence check. */
const DEPARTMENT_FILES = [
  ['tax-payments', 'tax-payments.csv'],
  ['land-parcels', 'land-parcels.xlsx'],
  ['land-leases', 'land-leases.csv'],
  ['power', 'power.csv'],
  ['designations', 'designations.csv'],
] as const;

/** Every link of every linked table: what resolution made of each record. */
async function links(database: Database) {
  return database.rows(sql`
    select 'tax' as t, receipt_no as k, uscc, match_method as m, match_reason as r, match_candidates as c from tax_payments
    union all select 'parcel', unit_no || registered_on, uscc, match_method, match_reason, match_candidates from land_parcels
    union all select 'lessor', filing_no, lessor_uscc, lessor_match_method, lessor_match_reason, lessor_match_candidates from land_leases
    union all select 'lessee', filing_no, lessee_uscc, lessee_match_method, lessee_match_reason, lessee_match_candidates from land_leases
    union all select 'power', account_no || month, uscc, match_method, match_reason, match_candidates from power_consumption
    union all select 'designation', identity_key || type || recognized_on, uscc, match_method, match_reason, match_candidates from designations
    order by 1, 2`);
}

describe(`entity resolution (${testDbMode()})`, () => {
  let first: TestDatabase;
  let late: TestDatabase;
  beforeAll(async () => {
    [first, late] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });
  afterAll(async () => {
    await first?.drop();
    await late?.drop();
  });

  it('links by identifier kind, each by its own rule, and keeps the rest unmatched with reason and candidates', async () => {
    await ingestFile(first.database, 'market-registry', fixture('registry.csv'));
    await expectCountsAddUp(
      first.database,
      await ingestFile(first.database, 'tax-payments', fixture('tax-payments.csv')),
    );
    const p = await paymentLinks(first.database);
    expect(p.P01).toEqual({ uscc: U.huali, method: 'uscc', candidates: null }); // valid USCC
    expect(p.P12).toEqual({ uscc: U.textile, method: 'uscc', candidates: null }); // lower case, spaces around
    expect(p.P02).toEqual({ uscc: U.huali, method: 'legacy', candidates: null }); // 370830 + organisation code
    expect(p.P03).toEqual({ uscc: U.textile, method: 'name', candidates: null });
    expect(p.P04).toEqual({ uscc: U.huali, method: 'former_name', candidates: null }); // 曾用名 after ；
    expect(p.P13).toEqual({ uscc: U.hongda, method: 'former_name', candidates: null }); // 曾用名 after ;
    expect(p.P14).toEqual({ uscc: U.xinhua, method: 'name', candidates: null }); // a current name beats another's former name
    expect(p.P11).toEqual({ uscc: U.yan, method: 'uscc', candidates: null });
    expect(p.P05).toEqual({ uscc: null, method: null, candidates: [U.sameName1, U.sameName2] }); // two current names
    expect(p.P06).toEqual({ uscc: null, method: null, candidates: [U.xinhua, U.hongda] }); // two former names
    expect(p.P07).toEqual({ uscc: null, method: null, candidates: [U.dongfangJining, U.dongfang] }); // one organisation code, two USCCs
    expect(p.P08).toEqual({ uscc: null, method: null, candidates: null }); // valid, not (yet) registered
    expect(p.P09).toEqual({ uscc: null, method: null, candidates: null }); // legacy number of no one
    expect(p.P10).toEqual({ uscc: null, method: null, candidates: null }); // unknown name
    const reasons = Object.fromEntries(
      (
        await first.database.rows<{ receipt_no: string; match_reason: string }>(
          sql`select receipt_no, match_reason from tax_payments where uscc is null`,
        )
      ).map((r) => [r.receipt_no, r.match_reason]),
    );
    expect(reasons.P08).toMatch(/^未登记：/);
    expect(reasons.P05).toMatch(/^无法确定：2 家登记企业同名/);
    expect(reasons.P06).toMatch(/^无法确定：此名称是 2 家登记企业的曾用名/);
    expect(reasons.P07).toMatch(/^无法确定：旧税务登记号 370830MA3C4A1B8 对应 2 家/);
    expect(reasons.P09).toMatch(/组织机构代码 ZZZZZZZZZ/);
    expect(reasons.P10).toMatch(/^名称不明：/);
    // An invalid USCC is never guessed at: the row is quarantined, not linked by its (valid) name.
    const [{ n }] = await first.database.rows<{ n: number }>(
      sql`select count(*)::int as n from tax_payments where receipt_no = 'Q01'`,
    );
    expect(n).toBe(0);
  });

  it('gives the same links whatever order the files arrive in (tax and land before the register)', async () => {
    for (const [source, file] of DEPARTMENT_FILES.filter(([s]) => s !== 'tax-payments'))
      await ingestFile(first.database, source, fixture(file));
    for (const [source, file] of DEPARTMENT_FILES)
      await ingestFile(late.database, source, fixture(file));
    const before = await paymentLinks(late.database);
    expect(Object.values(before).every((l) => l.uscc === null)).toBe(true); // no register yet: nothing links
    await expectCountsAddUp(
      late.database,
      await ingestFile(late.database, 'market-registry', fixture('registry.csv')),
    );
    expect(await links(late.database)).toEqual(await links(first.database));
  });

  it('resolves unmatched and name-linked records again when the register changes', async () => {
    for (const t of [first, late])
      await ingestFile(t.database, 'market-registry', fixture('registry-update.csv'));
    const p = await paymentLinks(first.database);
    expect(p.P08).toEqual({ uscc: U.later, method: 'uscc', candidates: null }); // its USCC is registered now
    expect(p.P10).toEqual({ uscc: U.newco, method: 'name', candidates: null }); // its name is registered now
    expect(p.P13).toEqual({ uscc: U.fushi, method: 'name', candidates: null }); // a current name now, beating the former name
    expect(p.P05.uscc).toBeNull();
    expect(await links(late.database)).toEqual(await links(first.database));
  });
});
