import type { ObjectionRow } from '../db/decisions.js';
import { checkYear } from '../lib/year.js';
import { type EvaluationChange, evaluationChanges } from '../resolvers/decisions/changes.js';
import {
  decideObjection,
  type EvaluationRunRecord,
  finalizeEvaluation,
  listEvaluationRuns,
  objectEvaluation,
  publishEvaluation,
} from '../resolvers/decisions/runs.js';
import { builder, REFUSED } from './builder.js';
import { COUNTY_WIDE, costing } from './cost.js';
import { Enterprise } from './enterprise.js';
import { IngestBatch } from './ingest-batch.js';
import { MuEfficiency } from './mu-efficiency.js';

const profile = { profile: true } as const;
const admin = { admin: true } as const;
const iso = (value: Date | string | null) =>
  value === null ? null : new Date(value).toISOString();

const EvaluationRun = builder.objectRef<EvaluationRunRecord>('EvaluationRun');

export const Objection = builder.objectRef<ObjectionRow>('Objection').implement({
  description: '异议: an enterprise’s objection to a published evaluation run, and its decision.',
  authScopes: profile,
  fields: (t) => ({
    id: t.exposeID('id', { description: '异议编号' }),
    run: t.field({
      type: EvaluationRun,
      description: '所涉评价结果',
      resolve: async (o, _args, ctx) =>
        (await listEvaluationRuns(ctx.database)).find((r) => r.id === o.runId)!,
    }),
    enterprise: t.field({
      type: Enterprise,
      description: '提出异议的企业',
      resolve: async (o, _args, ctx) => (await ctx.loaders.enterprise.load(o.uscc))!,
    }),
    text: t.exposeString('text', { description: '异议内容' }),
    receivedOn: t.field({
      type: 'Date',
      description: '收到日期',
      resolve: (o) => o.receivedOn,
    }),
    upheld: t.exposeBoolean('upheld', {
      nullable: true,
      description: '是否成立: null while undecided',
    }),
    note: t.exposeString('note', { nullable: true, description: '处理意见' }),
    decidedAt: t.string({
      nullable: true,
      description: '处理时间: ISO 8601 in UTC',
      resolve: (o) => iso(o.decidedAt),
    }),
    decidedBy: t.exposeString('decidedBy', { nullable: true, description: '处理人' }),
  }),
});

EvaluationRun.implement({
  description:
    '亩产效益评价结果: the evaluation of one year frozen when published (公示) — every enterprise’s whole answer, the method and the data cut (docs/decisions.md).',
  authScopes: profile,
  fields: (t) => ({
    id: t.exposeID('id', { description: '评价结果编号' }),
    year: t.exposeInt('year', { description: '评价年度' }),
    status: t.exposeString('status', {
      description: '状态: notice (公示中), final (正式结果) or superseded (已被修订结果取代)',
    }),
    methodId: t.exposeString('methodId', { description: '评价办法 applied' }),
    dataCutBatchId: t.exposeID('dataCutBatchId', {
      description: '数据截点: the highest committed ingest batch id when it was frozen',
    }),
    dataCutManualLinks: t.exposeInt('dataCutManualLinks', {
      description: '数据截点: manual links in force when it was frozen',
    }),
    publishedAt: t.string({
      description: '公示时间: ISO 8601 in UTC',
      resolve: (r) => iso(r.publishedAt)!,
    }),
    publishedBy: t.exposeString('publishedBy', { description: '发布人' }),
    finalizedAt: t.string({
      nullable: true,
      description: '正式发布时间: ISO 8601 in UTC; null while a notice',
      resolve: (r) => iso(r.finalizedAt),
    }),
    finalizedBy: t.exposeString('finalizedBy', { nullable: true, description: '正式发布人' }),
    supersededBy: t.exposeID('supersededBy', {
      nullable: true,
      description: '取代它的评价结果编号 (a revision of the same year)',
    }),
    note: t.exposeString('note', { nullable: true, description: '说明' }),
    objections: t.field({
      type: [Objection],
      description: '异议: objections received against this run',
      resolve: (r) => r.objections,
    }),
  }),
});

