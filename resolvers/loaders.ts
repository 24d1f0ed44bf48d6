import DataLoader from 'dataloader';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { enterprises } from '../db/market.js';
import { allocationLoader } from './allocation.js';
import { createAwardEligibilityLoader } from './awards/loader.js';
import { evaluationOfRecordLoader } from './decisions/runs.js';
import { evaluationLoader } from './evaluation.js';
import { metricsLoader } from './metrics-loader.js';
import { profileLoaders } from './profile.js';

export type EnterpriseRow = typeof enterprises.$inferSelect;

/**
 * Loads rows for many keys in one statement and returns them in key order, with null for a
 * key that has no row (a missing enterprise is an answer, not an error).
 */
function byKey<K, V>(load: (keys: readonly K[]) => Promise<V[]>, keyOf: (row: V) => K) {
  return async (keys: readonly K[]): Promise<(V | null)[]> => {
    const rows = await load(keys);
    const map = new Map(rows.map((r) => [keyOf(r), r]));
    return keys.map((k) => map.get(k) ?? null);
  };
}

/**
 * Reads enterprises by USCC, any number of them, with one statement built and prepared once per
 * database (`= any($1)`: the same text for 1 key or 1,000, so PostgreSQL keeps one named statement).
 */
const enterprisesByUscc = new WeakMap<
  Database,
  { execute(values: { usccs: string[] }): Promise<EnterpriseRow[]> }
>();

function readEnterprises(database: Database, usccs: readonly string[]): Promise<EnterpriseRow[]> {
  let prepared = enterprisesByUscc.get(database);
  if (!prepared) {
    prepared = database.db
      .select()
      .from(enterprises)
      .where(sql`${enterprises.uscc} = any(${sql.placeholder('usccs')})`)
      .prepare('edp_enterprises_by_uscc');
    enterprisesByUscc.set(database, prepared);
  }
  return prepared.execute({ usccs: [...usccs] });
}

/** The per-request DataLoaders (style.md: created in the context factory, never shared). */
export function createLoaders(database: Database) {
  return {
    ...profileLoaders(database),
    awardEligibility: createAwardEligibilityLoader(database),
    metrics: metricsLoader(database),
    evaluation: evaluationLoader(database),
    evaluationOfRecord: evaluationOfRecordLoader(database),
    allocation: allocationLoader(database),
    enterprise: new DataLoader<string, EnterpriseRow | null>(
      byKey(
        (usccs) => readEnterprises(database, usccs),
        (row) => row.uscc,
      ),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
