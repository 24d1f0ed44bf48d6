import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { AwardInputError, isIsoDate, type Window } from './format.js';
import { coreFactoryCondition, coreFactoryKind } from './kinds/core-factory.js';
import {
  designationFirstCondition,
  designationFirstKind,
  designationNewCondition,
  designationNewKind,
} from './kinds/designation.js';
import { techProjectCondition, techProjectKind } from './kinds/tech-project.js';
import { thresholdCondition, thresholdKind } from './kinds/threshold.js';
import type { RuleKind } from './types.js';

/** Where the county's rule sets live: one JSON file per policy document. */
export const DEFAULT_RULESETS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../config/rulesets',
);

const isoDate = z.string().refine(isIsoDate, 'a real date written YYYY-MM-DD');

const condition = z.discriminatedUnion('kind', [
  designationNewCondition,
  designationFirstCondition,
  thresholdCondition,
  techProjectCondition,
  coreFactoryCondition,
]);
export type Condition = z.infer<typeof condition>;

/** The engine's kinds, by name: a rule set picks one per rule and gives its parameters. */
const KINDS: { [K in Condition['kind']]: RuleKind<Extract<Condition, { kind: K }>> } = {
  'designation-new': designationNewKind,
  'designation-first': designationFirstKind,
  'annual-threshold-first-crossing': thresholdKind,
  'tech-project-subsidy': techProjectKind,
  'core-factory-partners': coreFactoryKind,
};

/** The kind that judges a condition. */
export const kindOf = <C extends Condition>(c: C) => KINDS[c.kind] as unknown as RuleKind<C>;

const amount = z.discriminatedUnion('type', [
  /** a fixed award in 元 */
  z.object({ type: z.literal('fixed'), yuan: z.number().positive() }).strict(),
  /** eligible with no amount here: the named document sets it */
  z.object({ type: z.literal('set-elsewhere'), document: z.string().min(1) }).strict(),
  /** the condition's kind computes it (tech-project-subsidy) */
  z.object({ type: z.literal('computed') }).strict(),
]);

const rule = z
  .object({
    code: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an UPPER_SNAKE award code'),
    clause: z.string().min(1),
    title: z.string().min(1),
    /** a short name where the title is too long, e.g. for a sheet of the award list (31 characters with the code) */
    shortTitle: z.string().min(1).optional(),
    amount,
    condition,
  })
  .strict();
export type Rule = z.infer<typeof rule>;

const ruleSetSchema = z
  .object({
    /** 文号, e.g. 汶政发〔2022〕9号: the rule set's name in every answer */
    documentNo: z.string().min(1),
    title: z.string().min(1),
    issuer: z.string().optional(),
    issuedOn: isoDate.optional(),
    /** 施行日期 and 有效期至, both included */
    effectiveFrom: isoDate,
    effectiveTo: isoDate,
    /** 登记状态 values that count as active */
    activeStatuses: z.array(z.string().min(1)).min(1).default(['存续', '在业']),
    rules: z.array(rule).min(1),
  })
  .strict()
  .superRefine((set, ctx) => {
    if (set.effectiveFrom > set.effectiveTo)
      ctx.addIssue({ code: 'custom', path: ['effectiveTo'], message: 'ends before it starts' });
    const seen = new Set<string>();
    set.rules.forEach((r, i) => {
      if (seen.has(r.code))
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'code'],
          message: `award code ${r.code} appears twice`,
        });
      seen.add(r.code);
      const computes = kindOf(r.condition).computesAmount;
      if (computes !== (r.amount.type === 'computed')) {
        ctx.addIssue({
          code: 'custom',
          path: ['rules', i, 'amount'],
          message: computes
            ? `kind ${r.condition.kind} computes its amount: use {"type":"computed"}`
            : `kind ${r.condition.kind} does not compute an amount`,
        });
      }
    });
  });

/** One policy document's awards with its effective window. */
export type RuleSet = z.infer<typeof ruleSetSchema> & { window: Window; file: string };

/** Every rule set known to the platform, oldest window first. */
export interface RuleSetRegistry {
  ruleSets: readonly RuleSet[];
}

/** A rule set file that does not parse or validate; the message names the file and each problem. */
export class RuleSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuleSetError';
  }
}

/** Validates one rule set (the parsed JSON of a file). */
export function parseRuleSet(data: unknown, file = '(inline)'): RuleSet {
  const result = ruleSetSchema.safeParse(data);
  if (!result.success)
    throw new RuleSetError(`rule set ${file} is not valid:\n${z.prettifyError(result.error)}`);
  return {
    ...result.data,
    window: { from: result.data.effectiveFrom, to: result.data.effectiveTo },
    file,
  };
}

/** A registry over rule sets already parsed; document numbers must be unique. */
export function createRegistry(ruleSets: RuleSet[]): RuleSetRegistry {
  const numbers = new Set<string>();
  for (const set of ruleSets) {
    if (numbers.has(set.documentNo))
      throw new RuleSetError(`two rule sets carry the document number ${set.documentNo}`);
    numbers.add(set.documentNo);
  }
  const sorted = [...ruleSets].sort(
    (a, b) =>
      a.effectiveFrom.localeCompare(b.effectiveFrom) || a.documentNo.localeCompare(b.documentNo),
  );
  return { ruleSets: sorted };
}

/** Loads and validates every `*.json` rule set in the given directories. */
export function loadRuleSets(dirs: string | readonly string[]): RuleSetRegistry {
  const sets: RuleSet[] = [];
  for (const dir of typeof dirs === 'string' ? [dirs] : dirs) {
    for (const name of readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()) {
      const file = path.join(dir, name);
      let data: unknown;
      try {
        data = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new RuleSetError(
          `rule set ${file} is not readable JSON: ${(error as Error).message}`,
        );
      }
      sets.push(parseRuleSet(data, file));
    }
  }
  return createRegistry(sets);
}

let defaultRegistryCache: RuleSetRegistry | undefined;

/** The county's rule sets from config/rulesets, loaded once per process (they are configuration, not request data). */
export function defaultRegistry(): RuleSetRegistry {
  defaultRegistryCache ??= loadRuleSets(DEFAULT_RULESETS_DIR);
  return defaultRegistryCache;
}

/** A rule with the rule set it belongs to. */
export interface BoundRule {
  ruleSet: RuleSet;
  rule: Rule;
}

/** Every award code the registry knows, in rule-set then rule order (a code in several sets once). */
export function awardCodes(registry: RuleSetRegistry): BoundRule[] {
  const seen = new Map<string, BoundRule>();
  for (const ruleSet of registry.ruleSets)
    for (const r of ruleSet.rules) if (!seen.has(r.code)) seen.set(r.code, { ruleSet, rule: r });
  return [...seen.values()];
}

/**
 * The rules of every rule set in force on or before `asOf` (its window has started), optionally
 * only those with the given codes; an unknown code is an AwardInputError.
 */
export function rulesInForce(
  registry: RuleSetRegistry,
  asOf: string,
  codes?: readonly string[],
): BoundRule[] {
  if (codes) {
    const known = new Set(awardCodes(registry).map((b) => b.rule.code));
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length > 0)
      throw new AwardInputError(
        `未知的奖励代码 ${unknown.join('、')}；可选代码：${[...known].join('、')}`,
      );
  }
  return registry.ruleSets
    .filter((s) => s.effectiveFrom <= asOf)
    .flatMap((ruleSet) =>
      ruleSet.rules
        .filter((r) => !codes || codes.includes(r.code))
        .map((r) => ({ ruleSet, rule: r })),
    );
}
