import type { Grade, Population } from '../evaluation-method.js';

/**
 * 存量工业用地盘活 (clause 17): the land bureau's working list of land held by enterprises that are
 * dissolved, stand still, or are graded low (docs/land-revitalization.md) — its categories and
 * the shape of a case.
 */

export const REVITALIZATION_CATEGORIES = [
  'DEREGISTERED_HOLDER',
  'SUSPECTED_IDLE',
  'LOW_EFFICIENCY',
] as const;
export type RevitalizationCategory = (typeof REVITALIZATION_CATEGORIES)[number];

/** The categories' Chinese names, as the land bureau uses them. */
export const CATEGORY_NAMES: Record<RevitalizationCategory, string> = {
  DEREGISTERED_HOLDER: '主体注销/吊销仍占地',
  SUSPECTED_IDLE: '疑似闲置',
  LOW_EFFICIENCY: '低效用地',
};

/** The town of an enterprise whose register entry names none (cases and totals need a town). */
export const UNKNOWN_TOWN = '未登记乡镇';

/** Where a grade comes from: the live evaluation, or a published run (公示 or 正式). */
export type GradeSource = 'live' | 'notice' | 'final';

/** An enterprise's 亩产效益 grade of one year as the county reads it. */
export interface GradeOfRecord {
  uscc: string;
  year: number;
  grade: Grade;
  /** points */
  score: number | null;
  population: Population | null;
  source: GradeSource;
  /** the published run it comes from; null when live */
  runId: string | null;
}

/** What a case cites and the reasons are written from. */
export interface LandRevitalizationCase {
  uscc: string;
  /** 企业名称 as registered */
  name: string;
  year: number;
  /** 登记状态 as currently registered */
  status: string;
  /** 所属乡镇 of the register (UNKNOWN_TOWN when it names none) */
  town: string;
  /** 成立日期 (YYYY-MM-DD) */
  establishedOn: string | null;
  /** the day the register file that last wrote the enterprise was loaded (YYYY-MM-DD) */
  registerLoadedOn: string;
  categories: RevitalizationCategory[];
  /** land in use on Y-12-31 (亩) */
  landAreaMu: number;
  /** land in use on Y-12-31 (m²) */
  landAreaM2: number;
  /** 实缴税款 of Y (元); null without a payment */
  taxPaidYuan: number | null;
  /** 用电量 of Y (kWh); null without a reading */
  electricityKwh: number | null;
  /** the grades of Y−1 and Y (when graded) */
  grades: { previous: GradeOfRecord | null; current: GradeOfRecord | null };
  /** one sentence per category, citing the figures (Chinese) */
  reasons: string[];
}

/** Why a category could not be judged for the year (shown beside the list). */
export interface RevitalizationNote {
  category: RevitalizationCategory;
  text: string;
}

export interface CaseFilter {
  year: number;
  category?: RevitalizationCategory | null;
  town?: string | null;
}

export interface CasePage {
  /** cases matching the filter across all pages */
  totalCount: number;
  /** Σ land in use of those cases (亩) */
  totalAreaMu: number;
  cases: LandRevitalizationCase[];
  hasNextPage: boolean;
  /** the cursor of each case, in order */
  cursors: string[];
  notes: RevitalizationNote[];
}

export interface TownRevitalization {
  town: string;
  category: RevitalizationCategory;
  cases: number;
  /** Σ land in use (亩) of the town's cases in the category */
  areaMu: number;
}

/** A caller's mistake (a bad cursor, a negative page size): reported to the client as bad input. */
export class RevitalizationInputError extends Error {
  /** Read by graphql-js: the message reaches the client instead of being masked. */
  readonly extensions = { code: 'BAD_USER_INPUT' };
  constructor(message: string) {
    super(message);
    this.name = 'RevitalizationInputError';
  }
}

/** Options for testing and for callers that know the day: "today" decides whether Y has ended. */
export interface RevitalizationOptions {
  /** YYYY-MM-DD; default the current date */
  today?: string;
}
