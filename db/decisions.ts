import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  date,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/pg-core';
import { yuan } from './common.js';

/**
 * Decisions of record (docs/decisions.md): what the county announced, kept as it was announced.
 * Nothing here is ever updated in place except a run's status and an objection's decision;
 * nothing is deleted: a later record supersedes or reverses an earlier one.
 */

/**
 * 亩产效益评价结果: the evaluation of one year frozen as published (公示). Status: `notice` (公示),
 * `final` (正式), `superseded` (被修订结果取代). At most one final run per year.
 */
export const evaluationRuns = pgTable(
  'evaluation_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    year: integer('year').notNull(),
    /** notice, final or superseded */
    status: varchar('status', { length: 16 }).notNull(),
    /** the evaluation method applied; '-' when none was in force for the year */
    methodId: text('method_id').notNull(),
    /** the data cut: the highest committed ingest batch id when the run was frozen */
    dataCutBatchId: bigint('data_cut_batch_id', { mode: 'number' }).notNull(),
    /** the data cut: manual links in force when the run was frozen */
    dataCutManualLinks: integer('data_cut_manual_links').notNull(),
    note: text('note'),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull().defaultNow(),
    publishedBy: text('published_by').notNull(),
    finalizedAt: timestamp('finalized_at', { withTimezone: true }),
    finalizedBy: text('finalized_by'),
    /** the run that superseded this one (a revision of the same year) */
    supersededBy: bigint('superseded_by', { mode: 'number' }),
  },
  (t) => [
    index('evaluation_runs_year_idx').on(t.year, t.id),
    uniqueIndex('evaluation_runs_one_final_idx').on(t.year).where(sql`${t.status} = 'final'`),
  ],
);

/**
 * One enterprise's answer in a run: the whole muEfficiency answer (population, indicators with
 * value, benchmark, weight and points, score, rank, grade, reasons) and the figures used, as JSON;
 * the columns a ranking or a run of D years reads are kept beside it.
 */
export const evaluationRunResults = pgTable(
  'evaluation_run_results',
  {
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => evaluationRuns.id),
    uscc: varchar('uscc', { length: 18 }).notNull(),
    population: varchar('population', { length: 16 }),
    rank: integer('rank'),
    score: numeric('score'),
    grade: varchar('grade', { length: 1 }),
    /** the answer as read through the API, and the metrics used */
    answer: jsonb('answer').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.uscc] })],
);

/** 异议: an enterprise's objection to a published run, and its decision. */
export const evaluationObjections = pgTable(
  'evaluation_objections',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => evaluationRuns.id),
    uscc: varchar('uscc', { length: 18 }).notNull(),
    text: text('text').notNull(),
    receivedOn: date('received_on').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    recordedBy: text('recorded_by').notNull(),
    /** null while undecided */
    upheld: boolean('upheld'),
    note: text('note'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    decidedBy: text('decided_by'),
  },
  (t) => [index('evaluation_objections_run_idx').on(t.runId)],
);

/** 奖励核定轮次: the eligible award answers at a date, frozen as approved lines. */
export const awardRounds = pgTable('award_rounds', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  asOf: date('as_of').notNull(),
  /** the award codes the round was asked for; null = every code in force */
  codes: text('codes').array(),
  note: text('note'),
  approvedAt: timestamp('approved_at', { withTimezone: true }).notNull().defaultNow(),
  approvedBy: text('approved_by').notNull(),
});

/**
 * One approved award of a round: an enterprise and code (for a per-project award, one project).
 * An award is granted once: (code, uscc, project) is unique over all rounds.
 */
export const awardRoundLines = pgTable(
  'award_round_lines',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    roundId: bigint('round_id', { mode: 'number' })
      .notNull()
      .references(() => awardRounds.id),
    /** 1, 2, … within the round */
    lineNo: integer('line_no').notNull(),
    uscc: varchar('uscc', { length: 18 }).notNull(),
    ruleSet: text('rule_set').notNull(),
    code: text('code').notNull(),
    clause: text('clause').notNull(),
    /** 元, gross; null when the amount is set by another document */
    amountYuan: yuan('amount_yuan'),
    eventDate: date('event_date'),
    /** 项目编号 for a per-project award; '' otherwise */
    project: text('project').notNull().default(''),
    reasons: text('reasons').array().notNull(),
  },
  (t) => [
    uniqueIndex('award_round_lines_once_idx').on(t.code, t.uscc, t.project),
    index('award_round_lines_round_idx').on(t.roundId, t.lineNo),
  ],
);

/** 兑现: a payment of a round line, or a reversing entry (negative amount, with its reason). */
export const awardPayments = pgTable(
  'award_payments',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    lineId: bigint('line_id', { mode: 'number' })
      .notNull()
      .references(() => awardRoundLines.id),
    paidOn: date('paid_on').notNull(),
    /** 元; negative for a reversing entry */
    amountYuan: yuan('amount_yuan').notNull(),
    voucherNo: text('voucher_no').notNull(),
    /** why a reversing entry corrects an earlier one */
    reason: text('reason'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull().defaultNow(),
    recordedBy: text('recorded_by').notNull(),
  },
  (t) => [index('award_payments_line_idx').on(t.lineId)],
);

export type EvaluationRunRow = typeof evaluationRuns.$inferSelect;
export type ObjectionRow = typeof evaluationObjections.$inferSelect;
export type AwardRoundRow = typeof awardRounds.$inferSelect;
export type AwardRoundLineRow = typeof awardRoundLines.$inferSelect;
export type AwardPaymentRow = typeof awardPayments.$inferSelect;
