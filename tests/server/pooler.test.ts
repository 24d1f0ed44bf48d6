import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { type Database, openDatabase } from '../../db/client.js';
import { createApiKey } from '../../resolvers/keys.js';
import { fixture, U } from '../connectors/support.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

/**
 * The service through pgbouncer in transaction mode (EDP_TEST_POOLER_URL, started by
 * scripts/ci/topology.sh in CI), which gives each transaction whichever server connection is free:
 * with EDP_POOLER_MODE=transaction nothing relies on a session.
 */
const POOLER_URL = process.env.EDP_TEST_POOLER_URL;

describe.runIf(testDbMode() === 'postgres' && POOLER_URL)(
  'through pgbouncer in transaction mode',
  () => {
    let t: TestDatabase;
    let pooled: Database;
    let app: TestApp;
    let admin: string;
    let analyst: string;
    const poolerUrlOf = (database: string) => {
      const url = new URL(POOLER_URL!);
      url.pathname = new URL(database).pathname;
      return url.toString();
    };

    beforeAll(async () => {
      t = await createTestDatabase();
      await ingestFile(t.database, 'market-registry', fixture('registry.csv'));
      await ingestFile(t.database, 'tax-payments', fixture('tax-payments.csv'));
      admin = (await createApiKey(t.database, { name: 'admin', role: 'admin' })).key;
      analyst = (await createApiKey(t.database, { name: 'analyst', role: 'analyst' })).key;
      pooled = await openDatabase({
        databaseUrl: poolerUrlOf(t.url!),
        pooler: 'transaction',
        max: 8,
      });
      // one key asks 20 county-wide reads at once: the pooler is under test, not the per-key gate
      app = await startTestApp(pooled, {
        EDP_RATE_LIMIT_PER_MINUTE: '0',
        EDP_EXPENSIVE_PER_KEY: '0',
      });
    });
    afterAll(async () => {
      await app?.stop();
      await pooled?.close();
      await t?.drop();
    });

    it('refuses a connection that sends session settings, which the setting switches off', async () => {
      const direct = await openDatabase({ databaseUrl: poolerUrlOf(t.url!), max: 1 });
      try {
        const error = await direct.ping().then(
          () => undefined,
          (e: Error) => e,
        );
        expect(String((error?.cause as Error | undefined)?.message ?? error)).toMatch(
          /unsupported startup parameter/,
        );
      } finally {
        await direct.close();
      }
    });

    it('answers concurrent reads, audited reads, a year snapshot and a mutation', async () => {
      const as = (key: string) => ({ authorization: `Bearer ${key}` });
      const profile = `{ enterprise(uscc: "${U.huali}") {
      name metrics(year: 2024) { taxPaidYuan } taxPayments(first: 10) { nodes { receiptNo } } } }`;
      const reads = Array.from({ length: 40 }, (_, i) =>
        app.gql(
          i % 2 ? profile : '{ countyAggregates(year: 2024) { county { enterprises } } }',
          {},
          as(analyst),
        ),
      );
      const link = app.gql(
        `mutation { linkRecord(id: "tax-payments:P05", uscc: "${U.sameName1}") { id } }`,
        {},
        as(admin),
      );
      const answers = await Promise.all([...reads, link]);
      for (const { status, body } of answers) {
        expect(body.errors).toBeUndefined();
        expect(status).toBe(200);
      }
      expect(answers[1].body.data.enterprise.taxPayments.nodes.length).toBeGreaterThan(0);
      expect(answers.at(-1)!.body.data.linkRecord.id).toBe('tax-payments:P05');
    });
  },
);
