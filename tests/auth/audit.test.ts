import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../db/auth.js';
import type { AuditWriteRow } from '../../resolvers/audit.js';
import { createApiKey } from '../../resolvers/keys.js';
import type { Role } from '../../resolvers/roles.js';
import type { TestApp } from '../support/app.js';
import { type TestDatabase, testDbMode } from '../support/db.js';
import { cliDatabase, edp } from './cli.js';
import { bearer, errorsWithCode, keysForEveryRole, seededApp, stopSeeded } from './support.js';

/** An audit_log row of a read as the table holds it: as written, with its id. */
type AuditRowOut = AuditWriteRow & { id: number };

describe(`audit of department detail and personal data (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: TestApp;
  let keys: Record<Role, string>;
  let A: string;
  let B: string;

  const audit = () =>
    t.database.rows<AuditRowOut>(
      sql`select id::int, key_id, role, key_name, operation_name, enterprises, fields, request_id::text from audit_log order by id`,
    );

  /** Runs an operation and returns the response and the audit_log inserts it issued. */
  async function withInserts(query: string, variables: Record<string, unknown>, role: Role) {
    const inserts: string[] = [];
    t.database.onQuery = (q) => {
      if (/^insert into "audit_log"/i.test(q)) inserts.push(q);
    };
    try {
      const res = await fetch(`${app.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(keys[role]) },
        body: JSON.stringify({ query, variables }),
      });
      return {
        body: await res.json(),
        status: res.status,
        requestId: res.headers.get('x-request-id'),
        inserts,
      };
    } finally {
      t.database.onQuery = undefined;
    }
  }

  beforeAll(async () => {
    let county: Awaited<ReturnType<typeof seededApp>>['county'];
    ({ t, app, county } = await seededApp());
    [A, B] = [county.A.uscc, county.B.uscc];
    keys = await keysForEveryRole(t.database);
  });
  afterAll(() => stopSeeded(t, app));

  it('writes one row per request for a profile read with tax detail, in one statement', async () => {
    const before = (await audit()).length;
    const query = `query TaxProfile($u: String!) { enterprise(uscc: $u) { name town taxPayments(first: 3) { edges { node { receiptNo amountYuan } } } taxAnnual { year revenueYuan } } }`;
    const { body, requestId, inserts } = await withInserts(query, { u: A }, 'tax');
    expect(body.errors).toBeUndefined();
    expect(body.data.enterprise.taxPayments.edges.length).toBeGreaterThan(0);
    expect(inserts).toHaveLength(1);
    const rows = (await audit()).slice(before);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      role: 'tax',
      key_name: 'test tax',
      operation_name: 'TaxProfile',
      enterprises: [A],
      request_id: requestId,
    });
    expect(rows[0].key_id).toBeGreaterThan(0);
    expect(rows[0].fields).toEqual(
      expect.arrayContaining([
        'Enterprise.taxPayments',
        'Enterprise.taxAnnual',
        'TaxPayment.receiptNo',
        'TaxPayment.amountYuan',
        'TaxAnnualReturn.revenueYuan',
      ]),
    );
    // the shared profile is not audited
    expect(rows[0].fields).not.toContain('Enterprise.name');
  });

  it('writes nothing for a profile-only read, nor for a refused read', async () => {
    const before = (await audit()).length;
    const profile = await withInserts(
      `query ($u: String!) { enterprise(uscc: $u) { name town industryCode } }`,
      { u: A },
      'power',
    );
    expect(profile.body.errors).toBeUndefined();
    expect(profile.inserts).toHaveLength(0);
    const refused = await withInserts(
      `query ($u: String!) { enterprise(uscc: $u) { name taxAnnual { year } } }`,
      { u: A },
      'power',
    );
    expect(errorsWithCode(refused.body, 'FORBIDDEN')).toHaveLength(1);
    expect(refused.inserts).toHaveLength(0);
    expect((await audit()).length).toBe(before);
  });

  it('collects every enterprise of a list in the same single row', async () => {
    const before = (await audit()).length;
    const { body, inserts } = await withInserts(
      `{ enterprises(first: 10) { edges { node { uscc parcels { unitNo } } } } }`,
      {},
      'natural-resources',
    );
    expect(body.errors).toBeUndefined();
    expect(inserts).toHaveLength(1);
    const [row] = (await audit()).slice(before);
    expect(row.enterprises).toEqual(expect.arrayContaining([A, B]));
    expect(row.fields).toEqual(expect.arrayContaining(['Enterprise.parcels', 'LandParcel.unitNo']));
  });

  it('records 法定代表人 read in full (market), not when masked (analyst)', async () => {
    const query = `query Rep($u: String!) { enterprise(uscc: $u) { legalRepresentative } }`;
    const masked = await withInserts(query, { u: A }, 'analyst');
    expect(masked.body.data.enterprise.legalRepresentative).toBe('张*');
    expect(masked.inserts).toHaveLength(0);
    const before = (await audit()).length;
    const full = await withInserts(query, { u: A }, 'market');
    expect(full.body.data.enterprise.legalRepresentative).toBe('张三');
    const rows = (await audit()).slice(before);
    expect(rows).toEqual([
      expect.objectContaining({
        role: 'market',
        operation_name: 'Rep',
        enterprises: [A],
        fields: ['Enterprise.legalRepresentative'],
      }),
    ]);
  });

  it('withholds the data when the audit row cannot be written', async () => {
    await t.database.rows(sql`alter table audit_log rename to audit_log_away`);
    try {
      const { status, body } = await withInserts(
        `query ($u: String!) { enterprise(uscc: $u) { taxAnnual { revenueYuan } } }`,
        { u: A },
        'tax',
      );
      expect(status).toBe(503);
      expect(body.data).toBeUndefined();
      expect(body.errors[0]).toMatchObject({ extensions: { code: 'AUDIT_UNAVAILABLE' } });
      expect(JSON.stringify(body)).not.toContain('30000000');
    } finally {
      await t.database.rows(sql`alter table audit_log_away rename to audit_log`);
    }
  });

  it('lets the admin page through auditLog, newest first, filtered by role, key name, enterprise and date', async () => {
    const all = await audit();
    expect(all.map((r) => r.role)).toEqual(['tax', 'natural-resources', 'market']);
    const page = `query ($f: AuditLogFilter, $after: String) { auditLog(filter: $f, first: 2, after: $after) { edges { cursor node { id role keyName enterprises fields requestId at } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { body }: { body: any } = await app.gql(page, { after }, bearer(keys.admin));
      expect(body.errors).toBeUndefined();
      seen.push(...body.data.auditLog.edges.map((e: any) => e.node.id));
      if (!body.data.auditLog.pageInfo.hasNextPage) break;
      after = body.data.auditLog.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.map((r) => String(r.id)).reverse());

    const byRole = await app.gql(page, { f: { role: 'tax' } }, bearer(keys.admin));
    expect(byRole.body.data.auditLog.edges.map((e: any) => e.node.role)).toEqual(['tax']);
    const byKey = await app.gql(page, { f: { keyName: 'test market' } }, bearer(keys.admin));
    expect(byKey.body.data.auditLog.edges.map((e: any) => e.node.fields)).toEqual([
      ['Enterprise.legalRepresentative'],
    ]);
    const byEnterprise = await app.gql(page, { f: { uscc: B.toLowerCase() } }, bearer(keys.admin));
    expect(byEnterprise.body.data.auditLog.edges.map((e: any) => e.node.enterprises)).toEqual([
      expect.arrayContaining([A, B]),
    ]);
    const today = new Date().toISOString().slice(0, 10);
    const future = await app.gql(page, { f: { from: '2999-01-01' } }, bearer(keys.admin));
    expect(future.body.data.auditLog.edges).toEqual([]);
    const past = await app.gql(page, { f: { to: '2000-01-01' } }, bearer(keys.admin));
    expect(past.body.data.auditLog.edges).toEqual([]);
    const window = await app.gql(
      page,
      { f: { from: '2000-01-01', to: '2999-12-31', role: 'natural-resources' } },
      bearer(keys.admin),
    );
    expect(window.body.data.auditLog.edges).toHaveLength(1);
    expect(window.body.data.auditLog.edges[0].node.at.slice(0, 4)).toBe(today.slice(0, 4));
  });
});

describe(`edp audit export (${testDbMode()})`, () => {
  it('writes the period’s rows as UTF-8 CSV with a byte-order mark, spreadsheet formulas defused', async () => {
    const target = await cliDatabase();
    try {
      const database = await target.open();
      const key = await createApiKey(database, { name: '税务局 征管', role: 'tax' });
      await database.db.insert(auditLog).values([
        {
          keyId: key.id,
          role: 'tax',
          keyName: '税务局 征管',
          operationName: 'Profile',
          enterprises: ['91370830000000001X', '91370830000000002X'],
          fields: ['Enterprise.taxPayments', 'TaxPayment.amountYuan'],
          requestId: '00000000-0000-4000-8000-000000000001',
          at: new Date('2025-03-01T10:00:00Z'),
        },
        {
          keyId: null,
          role: 'analyst',
          keyName: 'anonymous',
          operationName: '=HYPERLINK("x")',
          enterprises: [],
          fields: ['Enterprise.parcels'],
          requestId: '00000000-0000-4000-8000-000000000002',
          at: new Date('2025-03-02T10:00:00Z'),
        },
        {
          keyId: key.id,
          role: 'tax',
          keyName: '税务局 征管',
          operationName: null,
          enterprises: [],
          fields: ['Enterprise.taxAnnual'],
          requestId: '00000000-0000-4000-8000-000000000003',
          at: new Date('2025-04-15T10:00:00Z'),
        },
      ]);
      await database.close();
      const out = path.join(os.tmpdir(), `edp-audit-${process.pid}-${Date.now()}.csv`);
      const run = await edp(
        ['audit', 'export', '--from', '2025-03-01', '--to', '2025-03-31', '--out', out],
        target.env,
      );
      expect(run.stderr).toBe('');
      expect(run.stdout).toMatch(/Wrote 2 audit rows/);
      const bytes = readFileSync(out);
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const lines = bytes.toString('utf8').slice(1).split('\r\n');
      expect(lines[0]).toBe(
        'id,at,key_id,role,key_name,operation_name,enterprises,fields,request_id',
      );
      expect(lines[1]).toBe(
        `1,2025-03-01T10:00:00.000Z,${key.id},tax,税务局 征管,Profile,91370830000000001X;91370830000000002X,Enterprise.taxPayments;TaxPayment.amountYuan,00000000-0000-4000-8000-000000000001`,
      );
      expect(lines[2]).toBe(
        `2,2025-03-02T10:00:00.000Z,,analyst,anonymous,"'=HYPERLINK(""x"")",,Enterprise.parcels,00000000-0000-4000-8000-000000000002`,
      );
      expect(lines.slice(3)).toEqual(['']);
      const bad = await edp(
        ['audit', 'export', '--from', '2025-04-01', '--to', '2025-03-01', '--out', out],
        target.env,
      );
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/--from 2025-04-01 晚于 --to 2025-03-01/);
    } finally {
      await target.drop();
    }
  }, 300_000);
});
