import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinkError } from '../../connectors/pipeline/errors.js';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { linkRecord, listUnmatched } from '../../connectors/unmatched.js';
import { data, run } from '../schema/support.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { fixture, paymentLinks, U } from './support.js';

describe(`unmatched records and links by hand (${testDbMode()})`, () => {
  let t: TestDatabase;
  const taxOf = async (uscc: string) =>
    (
      await t.database.rows<{ total: string | null }>(
        sql`select sum(amount_yuan)::text as total from tax_payments where uscc = ${uscc}`,
      )
    )[0].total;

  beforeAll(async () => {
    t = await createTestDatabase();
    await ingestFile(t.database, 'market-registry', fixture('registry.csv'));
    for (const [source, file] of [
      ['tax-payments', 'tax-payments.csv'],
      ['land-leases', 'land-leases.csv'],
      ['power', 'power.csv'],
    ]) {
      await ingestFile(t.database, source, fixture(file));
    }
  });
  afterAll(() => t?.drop());

  it('lists every unmatched record with a stable id, what it carried, the reason and the candidates', async () => {
    const page = await listUnmatched(t.database, { first: 100 });
    expect(page.totalCount).toBe(9);
    expect(page.records.map((r) => r.id)).toEqual([
      'land-leases:ZL-2023-002#lessor',
      'land-leases:ZL-2023-003#lessee',
      'power:3700000003|2024-01',
      'tax-payments:P05',
      'tax-payments:P06',
      'tax-payments:P07',
      'tax-payments:P08',
      'tax-payments:P09',
      'tax-payments:P10',
    ]);
    const byId = Object.fromEntries(page.records.map((r) => [r.id, r]));
    expect(byId['tax-payments:P07']).toEqual({
      id: 'tax-payments:P07',
      source: 'tax-payments',
      identifier: '370830MA3C4A1B8',
      name: '东方机械',
      reason: '无法确定：旧税务登记号 370830MA3C4A1B8 对应 2 家登记企业',
      candidates: [U.dongfangJining, U.dongfang],
      linkedTo: null,
    });
    expect(byId['land-leases:ZL-2023-002#lessor']).toMatchObject({
      name: '次丘镇前村村民委员会',
      identifier: null,
      candidates: [],
    });
    expect(byId['land-leases:ZL-2023-003#lessee'].candidates).toEqual([U.sameName1, U.sameName2]);
  });

  it('pages by record id and filters by source', async () => {
    const first = await listUnmatched(t.database, { first: 4 });
    const second = await listUnmatched(t.database, { first: 4, after: first.endCursor });
    const third = await listUnmatched(t.database, { first: 4, after: second.endCursor });
    expect([first.hasNextPage, second.hasNextPage, third.hasNextPage]).toEqual([true, true, false]);
    expect([...first.records, ...second.records, ...third.records].map((r) => r.id)).toEqual(
      (await listUnmatched(t.database, { first: 100 })).records.map((r) => r.id),
    );
    expect((await listUnmatched(t.database, { source: 'power' })).records.map((r) => r.id)).toEqual(
      ['power:3700000003|2024-01'],
    );
    await expect(listUnmatched(t.database, { source: 'market-registry' })).rejects.toBeInstanceOf(
      LinkError,
    );
  });

  it('links a record by hand: its values count for the enterprise at once', async () => {
    const before = await taxOf(U.sameName1);
    const linked = await linkRecord(t.database, 'tax-payments:P05', U.sameName1, 'test');
    expect(linked).toMatchObject({
      id: 'tax-payments:P05',
      linkedTo: U.sameName1,
      reason: '无法确定：2 家登记企业同名',
    });
    expect(linked.candidates).toEqual([U.sameName1, U.sameName2]);
    expect(Number(await taxOf(U.sameName1))).toBe(Number(before ?? 0) + 100);
    expect((await paymentLinks(t.database)).P05).toEqual({
      uscc: U.sameName1,
      method: 'manual',
      candidates: null,
    });
    const [link] = await t.database.rows(
      sql`select source, record_key, party, uscc, linked_by from manual_links`,
    );
    expect(link).toEqual({
      source: 'tax-payments',
      record_key: 'P05',
      party: '',
      uscc: U.sameName1,
      linked_by: 'test',
    });
    expect((await listUnmatched(t.database)).records.map((r) => r.id)).not.toContain(
      'tax-payments:P05',
    );
  });

  it('links a lease party and a record with a composite key', async () => {
    await linkRecord(t.database, 'land-leases:ZL-2023-002#lessor', U.runtong);
    await linkRecord(t.database, 'power:3700000003|2024-01', U.textile);
    const [lease] = await t.database.rows(
      sql`select lessor_uscc, lessor_match_method, lessee_uscc from land_leases where filing_no = 'ZL-2023-002'`,
    );
    expect(lease).toEqual({
      lessor_uscc: U.runtong,
      lessor_match_method: 'manual',
      lessee_uscc: U.textile,
    });
    const [power] = await t.database.rows(
      sql`select uscc, match_method from power_consumption where account_no = '3700000003'`,
    );
    expect(power).toEqual({ uscc: U.textile, match_method: 'manual' });
  });

  it('keeps the links when the files are loaded again and when the register changes', async () => {
    const reload = await ingestFile(t.database, 'tax-payments', fixture('tax-payments.csv'));
    expect(reload.rowsReplaced).toBe(0);
    expect(reload.rowsUnmatched).toBe(5); // P05 now counts as loaded
    await ingestFile(t.database, 'land-leases', fixture('land-leases.csv'));
    await ingestFile(t.database, 'power', fixture('power.csv'));
    await ingestFile(t.database, 'market-registry', fixture('registry-update.csv'));
    expect((await paymentLinks(t.database)).P05).toEqual({
      uscc: U.sameName1,
      method: 'manual',
      candidates: null,
    });
    const [lease] = await t.database.rows(
      sql`select lessor_uscc, lessor_match_method from land_leases where filing_no = 'ZL-2023-002'`,
    );
    expect(lease).toEqual({ lessor_uscc: U.runtong, lessor_match_method: 'manual' });
    const [power] = await t.database.rows(
      sql`select uscc, match_method from power_consumption where account_no = '3700000003'`,
    );
    expect(power).toEqual({ uscc: U.textile, match_method: 'manual' });
  });

  it('refuses an unknown enterprise, an unknown record and a malformed id', async () => {
    await expect(
      linkRecord(t.database, 'tax-payments:P06', U.newco.replace('DH', 'DX')),
    ).rejects.toThrow(/企业登记中没有统一社会信用代码为/);
    await expect(linkRecord(t.database, 'tax-payments:P99', U.huali)).rejects.toThrow(
      /数据源 tax-payments 中没有键为 "P99" 的记录/,
    );
    await expect(linkRecord(t.database, 'land-leases:ZL-2023-003', U.huali)).rejects.toThrow(
      /#lessor 或 #lessee/,
    );
    await expect(linkRecord(t.database, 'P06', U.huali)).rejects.toBeInstanceOf(LinkError);
  });

  it('GraphQL: ingestBatches newest first, unmatchedRecords as a connection with enterprises, linkRecord for administrators only', async () => {
    const batches = await data(
      t.database,
      '{ ingestBatches(source: "tax-payments", first: 2) { id source fileName status rowsRead rowsLoaded rowsReplaced rowsQuarantined rowsUnmatched startedAt finishedAt } }',
      {},
      'dashboard',
    );
    expect(batches.ingestBatches).toHaveLength(2);
    const [newest, older] = batches.ingestBatches;
    expect(Number(newest.id)).toBeGreaterThan(Number(older.id));
    expect(newest).toMatchObject({
      source: 'tax-payments',
      fileName: 'tax-payments.csv',
      status: 'committed',
      rowsRead: 16,
      rowsLoaded: 9,
      rowsUnmatched: 5,
      rowsQuarantined: 2,
    });
    expect(Date.parse(newest.finishedAt)).toBeGreaterThanOrEqual(Date.parse(newest.startedAt));

    const query = `query ($after: String) { unmatchedRecords(source: "tax-payments", first: 2, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id identifier name reason candidates { uscc name } linkedTo { uscc } } } } }`;
    const page = (await data(t.database, query, {}, 'analyst')).unmatchedRecords;
    expect(page.totalCount).toBe(3); // P05 linked by hand, P08 and P10 by the register update
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.edges[0].node).toEqual({
      id: 'tax-payments:P06',
      identifier: null,
      name: '汶上县旧名食品厂',
      reason: '无法确定：此名称是 2 家登记企业的曾用名',
      candidates: [
        { uscc: U.xinhua, name: '汶上县新华食品有限公司' },
        { uscc: U.hongda, name: '汶上县宏达食品有限公司' },
      ],
      linkedTo: null,
    });
    const next = (await data(t.database, query, { after: page.pageInfo.endCursor }, 'analyst'))
      .unmatchedRecords;
    expect(next.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
      'tax-payments:P09',
    ]);

    const mutation = `mutation { linkRecord(id: "tax-payments:P06", uscc: "${U.hongda}") { id reason linkedTo { uscc name } } }`;
    const refused = await run(t.database, mutation, {}, 'analyst');
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await paymentLinks(t.database)).P06.uscc).toBeNull();
    const done = await data(t.database, mutation, {}, 'admin');
    expect(done.linkRecord).toEqual({
      id: 'tax-payments:P06',
      reason: '无法确定：此名称是 2 家登记企业的曾用名',
      linkedTo: { uscc: U.hongda, name: '汶上县宏达食品有限公司' },
    });
    const bad = await run(
      t.database,
      `mutation { linkRecord(id: "tax-payments:P07", uscc: "123") { id } }`,
      {},
      'admin',
    );
    expect(bad.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/没有统一社会信用代码为 123/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });
});