const EvaluationChangeRef = builder.objectRef<EvaluationChange>('EvaluationChange').implement({
  description:
    '实时结果与公示结果的差异: an enterprise whose live grade or score differs from the published run, and the loads since the run’s data cut.',
  authScopes: profile,
  fields: (t) => ({
    enterprise: t.field({
      type: Enterprise,
      description: '企业',
      resolve: async (c, _args, ctx) => (await ctx.loaders.enterprise.load(c.uscc))!,
    }),
    published: t.field({
      type: MuEfficiency,
      description: '公示(正式)结果: the answer of the run of record',
      resolve: (c) => c.published,
    }),
    live: t.field({
      type: MuEfficiency,
      description: '实时评价: the answer on the data now loaded',
      resolve: (c) => c.live,
    }),
    batches: t.field({
      type: [IngestBatch],
      authScopes: profile,
      description:
        '截点后的数据批次: committed batches after the data cut that wrote records of this enterprise',
      resolve: (c) => c.batches,
    }),
  }),
});

builder.queryFields((t) => ({
  evaluationRuns: t.field({
    type: [EvaluationRun],
    nullable: true,
    authScopes: profile,
    description: `评价结果: published evaluation runs, newest first, optionally of one year.${REFUSED}`,
    args: { year: t.arg.int({ description: '评价年度' }) },
    resolve: (_root, args, ctx) =>
      listEvaluationRuns(ctx.database, args.year == null ? null : checkYear(args.year)),
  }),
  evaluationChanges: t.field({
    complexity: costing(COUNTY_WIDE),
    type: [EvaluationChangeRef],
    nullable: true,
    authScopes: profile,
    description: `实时与公示差异: enterprises whose live evaluation differs from the year’s final run (else notice run), with the batches loaded after its data cut; empty when nothing is published.${REFUSED}`,
    args: { year: t.arg.int({ required: true, description: '评价年度' }) },
    resolve: (_root, args, ctx) => evaluationChanges(ctx.database, checkYear(args.year)),
  }),
}));

builder.mutationFields((t) => ({
  publishEvaluation: t.field({
    type: EvaluationRun,
    nullable: true,
    authScopes: admin,
    description: `公示: freeze the live evaluation of \`year\` as a notice run. Administrators only; audited.${REFUSED}`,
    args: {
      year: t.arg.int({ required: true, description: '评价年度' }),
      note: t.arg.string({ description: '说明, e.g. the notice’s document number' }),
    },
    resolve: async (_root, args, ctx) => ({
      ...(await publishEvaluation(
        ctx.database,
        ctx.viewer,
        checkYear(args.year),
        args.note ?? null,
        ctx.requestId,
      )),
      objections: [],
    }),
  }),
  finalizeEvaluation: t.field({
    type: EvaluationRun,
    nullable: true,
    authScopes: admin,
    description: `正式发布: make a notice run final; earlier runs of its year become superseded. Administrators only; audited.${REFUSED}`,
    args: { id: t.arg.id({ required: true, description: '评价结果编号' }) },
    resolve: async (_root, args, ctx) => {
      const run = await finalizeEvaluation(
        ctx.database,
        ctx.viewer,
        String(args.id),
        ctx.requestId,
      );
      return (await listEvaluationRuns(ctx.database, run.year)).find((r) => r.id === run.id)!;
    },
  }),
  objectEvaluation: t.field({
    type: Objection,
    nullable: true,
    authScopes: admin,
    description: `登记异议: record an enterprise’s objection to a run. Administrators only; audited.${REFUSED}`,
    args: {
      runId: t.arg.id({ required: true, description: '评价结果编号' }),
      uscc: t.arg.string({ required: true, description: '统一社会信用代码' }),
      text: t.arg.string({ required: true, description: '异议内容' }),
      receivedOn: t.arg({ type: 'Date', required: true, description: '收到日期' }),
    },
    resolve: (_root, args, ctx) =>
      objectEvaluation(
        ctx.database,
        ctx.viewer,
        { ...args, runId: String(args.runId) },
        ctx.requestId,
      ),
  }),
  decideObjection: t.field({
    type: Objection,
    nullable: true,
    authScopes: admin,
    description: `处理异议: decide an objection once. An upheld one is settled by a data correction and a new run, never by editing a stored grade. Administrators only; audited.${REFUSED}`,
    args: {
      id: t.arg.id({ required: true, description: '异议编号' }),
      upheld: t.arg.boolean({ required: true, description: '是否成立' }),
      note: t.arg.string({ required: true, description: '处理意见' }),
    },
    resolve: (_root, args, ctx) =>
      decideObjection(ctx.database, ctx.viewer, { ...args, id: String(args.id) }, ctx.requestId),
  }),
}));
