import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { data, seedCounty } from './support.js';

/** an answer's data, read loosely */
// biome-ignore lint/suspicious/noExplicitAny: a GraphQL answer of any shape
type Json = any;

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

  it('a page of enterprises with relations: built once for the first page and once for the pages after a cursor, each page its own rows', async () => {
    const PAGE = /* GraphQL */ `
      query ($after: String) { enterprises(first: 1, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { uscc parcels { unitNo } } } }`;
    const built = vi.spyOn(t.database.db.query.enterprises, 'findMany');
    try {
      const pages = [await data(t.database, PAGE, {})];
      expect(built).toHaveBeenCalledTimes(1);
      pages.push(await data(t.database, PAGE, { after: pages[0].enterprises.pageInfo.endCursor }));
      expect(built).toHaveBeenCalledTimes(2);
      pages.push(await data(t.database, PAGE, { after: pages[1].enterprises.pageInfo.endCursor }));
      pages.push(await data(t.database, PAGE, { after: pages[2].enterprises.pageInfo.endCursor }));
      expect(built).toHaveBeenCalledTimes(2);
      const [first, second] = [
        { enterprises: { nodes: pages.slice(0, 2).flatMap((p) => p.enterprises.nodes) } },
        { enterprises: { nodes: pages.slice(2).flatMap((p) => p.enterprises.nodes) } },
      ];
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

  it('a page read with its relations in one statement pages as the page without them, for every filter and order on the register', async () => {
    const nodes = (beneath: string) => /* GraphQL */ `
      query ($after: String, $filter: EnterpriseFilter, $order: EnterpriseOrder) {
        enterprises(first: 2, after: $after, filter: $filter, orderBy: $order) {
          pageInfo { hasNextPage endCursor } nodes { uscc ${beneath} } } }`;
    const walk = async (document: string, variables: object) => {
      const seen: { uscc: string; parcels?: { unitNo: string }[] }[] = [];
      let after: string | null = null;
      for (let page = 0; page < 20; page++) {
        const { enterprises }: { enterprises: Json } = await data(t.database, document, {
          ...variables,
          after,
        });
        seen.push(...enterprises.nodes);
        if (!enterprises.pageInfo.hasNextPage) return seen;
        after = enterprises.pageInfo.endCursor;
      }
      throw new Error('more than 20 pages');
    };
    const cases = [
      { filter: {}, order: null },
      { filter: { town: '中都街道' }, order: { field: 'USCC', direction: 'DESC' } },
      { filter: { active: true }, order: { field: 'NAME' } },
      { filter: { name: '汶上县' }, order: { field: 'NAME', direction: 'DESC' } },
      { filter: { industrySection: 'C', status: '存续' }, order: null },
    ];
    for (const variables of cases) {
      const plain = await walk(nodes('name'), variables);
      const planned = await walk(nodes('name parcels { unitNo }'), variables);
      expect(plain.length).toBeGreaterThan(0);
      expect({ variables, usccs: planned.map((e) => e.uscc) }).toEqual({
        variables,
        usccs: plain.map((e) => e.uscc),
      });
      expect(planned.find((e) => e.uscc === A)?.parcels ?? [{ unitNo: 'U1' }]).toEqual([
        { unitNo: 'U1' },
      ]);
    }
  });
});
