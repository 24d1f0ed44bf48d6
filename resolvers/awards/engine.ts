import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { loadFacts } from './facts.js';
import { assertAsOf, fenToYuan, limitText, sumYuan } from './format.js';
import {
  type BoundRule,
  defaultRegistry,
  kindOf,
  type RuleSet,
  type RuleSetRegistry,
  rulesInForce,
} from './ruleset.js';
import type { AwardEligibility, Facts, GrantedFact } from './types.js';

/** Why an award held by an approved round is not eligible again (奖励只核定一次). */
export const grantedText = (g: GrantedFact) =>
  `已在第${g.roundId}轮（${g.roundAsOf}）核定（${g.ruleSet} 第${g.clause}条，轮次行号 ${g.lineId}），同一奖励只核定一次，不再列为符合条件`;

export interface AwardOptions {
  /** the rule sets to apply (default: config/rulesets) */
  registry?: RuleSetRegistry;
  /** only these award codes (default: every code) */
  codes?: readonly string[];
}

/**
 * The gates every award shares: registered in the county, established on or before asOf,
 * and active. The register keeps no status history, so today's status applies to any asOf.
 */
function enterpriseGate(uscc: string, facts: Facts, asOf: string, ruleSet: RuleSet) {
  const e = facts.enterprise;
  if (!e)
    return {
      ok: false,
      reasons: [`统一社会信用代码 ${uscc} 不在县市场监督管理局企业登记中，不是本县登记企业`],
      missing: [],
    };
  const reasons: string[] = [];
  const missing: string[] = [];
  let ok = true;
  if (!ruleSet.activeStatuses.includes(e.status)) {
    ok = false;
    reasons.push(
      `登记状态为「${e.status}」，不是${ruleSet.activeStatuses.join('或')}，不符合奖励条件（登记状态无历史记录，按当前状态认定）`,
    );
  }
  if (!e.establishedOn) {
    ok = false;
    missing.push('成立日期（市场监管局 企业登记）为空，无法确认查询日期前已成立');
  } else if (e.establishedOn > asOf) {
    ok = false;
    reasons.push(`成立日期 ${e.establishedOn} 晚于查询日期 ${asOf}，当时尚未成立`);
  }
  if (ok) reasons.push(`本县登记企业，登记状态「${e.status}」，成立日期 ${e.establishedOn}`);
  return { ok, reasons, missing };
}

function evaluate(
  uscc: string,
  facts: Facts,
  asOf: string,
  { ruleSet, rule }: BoundRule,
): AwardEligibility {
  const outcome = kindOf(rule.condition).evaluate(rule.condition, facts, {
    asOf,
    code: rule.code,
    window: ruleSet.window,
    rules: ruleSet.rules,
  });
  const gate = enterpriseGate(uscc, facts, asOf, ruleSet);
  // an award of the enterprise is granted once; a per-project kind leaves out its granted projects itself
  const held = outcome.parts
    ? undefined
    : facts.granted.find((g) => g.code === rule.code && g.project === '');
  const eligible = gate.ok && outcome.met && !held;
  const before = [...(held ? [grantedText(held)] : []), ...gate.reasons];
  const after: string[] = [];
  let amountYuan: number | null = null;
  if (eligible) {
    const where = `${ruleSet.documentNo} 第${rule.clause}条`;
    if (rule.amount.type === 'fixed') {
      amountYuan = rule.amount.yuan;
      after.push(`奖励金额 ${limitText(rule.amount.yuan)}（${where}）`);
    } else if (rule.amount.type === 'set-elsewhere') {
      after.push(`符合条件；奖励金额不由${where}规定，按${rule.amount.document}确定，此处不计金额`);
    } else {
      amountYuan = fenToYuan(outcome.amountFen ?? 0n);
    }
  }
  const reasons = [...before, ...outcome.reasons, ...after];
  const general = outcome.withoutDetail;
  return {
    uscc,
    ruleSet: ruleSet.documentNo,
    code: rule.code,
    clause: rule.clause,
    title: rule.title,
    eligible,
    amountYuan,
    eventDate: outcome.eventDate,
    reasons,
    missing: [...gate.missing, ...outcome.missing],
    withoutDetail: general
      ? { department: general.department, reasons: [...before, ...general.reasons, ...after] }
      : null,
    projects:
      eligible && outcome.parts
        ? outcome.parts.map((p) => ({
            project: p.project,
            amountYuan: fenToYuan(p.amountFen),
            eventDate: p.eventDate,
          }))
        : null,
  };
}

/**
 * Evaluates, for each enterprise, the rules at the given indexes of `rules`: the facts are
 * loaded once for all of them, in at most five statements.
 */
async function evaluateTargets(
  database: Database,
  asOf: string,
  rules: readonly BoundRule[],
  targets: ReadonlyMap<string, readonly number[]>,
): Promise<Map<string, AwardEligibility[]>> {
  const used = [...new Set([...targets.values()].flat())].map((i) => rules[i]);
  const needs = used.flatMap(({ rule }) => kindOf(rule.condition).needs(rule.condition));
  const facts =
    targets.size > 0 && used.length > 0
      ? await loadFacts(database, [...targets.keys()], asOf, needs)
      : new Map<string, Facts>();
  const result = new Map<string, AwardEligibility[]>();
  for (const [uscc, indexes] of targets)
    result.set(
      uscc,
      indexes.map((i) => evaluate(uscc, facts.get(uscc)!, asOf, rules[i])),
    );
  return result;
}

