import type { SQL } from 'drizzle-orm';
import type { Department } from '../../lib/departments.js';
import type { Window } from './format.js';

/**
 * One answer of the award engine: may enterprise `uscc` claim award `code` of rule set
 * `ruleSet` (a policy's 文号), judged on the records as of `asOf`?
 */
export interface AwardEligibility {
  uscc: string;
  /** the rule set's document number, e.g. 汶政发〔2022〕9号 */
  ruleSet: string;
  code: string;
  /** the policy's numbered item, "4", "5", … */
  clause: string;
  /** the award in the policy's words */
  title: string;
  eligible: boolean;
  /** 元, gross; null when not eligible, and when eligible but the amount is set by another document */
  amountYuan: number | null;
  /** the dated event the award hangs on (认定日期, 验收日期, or 31 December of a crossing year) */
  eventDate: string | null;
  /** why, in words a clerk can check against the policy: which figure, year, date, threshold */
  reasons: string[];
  /** the data that was missing where the engine could not decide */
  missing: string[];
  /**
   * The reasons as told to a role that may not read `department`'s detail, when they cite a figure
   * of it (a tax return's 软件业务收入): the same sentences with the figure generalised. Null when
   * the reasons cite no department's detail.
   */
  withoutDetail: { department: Department; reasons: string[] } | null;
  /**
   * For an award paid per project (SMART_UPGRADE_SUBSIDY): the eligible projects, each with its
   * own amount and event date, as a round approves them; null for an award of the enterprise.
   */
  projects: AwardProjectPart[] | null;
}

/** One eligible project of a per-project award. */
export interface AwardProjectPart {
  /** 项目编号 */
  project: string;
  /** 元, gross */
  amountYuan: number;
  /** 验收日期 */
  eventDate: string;
}

/** An award an approved round already holds for the enterprise (奖励只核定一次). */
export type GrantedFact = {
  code: string;
  /** 项目编号 for a per-project award; '' otherwise */
  project: string;
  ruleSet: string;
  clause: string;
  roundId: number;
  /** the round's 核定日期 */
  roundAsOf: string;
  lineId: number;
};

/** 市场监管 register entry of an enterprise (the gates every award shares). */
export type EnterpriseFact = {
  uscc: string;
  name: string;
  town: string | null;
  status: string;
  establishedOn: string | null;
  industryDivision: string | null;
};

/** One year of the enterprise income-tax return; money as exact numeric strings in 元. */
export type TaxAnnualFact = {
  year: number;
  revenueYuan: string | null;
  softwareRevenueYuan: string | null;
  employees: number | null;
};

export type DesignationFact = {
  /** 认定类型, brackets folded to half-width */
  type: string;
  recognizedOn: string;
  issuer: string | null;
  documentNo: string | null;
};

export type TechProjectFact = {
  projectNo: string;
  projectName: string | null;
  equipmentYuan: string;
  softwareYuan: string;
  acceptedOn: string | null;
  alreadySupported: boolean;
};

/** An enterprise attached to this one (as core factory) by a designation of `partnerType`. */
export type PartnerFact = {
  partnerType: string;
  uscc: string;
  name: string | null;
  /** its earliest attachment's 认定日期 */
  attachedOn: string;
  industryDivision: string | null;
  /** its latest tax-annual year closed on or before asOf, and that year's 年平均从业人数 */
  employeesYear: number | null;
  employees: number | null;
};

/** Everything the rules may read about one enterprise, loaded in a few statements for a whole batch. */
export interface Facts {
  enterprise: EnterpriseFact | null;
  /** ascending by year */
  taxAnnual: TaxAnnualFact[];
  /** ascending by date */
  designations: DesignationFact[];
  techProjects: TechProjectFact[];
  /** ascending by attachment date */
  partners: PartnerFact[];
  /** the awards approved rounds hold for the enterprise, by round */
  granted: GrantedFact[];
}

/** What a rule kind reads; partner attachments are loaded per attaching designation type. */
export type FactNeed = 'taxAnnual' | 'designations' | 'techProjects' | { partnerType: string };

/** What a rule kind concludes for one enterprise, before the enterprise gates and the amount. */
export interface Outcome {
  met: boolean;
  eventDate: string | null;
  /** for kinds that compute their amount (in 分): the amount when met */
  amountFen?: bigint;
  /** for kinds paid per project: the projects met, each with its amount (分) and event date */
  parts?: { project: string; amountFen: bigint; eventDate: string }[];
  reasons: string[];
  missing: string[];
  /** `reasons` for a role that may not read `department`'s detail, when they cite a figure of it */
  withoutDetail?: { department: Department; reasons: string[] };
}

/** A rule as the kinds see their neighbours: enough to name tiers decided together. */
export interface RuleLike {
  code: string;
  title: string;
  condition: { kind: string };
}

export interface EvaluationContext {
  asOf: string;
  /** the award code being judged */
  code: string;
  window: Window;
  /** every rule of the same rule set, this one included */
  rules: readonly RuleLike[];
}

/**
 * A generic kind of condition (designation-new, annual-threshold-first-crossing, …). A rule
 * set names a kind and its parameters; the kind knows how to read the facts.
 */
export interface RuleKind<C extends { kind: string }> {
  kind: C['kind'];
  /** true when the kind computes the amount itself (the rule's amount is then `computed`) */
  computesAmount: boolean;
  needs(condition: C): FactNeed[];
  /**
   * A set-based SQL query selecting `uscc` of every enterprise that could meet the condition
   * as of `asOf` (a superset: the engine then evaluates them). Used for county-wide lists.
   */
  prefilter(condition: C, asOf: string, window: Window): SQL;
  evaluate(condition: C, facts: Facts, at: EvaluationContext): Outcome;
  /**
   * For reasons frozen in a round (AwardRoundLine.reasons), kept as one text: the same reasons for
   * a role that may not read `department`'s detail, when the kind cites a figure of it; absent
   * when its reasons cite no department's detail.
   */
  frozenWithoutDetail?(
    condition: C,
    reasons: readonly string[],
    eventDate: string | null,
  ): { department: Department; reasons: string[] } | null;
}
