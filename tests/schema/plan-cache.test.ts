import { Plan } from '@pothos/selection-mapper';
import { execute, parse, validate } from 'graphql';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../lib/logger.js';
import { createContext, viewerFor } from '../../resolvers/context.js';
import { schema } from '../../schema/index.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { seedCounty } from './support.js';

const logger = createLogger('silent');

/**
 * A document's relational plan is walked once per field and values of the variables beneath it,
 * then played again for each request that repeats them (the server parses a document once, so
 * its field nodes are the same objects from one request to the next). What a request reads must
 * still be its own: its enterprise, its year, its own context's mappings.
 */
describe(`relational plans kept per document and variables (${testDbMode()})`, () => {
  let t: TestDatabase;
  let A: string;
  let B: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    ({
      A: { uscc: A },
      B: { uscc: B },
    } = await seedCounty(t.database));
  });
  afterAll(() => t?.drop());
  afterEach(() => vi.restoreAllMocks());

  const document = parse(/* GraphQL */ `
    query ($u: String!, $year: Int) {
      enterprise(uscc: $u) {
        uscc
        taxPayments(first: 10, year: $year) { nodes { receiptNo period } }
        parcels { unitNo }
      }
    }`);
  expect(validate(schema, document)).toEqual([]);

  /** One request of the parsed document with a context of its own, and the walks it made. */
  async function ask(variables: Record<string, unknown>) {
    const walks = vi.spyOn(Plan, 'fromInfo');
    try {
      const result = await execute({
        schema,
        document,
        variableValues: variables,
        contextValue: createContext(t.database, viewerFor('analyst'), logger, 'test'),
      });
      expect(result.errors).toBeUndefined();
      const e = (result.data as any).enterprise;
      return {
        uscc: e.uscc,
        receipts: e.taxPayments.nodes.map((n: { receiptNo: string }) => n.receiptNo),
        parcels: e.parcels.map((p: { unitNo: string }) => p.unitNo),
        walks: walks.mock.calls.length,
      };
    } finally {
      walks.mockRestore();
    }
  }

  it('walks a document once for its variables, and answers each request with its own data', async () => {
    const first = await ask({ u: A, year: 2024 });
    expect(first).toMatchObject({ uscc: A, receipts: ['R3', 'R1', 'R2'], parcels: ['U1'] });
    expect(first.walks).toBeGreaterThan(0);

    // the same variables again: the kept plan, no walk
    expect(await ask({ u: A, year: 2024 })).toEqual({ ...first, walks: 0 });

    // another enterprise: the root field's own argument is not beneath it, so no walk either,
    // and the answer is the other enterprise's
    const other = await ask({ u: B, year: 2024 });
    expect(other).toMatchObject({ uscc: B, receipts: ['R5'], parcels: ['U2'], walks: 0 });

    // a variable used beneath the field changes the plan: walked again, with the other year
    const year2023 = await ask({ u: A, year: 2023 });
    expect(year2023).toMatchObject({ receipts: ['R4'], parcels: ['U1'] });
    expect(year2023.walks).toBeGreaterThan(0);

    // an absent variable is not a null one: every year, walked once more
    const everyYear = await ask({ u: A });
    expect(everyYear.receipts).toEqual(['R3', 'R1', 'R2', 'R4']);
    expect(everyYear.walks).toBeGreaterThan(0);
    expect((await ask({ u: A })).walks).toBe(0);
  });
});
