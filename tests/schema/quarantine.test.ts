import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import type { Role } from '../../resolvers/roles.js';
import { bearer, errorsWithCode, keysForEveryRole, startAuthApp } from '../auth/support.js';
import { fixture } from '../connectors/support.js';
import type { TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

const QUERY = `query ($source: String, $batchId: ID, $first: Int, $after: String) {
  quarantinedRows(source: $source, batchId: $batchId, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id batchId source fileName rowNumber reasons raw { column value }
      batch { id fileName rowsQuarantined }
    } }
  }
}`;

describe(`quarantinedRows (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: TestApp;
  let keys: Record<Role, string>;
  const batches: Record<string, { batchId: number; quarantined: number }> = {};
  const ask = (role: Role, variables: Record<string, unknown> = {}) =>
    app.gql(QUERY, variables, bearer(keys[role]));

  beforeAll(async () => {
    t = await createTestDatabase();
    for (const [source, file] of [
      ['market-registry', 'registry.csv'],
      ['market-registry', 'registry-bad.csv'],
      ['tax-payments', 'tax-payments.csv'],
      ['power', 'power.csv'],
    ]) {
      const report = await ingestFile(t.database, source, fixture(file));
      batches[source] = { batchId: report.batchId, quarantined: report.rowsQuarantined };
    }
    keys = await keysForEveryRole(t.database);
    app = await startAuthApp(t.database);
  });
  afterAll(async () => {
    await app?.stop();
    await t?.drop();
  });

  it('answers every quarantined row with its batch, file, row number, raw cells and every reason', async () => {
    const { body } = await ask('admin');
    expect(body.errors).toBeUndefined();
    const all = Object.values(batches).reduce((n, b) => n + b.quarantined, 0);
    expect(all).toBeGreaterThan(3);
    expect(body.data.quarantinedRows.totalCount).toBe(all);
    const nodes = body.data.quarantinedRows.edges.map((e: any) => e.node);
    expect(nodes).toHaveLength(all);
    // newest batch first, by row number within a batch
    expect(nodes.map((n: any) => Number(n.batchId))).toEqual(
      [...nodes.map((n: any) => Number(n.batchId))].sort((a, b) => b - a),
    );
    const q01 = nodes.find((n: any) => n.raw.some((c: any) => c.value === 'Q01'));
    expect(q01).toMatchObject({
      source: 'tax-payments',
      fileName: 'tax-payments.csv',
      rowNumber: 16,
      batchId: String(batches['tax-payments'].batchId),
      batch: {
        id: String(batches['tax-payments'].batchId),
        fileName: 'tax-payments.csv',
        rowsQuarantined: batches['tax-payments'].quarantined,
      },
    });
    // the cells in the order of the department's file, as read
    expect(q01.raw.map((c: any) => c.column)).toEqual([
      '税票号码',
      '纳税人识别号',
      '纳税人名称',
      '税款所属期',
      '税种',
      '实缴金额(元)',
    ]);
    expect(q01.raw[3].value).toBe('2024-13');
    // every reason, not just the first: the USCC, the month and the amount are all wrong
    expect(q01.reasons.length).toBeGreaterThanOrEqual(3);
    expect(q01.reasons.join('\n')).toMatch(/2024-13/);
    expect(q01.reasons.join('\n')).toMatch(/abc/);
  });

  it('filters by source and batch, and pages with a cursor through the same rows', async () => {
    const tax = await ask('admin', { source: 'tax-payments' });
    expect(tax.body.data.quarantinedRows.totalCount).toBe(batches['tax-payments'].quarantined);
    const byBatch = await ask('admin', { batchId: String(batches.power.batchId) });
    expect(byBatch.body.data.quarantinedRows.totalCount).toBe(batches.power.quarantined);
    expect(
      byBatch.body.data.quarantinedRows.edges.every((e: any) => e.node.source === 'power'),
    ).toBe(true);

    const whole = (await ask('admin')).body.data.quarantinedRows.edges.map((e: any) => e.node.id);
    const paged: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { body } = await ask('admin', { first: 2, after });
      const page = body.data.quarantinedRows;
      expect(page.totalCount).toBe(whole.length);
      paged.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(whole);
  });

  it('lets a department read its own sources only, and refuses the dashboard', async () => {
    const own = await ask('tax');
    expect(own.body.errors).toBeUndefined();
    const sources = new Set(own.body.data.quarantinedRows.edges.map((e: any) => e.node.source));
    expect([...sources]).toEqual(['tax-payments']);

    const other = await ask('tax', { source: 'power' });
    expect(errorsWithCode(other.body, 'FORBIDDEN')[0].message).toMatch(/tax.*power/);
    const otherBatch = await ask('tax', { batchId: String(batches.power.batchId) });
    expect(errorsWithCode(otherBatch.body, 'FORBIDDEN')).toHaveLength(1);

    const power = await ask('power', { source: 'power' });
    expect(power.body.data.quarantinedRows.totalCount).toBe(batches.power.quarantined);
    const market = await ask('market');
    expect(market.body.data.quarantinedRows.totalCount).toBe(
      batches['market-registry'].quarantined,
    );
    expect((await ask('analyst')).body.data.quarantinedRows.totalCount).toBe(
      (await ask('admin')).body.data.quarantinedRows.totalCount,
    );
    expect(errorsWithCode((await ask('dashboard')).body, 'FORBIDDEN')).toHaveLength(1);

    const unknown = await ask('tax', { source: 'no-such-source' });
    expect(errorsWithCode(unknown.body, 'BAD_USER_INPUT')).toHaveLength(1);
  });
});
