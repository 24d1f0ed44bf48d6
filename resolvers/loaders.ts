import DataLoader from 'dataloader';
import { eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { enterprises } from '../db/market.js';
import { createAwardEligibilityLoader } from './awards/loader.js';
import { profileLoaders } from './profile.js';
import { metricsLoader } from './metrics.js';
import { evaluationLoader } from './evaluation.js';
import { allocationLoader } from './allocation.js';

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

/** The statement that reads one enterprise, prepared once per database (a named statement on PostgreSQL). */
const enterpriseByUscc = new WeakMap<Database, { execute(values: { uscc: string }): Promise<EnterpriseRow[]> }>();

function oneEnterprise(database: Database, uscc: string): Promise<EnterpriseRow[]> {
  let prepared = enterpriseByUscc.get(database);
  if (!prepared) {
    prepared = database.db.select().from(enterprises).where(eq(enterprises.uscc, sql.placeholder('uscc'))).prepare('edp_enterprise_by_uscc');
    enterpriseByUscc.set(database, prepared);
  }
  return prepared.execute({ uscc });
}

/** The per-request DataLoaders (style.md: created in the context factory, never shared). */
export function createLoaders(database: Database) {
  return {
    ...profileLoaders(database),
    awardEligibility: createAwardEligibilityLoader(database),
    metrics: metricsLoader(database),
    evaluation: evaluationLoader(database),
    allocation: allocationLoader(database),
    enterprise: new DataLoader<string, EnterpriseRow | null>(
      byKey(
        async (usccs) =>
          usccs.length === 1 ? oneEnterprise(database, usccs[0]) : database.db.select().from(enterprises).where(inArray(enterprises.uscc, [...usccs])),
        (row) => row.uscc,
      ),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
