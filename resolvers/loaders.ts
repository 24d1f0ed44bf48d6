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

type ProfileLoaders = ReturnType<typeof profileLoaders>;

/**
 * The per-request DataLoaders (style.md: created in the context factory, never shared), each made
 * when the request first uses it: a request uses a few of them, and most detail reads none.
 */
export class Loaders {
  #profile: ProfileLoaders | undefined;
  #awardEligibility: ReturnType<typeof createAwardEligibilityLoader> | undefined;
  #metrics: ReturnType<typeof metricsLoader> | undefined;
  #evaluation: ReturnType<typeof evaluationLoader> | undefined;
  #evaluationOfRecord: ReturnType<typeof evaluationOfRecordLoader> | undefined;
  #allocation: ReturnType<typeof allocationLoader> | undefined;
  #enterprise: DataLoader<string, EnterpriseRow | null> | undefined;

  constructor(private readonly database: Database) {}

  private get profile(): ProfileLoaders {
    this.#profile ??= profileLoaders(this.database);
    return this.#profile;
  }

  get yearFigures() {
    return this.profile.yearFigures;
  }

  get taxByMonth() {
    return this.profile.taxByMonth;
  }

  get taxPaymentCount() {
    return this.profile.taxPaymentCount;
  }

  get landInUse() {
    return this.profile.landInUse;
  }

  get powerAccounts() {
    return this.profile.powerAccounts;
  }

  get awardEligibility() {
    this.#awardEligibility ??= createAwardEligibilityLoader(this.database);
    return this.#awardEligibility;
  }

  get metrics() {
    this.#metrics ??= metricsLoader(this.database);
    return this.#metrics;
  }

  get evaluation() {
    this.#evaluation ??= evaluationLoader(this.database);
    return this.#evaluation;
  }

  get evaluationOfRecord() {
    this.#evaluationOfRecord ??= evaluationOfRecordLoader(this.database);
    return this.#evaluationOfRecord;
  }

  get allocation() {
    this.#allocation ??= allocationLoader(this.database);
    return this.#allocation;
  }

  get enterprise() {
    this.#enterprise ??= new DataLoader<string, EnterpriseRow | null>(
      byKey(
        (usccs) => readEnterprises(this.database, usccs),
        (row) => row.uscc,
      ),
    );
    return this.#enterprise;
  }
}

export function createLoaders(database: Database): Loaders {
  return new Loaders(database);
}
