import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSqlState } from '../../db/client.js';
import { AuditCollector, AuditWriter } from '../../resolvers/audit.js';
import { viewerFor } from '../../resolvers/context.js';
import type { Role } from '../../resolvers/roles.js';
import type { TestApp } from '../support/app.js';
import { type TestDatabase, testDbMode } from '../support/db.js';
import { bearer, keysForEveryRole, seededApp, stopSeeded } from './support.js';

const dialect = new PgDialect();

type AuditRowOut = {
  request_id: string;
  role: string;
  operation_name: string | null;
  enterprises: string[];
  fields: string[];
};

/**
 * The audit rows of reads are written by group commit: requests that end together share one
 * insert. Each still gets its own row with what it read, no response leaves before its row is
 * committed, and a write that fails withholds the data of every request in it.
 */
describe(`audit rows written by group commit (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: TestApp;
  let keys: Record<Role, string>;
  let A: string;
  let B: string;

  beforeAll(async () => {
    let county: Awaited<ReturnType<typeof seededApp>>['county'];
    ({ t, app, county } = await seededApp());
    [A, B] = [county.A.uscc, county.B.uscc];
    keys = await keysForEveryRole(t.database);
  });
  afterAll(() => stopSeeded(t, app));

  const rowsOf = (requestId: string | null) =>
    t.database.rows<AuditRowOut>(
      sql`select request_id::text, role, operation_name, enterprises, fields from audit_log where request_id = ${requestId}::uuid`,
    );

  /** Counts the audit_log inserts issued while `work` runs. */
  async function countingInserts<T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; inserts: number }> {
    let inserts = 0;
    t.database.onQuery = (q) => {
      if (/^insert into "audit_log"/i.test(q)) inserts++;
    };
    try {
      return { result: await work(), inserts };
    } finally {
      t.database.onQuery = undefined;
    }
  }

  /**
   * Sends one request and, the moment its answer arrives, reads its audit row: a response that
   * left before its row was committed finds none.
   */
  async function readAndCheck(query: string, variables: Record<string, unknown>, role: Role) {
    const res = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(keys[role]) },
      body: JSON.stringify({ query, variables }),
    });
    const requestId = res.headers.get('x-request-id');
    const rowsWhenAnswered = await rowsOf(requestId);
    return { status: res.status, body: await res.json(), requestId, rowsWhenAnswered, role };
  }

  const TAX = `query Tax($u: String!) { enterprise(uscc: $u) { name taxPayments(first: 2) { nodes { receiptNo amountYuan } } } }`;
  const LAND = `query Land($u: String!) { enterprise(uscc: $u) { parcels { unitNo areaMu } leasesOut { filingNo } leasesIn { filingNo } } }`;

  it('names exactly the fields read and every enterprise they touch, a lease both its parties', async () => {
    const { status, body, rowsWhenAnswered } = await readAndCheck(
      `query Everything($u: String!) { enterprise(uscc: $u) {
        name legalRepresentative
        taxPayments(first: 1) { totalCount nodes { receiptNo provenance { batchId } } }
        leasesOut { filingNo lessee { name } }
        landInUse(date: "2024-12-31") { areaMu parcels { unitNo } }
        powerAccounts(year: 2024) { accountNo months { kwh } }
        ...Annual } }
      fragment Annual on Enterprise { taxAnnual { year } }`,
      { u: A },
      'admin',
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(rowsWhenAnswered).toEqual([
      expect.objectContaining({
        role: 'admin',
        operation_name: 'Everything',
        enterprises: [A, B].sort(),
        fields: [
          'Enterprise.landInUse',
          'Enterprise.leasesOut',
          'Enterprise.legalRepresentative',
          'Enterprise.powerAccounts',
          'Enterprise.taxAnnual',
          'Enterprise.taxPayments',
          'EnterpriseTaxPaymentsConnection.totalCount',
          'LandInUse.areaMu',
          'LandInUse.parcels',
          'LandLease.filingNo',
          'LandLease.lessee',
          'LandParcel.unitNo',
          'PowerAccount.accountNo',
          'PowerAccount.months',
          'PowerMonth.kwh',
          'TaxAnnualReturn.year',
          'TaxPayment.provenance',
          'TaxPayment.receiptNo',
        ],
      }),
    ]);
  });

  it('answers concurrent requests each with its own row, durable before the answer, in fewer inserts than requests', async () => {
    const asked = [
      ...Array.from({ length: 6 }, (_, i) => [TAX, { u: i % 2 ? A : B }, 'tax'] as const),
      ...Array.from(
        { length: 6 },
        (_, i) => [LAND, { u: i % 2 ? A : B }, 'natural-resources'] as const,
      ),
      ...Array.from({ length: 4 }, () => [TAX, { u: A }, 'analyst'] as const),
    ];
    const { result: answers, inserts } = await countingInserts(() =>
      Promise.all(asked.map(([query, variables, role]) => readAndCheck(query, variables, role))),
    );
    for (const [i, answer] of answers.entries()) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      const [, { u }] = asked[i];
      const land = asked[i][0] === LAND;
      expect(answer.rowsWhenAnswered).toEqual([
        {
          request_id: answer.requestId,
          role: answer.role,
          operation_name: land ? 'Land' : 'Tax',
          // a lease names both parties: L1 is A's to B
          enterprises: land ? [A, B].sort() : [u],
          fields: land
            ? [
                'Enterprise.leasesIn',
                'Enterprise.leasesOut',
                'Enterprise.parcels',
                'LandLease.filingNo',
                'LandParcel.areaMu',
                'LandParcel.unitNo',
              ]
            : ['Enterprise.taxPayments', 'TaxPayment.amountYuan', 'TaxPayment.receiptNo'],
        },
      ]);
    }
    expect(new Set(answers.map((a) => a.requestId)).size).toBe(asked.length);
    expect(inserts).toBeGreaterThan(0);
    // PostgreSQL serves the reads side by side, so requests end while an insert is under way and
    // share the next; the embedded database runs one statement at a time, each request's read
    // queued behind the previous insert, so there the rows may go one insert each
    if (testDbMode() === 'postgres') expect(inserts).toBeLessThan(asked.length);
    else expect(inserts).toBeLessThanOrEqual(asked.length);
  });

  it.runIf(testDbMode() === 'postgres')(
    'holds every answer while the insert holding its row waits, then answers them all',
    async () => {
      const locker = postgres(t.url!, { max: 2, onnotice: () => {} });
      const holder = await locker.reserve();
      try {
        await holder`begin`;
        await holder`lock table audit_log in exclusive mode`; // reads go on, inserts wait
        let answered = 0;
        const all = countingInserts(() =>
          Promise.all(
            Array.from({ length: 8 }, (_, i) =>
              readAndCheck(TAX, { u: i % 2 ? A : B }, 'tax').then((answer) => {
                answered++;
                return answer;
              }),
            ),
          ),
        );
        const waitingInserts = async () =>
          (
            await locker`select count(*)::int as n from pg_stat_activity
              where wait_event_type = 'Lock' and query like 'insert into "audit_log"%'`
          )[0].n as number;
        for (let i = 0; i < 100 && (await waitingInserts()) === 0; i++)
          await new Promise((r) => setTimeout(r, 50));
        expect(await waitingInserts()).toBe(1);
        await new Promise((r) => setTimeout(r, 500)); // every read done: all eight wait for the audit
        expect(answered).toBe(0);
        await holder`commit`;
        const { result: answers, inserts } = await all;
        for (const answer of answers) {
          expect(answer.status).toBe(200);
          expect(answer.body.data.enterprise.taxPayments.nodes.length).toBeGreaterThan(0);
          expect(answer.rowsWhenAnswered).toHaveLength(1);
        }
        // the first group's insert, then one for every request that ended while it waited
        expect(inserts).toBeLessThanOrEqual(3);
      } finally {
        holder.release();
        await locker.end();
      }
    },
  );

  it('withholds the data of every request whose group write failed', async () => {
    await t.database.rows(sql`alter table audit_log rename to audit_log_away`);
    try {
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, i) => app.gql(TAX, { u: i % 2 ? A : B }, bearer(keys.tax))),
      );
      for (const { status, body } of answers) {
        expect(status).toBe(503);
        expect(body.data).toBeUndefined();
        expect(body.errors).toEqual([
          expect.objectContaining({ extensions: { code: 'AUDIT_UNAVAILABLE' } }),
        ]);
        expect(JSON.stringify(body)).not.toMatch(/R\d|120000|30000/);
      }
    } finally {
      await t.database.rows(sql`alter table audit_log_away rename to audit_log`);
    }
  });

  it('writes the rows of one moment in one insert, and one bad row costs only its own request', async () => {
    const writer = new AuditWriter(t.database);
    const collected = new AuditCollector();
    collected.record('Enterprise.taxPayments', A);
    const entry = (requestId: string, read = collected) => ({
      viewer: viewerFor('tax', null, 'group commit test'),
      operationName: 'Direct',
      requestId,
      collected: read,
    });
    const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

    const together = await countingInserts(() =>
      Promise.all([1, 2, 3, 4].map((n) => writer.write(entry(uuid(n))))),
    );
    expect(together).toEqual({ result: [true, true, true, true], inserts: 1 });

    const withBad = await countingInserts(() =>
      Promise.allSettled([
        ...[11, 12, 13].map((n) => writer.write(entry(uuid(n)))),
        writer.write(entry('not a uuid')),
      ]),
    );
    expect(withBad.result.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
    ]);
    expect(withBad.inserts).toBe(1 + 4); // the group's, refused; then each row alone

    const nothing = await countingInserts(() =>
      writer.write(entry(uuid(99), new AuditCollector())),
    );
    expect(nothing).toEqual({ result: false, inserts: 0 });

    const written = await t.database.rows<{ request_id: string; enterprises: string[] }>(
      sql`select request_id::text, enterprises from audit_log where key_name = 'group commit test' order by request_id`,
    );
    expect(written).toEqual(
      [1, 2, 3, 4, 11, 12, 13].map((n) => ({ request_id: uuid(n), enterprises: [A] })),
    );
  });
  it("merges the index's pending list beside the requests, which never wait for it", async () => {
    // a database whose merges hang until released: the writes must resolve all the same
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const merges: string[] = [];
    const database = new Proxy(t.database, {
      get(target, key, receiver) {
        if (key !== 'rows') return Reflect.get(target, key, receiver);
        return async (query: Parameters<typeof target.rows>[0]) => {
          const text = dialect.sqlToQuery(query).sql;
          if (!/gin_clean_pending_list/.test(text)) return target.rows(query);
          merges.push(text);
          await held;
          return target.rows(query);
        };
      },
    });
    const writer = new AuditWriter(database, { mergeEvery: 3 });
    const read = new AuditCollector();
    read.record('Enterprise.parcels', A);
    read.record('Enterprise.parcels', B);
    const entry = (n: number) => ({
      viewer: viewerFor('natural-resources', null, 'merge test'),
      operationName: 'Merge',
      requestId: `00000000-0000-4000-8000-${String(500 + n).padStart(12, '0')}`,
      collected: read,
    });

    expect(await writer.write(entry(1))).toBe(true); // 2 codes: no merge yet
    expect(merges).toHaveLength(0);
    expect(await writer.write(entry(2))).toBe(true); // 4 codes: a merge starts, and hangs
    expect(merges).toHaveLength(1);
    // rows keep being written while it hangs, and no second merge piles up behind it
    expect(await Promise.all([3, 4, 5].map((n) => writer.write(entry(n))))).toEqual([
      true,
      true,
      true,
    ]);
    expect(merges).toHaveLength(1);
    release();
    await held;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await writer.write(entry(6))).toBe(true); // the next threshold: the next merge
    expect(merges).toHaveLength(2);
    const [{ n }] = await t.database.rows<{ n: number }>(
      sql`select count(*)::int as n from audit_log where key_name = 'merge test'`,
    );
    expect(n).toBe(6);
  });

  it("leaves the index's pending list room for the writer's merges", async () => {
    // the writer merges every 200,000 codes (~10 MB of list); an insert merges it itself past
    // the index's gin_pending_list_limit, which the migration raised from 4 MB to 32 MB
    const [{ options }] = await t.database.rows<{ options: string[] | null }>(
      sql`select reloptions as options from pg_class where relname = 'audit_log_enterprises_idx'`,
    );
    expect(options).toContain('gin_pending_list_limit=32768');
  });

  it('writes the rows when a merge fails, and says so', async () => {
    const errors: unknown[] = [];
    const writer = new AuditWriter(t.database, {
      mergeEvery: 1,
      onMergeError: (error) => errors.push(error),
    });
    const read = new AuditCollector();
    read.record('Enterprise.parcels', A);
    await t.database.rows(sql`alter index audit_log_enterprises_idx rename to audit_log_idx_away`);
    try {
      expect(
        await writer.write({
          viewer: viewerFor('natural-resources', null, 'merge failure test'),
          operationName: 'Merge',
          requestId: '00000000-0000-4000-8000-000000000601',
          collected: read,
        }),
      ).toBe(true);
      await expect.poll(() => errors.length).toBe(1);
      expect(hasSqlState(errors[0], '42P01')).toBe(true); // no such relation
    } finally {
      await t.database.rows(
        sql`alter index audit_log_idx_away rename to audit_log_enterprises_idx`,
      );
    }
  });
});
