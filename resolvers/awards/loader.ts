import DataLoader from 'dataloader';
import type { Database } from '../../db/client.js';
import { eligibilityFor } from './engine.js';
import type { RuleSetRegistry } from './ruleset.js';
import type { AwardEligibility } from './types.js';

/** An enterprise and the date of the question. */
export interface AwardKey {
  uscc: string;
  asOf: string;
}

/**
 * Per-request loader of `Enterprise.awardEligibility(asOf)`: the keys of one tick are answered
 * with one batched evaluation per distinct asOf, in key order; a failed evaluation (a bad date)
 * is an Error for its keys only.
 */
export function createAwardEligibilityLoader(database: Database, registry?: RuleSetRegistry) {
  return new DataLoader<AwardKey, AwardEligibility[], string>(
    async (keys) => {
      const byDate = new Map<string, Promise<Map<string, AwardEligibility[]>>>();
      for (const { asOf } of keys) {
        if (!byDate.has(asOf)) {
          const usccs = keys.filter((k) => k.asOf === asOf).map((k) => k.uscc);
          byDate.set(asOf, eligibilityFor(database, usccs, asOf, { registry }));
        }
      }
      const settled = new Map<string, Map<string, AwardEligibility[]> | Error>();
      for (const [asOf, answer] of byDate)
        settled.set(
          asOf,
          await answer.catch((error: unknown) =>
            error instanceof Error ? error : new Error(String(error)),
          ),
        );
      return keys.map((k) => {
        const answers = settled.get(k.asOf)!;
        return answers instanceof Error
          ? answers
          : (answers.get(k.uscc) ?? new Error(`no award answer for ${k.uscc}`));
      });
    },
    { cacheKeyFn: (k) => `${k.asOf}|${k.uscc}` },
  );
}