/**
 * Award eligibility of each enterprise as of `asOf` (YYYY-MM-DD): one entry per award code of
 * every rule set in force on or before asOf, in rule-set then rule order. Batched: the same
 * few statements (at most five) for one enterprise or twenty thousand. An unknown USCC gets
 * entries that say it is not registered.
 */
export async function eligibilityFor(
  database: Database,
  usccs: readonly string[],
  asOf: string,
  options: AwardOptions = {},
): Promise<Map<string, AwardEligibility[]>> {
  assertAsOf(asOf);
  const rules = rulesInForce(options.registry ?? defaultRegistry(), asOf, options.codes);
  const every = rules.map((_, i) => i);
  return evaluateTargets(database, asOf, rules, new Map(usccs.map((u) => [u, every])));
}

/**
 * For each enterprise that could be eligible for any of `rules` as of asOf, the rules it could
 * meet, in one set-based statement: each kind's prefilter (a superset of the enterprises
 * meeting it), limited to active enterprises established on or before asOf.
 */
async function prefilter(
  database: Database,
  rules: readonly BoundRule[],
  asOf: string,
): Promise<Map<string, number[]>> {
  if (rules.length === 0) return new Map();
  const parts = rules.map(
    ({ ruleSet, rule }, i) =>
      sql`select p.uscc, ${i}::int as rule from (${kindOf(rule.condition).prefilter(rule.condition, asOf, ruleSet.window)}) p`,
  );
  const statuses = [...new Set(rules.flatMap(({ ruleSet }) => ruleSet.activeStatuses))];
  const rows = await database.rows<{ uscc: string; rule: number }>(sql`
    select distinct c.uscc, c.rule from (${sql.join(parts, sql` union all `)}) c
    join enterprises e on e.uscc = c.uscc
    where e.status = any(${sql.param(statuses)}::text[]) and e.established_on <= ${asOf}
    order by c.uscc, c.rule`);
  const targets = new Map<string, number[]>();
  for (const { uscc, rule } of rows) targets.set(uscc, [...(targets.get(uscc) ?? []), rule]);
  return targets;
}

/**
 * Every eligible answer in the county as of asOf for the selected rules (all codes in force,
 * or `options.codes`): one prefilter statement, then the batched evaluation of its enterprises.
 */
export async function eligibleAnswers(
  database: Database,
  asOf: string,
  options: AwardOptions = {},
): Promise<{ rules: BoundRule[]; answers: AwardEligibility[] }> {
  assertAsOf(asOf);
  const rules = rulesInForce(options.registry ?? defaultRegistry(), asOf, options.codes);
  const answers = await evaluateTargets(
    database,
    asOf,
    rules,
    await prefilter(database, rules, asOf),
  );
  const order = new Map(rules.map((b, i) => [`${b.ruleSet.documentNo}|${b.rule.code}`, i]));
  const eligible = [...answers.values()].flat().filter((a) => a.eligible);
  eligible.sort(
    (a, b) =>
      order.get(`${a.ruleSet}|${a.code}`)! - order.get(`${b.ruleSet}|${b.code}`)! ||
      (a.eventDate ?? '').localeCompare(b.eventDate ?? '') ||
      a.uscc.localeCompare(b.uscc),
  );
  return { rules, answers: eligible };
}

/**
 * 奖励候选: every enterprise in the county eligible for award `code` as of asOf (under each rule
 * set in force that has the code), by rule set, event date, then USCC.
 */
export async function awardCandidates(
  database: Database,
  code: string,
  asOf: string,
  options: AwardOptions = {},
): Promise<AwardEligibility[]> {
  return (await eligibleAnswers(database, asOf, { ...options, codes: [code] })).answers;
}

/** One line of the dashboard's "award candidates and amounts by clause". */
export interface AwardSummaryRow {
  ruleSet: string;
  clause: string;
  code: string;
  title: string;
  /** eligible enterprises */
  candidates: number;
  /** Σ amountYuan of the candidates, 元 (those with an amount set elsewhere add nothing) */
  totalAmountYuan: number;
  /** candidates whose amount is set by another document */
  unpricedCandidates: number;
}

/** Sums eligible answers per rule (one row per rule, zeros included), exactly in 分. */
export function summarize(
  rules: readonly BoundRule[],
  answers: readonly AwardEligibility[],
): AwardSummaryRow[] {
  return rules.map(({ ruleSet, rule }) => {
    const mine = answers.filter((a) => a.ruleSet === ruleSet.documentNo && a.code === rule.code);
    return {
      ruleSet: ruleSet.documentNo,
      clause: rule.clause,
      code: rule.code,
      title: rule.title,
      candidates: mine.length,
      totalAmountYuan: sumYuan(mine.map((a) => a.amountYuan)),
      unpricedCandidates: mine.filter((a) => a.amountYuan === null).length,
    };
  });
}

/** Candidates and amounts per award code of every rule set in force as of asOf. */
export async function awardSummary(
  database: Database,
  asOf: string,
  options: AwardOptions = {},
): Promise<AwardSummaryRow[]> {
  const { rules, answers } = await eligibleAnswers(database, asOf, options);
  return summarize(rules, answers);
}
