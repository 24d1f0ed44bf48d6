import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { data, seedCounty } from './support.js';

/**
 * `enterprise(uscc:)` with detail beneath it is one relational statement whose SQL drizzle builds
 * once per shape of the planned query (resolvers/planned-read.ts): the next enterprise asked the
 * same way only executes it, with its own USCC.
 */
describe(`a planned profile read is built once per shape (${testDbMode()})`, () => {
  let t: TestDatabase;
  let A: string;
  let B: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    const county = await seedCounty(t.database);
    A = county.A.uscc;
    B = county.B.uscc;
  });
  afterAll(() => t?.drop());

  const DOCUMENT = /* GraphQL */ `
    query ($u: String!, $year: Int) { enterprise(uscc: $u) { uscc name
      taxPayments(first: 100, year: $year) { nodes { receiptNo period } }
      parcels { unitNo } } }`;

  it('builds the statement once, and each enterprise gets its own rows', async () => {
    const built = vi.spyOn(t.database.db.query.enterprises, 'findFirst');
    try {
      const a = await data(t.database, DOCUMENT, { u: A });
      const b = await data(t.database, DOCUMENT, { u: B });
      const again = await data(t.database, DOCUMENT, { u: A });
      expect(built).toHaveBeenCalledTimes(1);
      expect(a.enterprise.uscc).toBe(A);
      expect(b.enterprise.uscc).toBe(B);
      expect(again).toEqual(a);
      expect(a.enterprise.taxPayments.nodes.map((p: { receiptNo: string }) => p.receiptNo)).toEqual(
        ['R3', 'R1', 'R2', 'R4'],
      );
      expect(b.enterprise.taxPayments.nodes).not.toEqual(a.enterprise.taxPayments.nodes);
      // another year is another shape: built anew, answered with that year's receipts
      const year = await data(t.database, DOCUMENT, { u: A, year: 2023 });
      expect(built).toHaveBeenCalledTimes(2);
      expect(
        year.enterprise.taxPayments.nodes.map((p: { period: string }) => p.period.slice(0, 4)),
      ).toEqual(['2023']);
      // an unknown enterprise is null, as before
      expect((await data(t.database, DOCUMENT, { u: 'X'.repeat(18) })).enterprise).toBeNull();
    } finally {
      built.mockRestore();
    }
  });

  it('a page of enterprises with relations: one statement for every page, each page its own rows', async () => {
    const PAGE = /* GraphQL */ `
      query ($after: String) { enterprises(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { uscc parcels { unitNo } } } }`;
    const built = vi.spyOn(t.database.db.query.enterprises, 'findMany');
    try {
      const first = await data(t.database, PAGE, {});
      const second = await data(t.database, PAGE, { after: first.enterprises.pageInfo.endCursor });
      expect(built).toHaveBeenCalledTimes(1);
      const usccs = [...first.enterprises.nodes, ...second.enterprises.nodes].map(
        (e: { uscc: string }) => e.uscc,
      );
      expect(usccs).toEqual([...usccs].sort());
      expect(new Set(usccs).size).toBe(usccs.length);
      expect(usccs).toContain(A);
      const a = [...first.enterprises.nodes, ...second.enterprises.nodes].find(
        (e: { uscc: string }) => e.uscc === A,
      );
      expect(a.parcels).toEqual([{ unitNo: 'U1' }]);
    } finally {
      built.mockRestore();
    }
  });
});
