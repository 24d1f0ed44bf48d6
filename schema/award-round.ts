import type { AwardPaymentRow } from '../db/decisions.js';
import { DECIMALS } from '../lib/decimals.js';
import { defaultRegistry, kindOf } from '../resolvers/awards/ruleset.js';
import {
  type AwardRoundLineRecord,
  type AwardRoundRecord,
  approveAwardRound,
  listAwardRounds,
  recordAwardPayment,
} from '../resolvers/decisions/rounds.js';
import { AwardCode } from './award.js';
import { builder, REFUSED } from './builder.js';
import { Enterprise } from './enterprise.js';

/** Rounds name enterprises and their amounts: the shared profile reads them; only admins write. */
const profile = { profile: true } as const;
const admin = { admin: true } as const;
const iso = (value: Date | string) => new Date(value).toISOString();
const money = (value: string | null) => (value === null ? null : Number(value));

const AwardPayment = builder.objectRef<AwardPaymentRow>('AwardPayment').implement({
  description:
    '兑现记录: a payment of a round line, or a reversing entry (negative amount, with its reason).',
  authScopes: profile,
  fields: (t) => ({
    id: t.exposeID('id', { description: '兑现记录编号' }),
    paidOn: t.field({ type: 'Date', description: '支付日期', resolve: (p) => p.paidOn }),
    amountYuan: t.float({
      decimals: DECIMALS.yuan,
      description: '金额 in 元; negative for a reversing entry (冲销)',
      resolve: (p) => Number(p.amountYuan),
    }),
    voucherNo: t.exposeString('voucherNo', { description: '凭证号' }),
    reason: t.exposeString('reason', { nullable: true, description: '冲销原因' }),
    recordedAt: t.string({
      description: '登记时间: ISO 8601 in UTC',
      resolve: (p) => iso(p.recordedAt),
    }),
    recordedBy: t.exposeString('recordedBy', { description: '登记人' }),
  }),
});

export const AwardRoundLine = builder.objectRef<AwardRoundLineRecord>('AwardRoundLine').implement({
  description:
    '核定行: one award approved in a round — an enterprise and code (for SMART_UPGRADE_SUBSIDY one project) — and what has been paid on it.',
  authScopes: profile,
  fields: (t) => ({
    id: t.exposeID('id', { description: '轮次行号: the number payments cite' }),
    roundId: t.exposeID('roundId', { description: '核定轮次编号' }),
    lineNo: t.exposeInt('lineNo', { description: '行号 within the round (1, 2, …)' }),
    enterprise: t.field({
      type: Enterprise,
      description: '企业',
      resolve: async (l, _args, ctx) => (await ctx.loaders.enterprise.load(l.uscc))!,
    }),
    uscc: t.exposeString('uscc', { description: '统一社会信用代码' }),
    code: t.field({ type: AwardCode, description: '奖励项目代码', resolve: (l) => l.code }),
    ruleSet: t.exposeString('ruleSet', { description: '政策文号' }),
    clause: t.exposeString('clause', { description: '条款' }),
    amountYuan: t.float({
      decimals: DECIMALS.yuan,
      nullable: true,
      description: '核定金额 in 元 (gross); null when the amount is set by another document',
      resolve: (l) => money(l.amountYuan),
    }),
    eventDate: t.field({
      type: 'Date',
      nullable: true,
      description: '事件日期',
      resolve: (l) => l.eventDate,
    }),
    project: t.string({
      nullable: true,
      description: '项目编号 for a per-project award; null otherwise',
      resolve: (l) => l.project || null,
    }),
    reasons: t.stringList({
      description:
        '理由 as frozen when approved. A figure of a department’s detail (a tax return’s 软件业务收入) is cited to roles that read that department; the others read the year and the threshold.',
      resolve: (l, _args, ctx) => {
        const rule = defaultRegistry()
          .ruleSets.find((set) => set.documentNo === l.ruleSet)
          ?.rules.find((r) => r.code === l.code);
        const general = rule
          ? kindOf(rule.condition).frozenWithoutDetail?.(rule.condition, l.reasons, l.eventDate)
          : null;
        return general && !ctx.viewer.can.departments.includes(general.department)
          ? general.reasons
          : l.reasons;
      },
    }),
    paidYuan: t.exposeFloat('paidYuan', {
      decimals: DECIMALS.yuan,
      description: '已兑现金额 in 元: payments less reversing entries',
    }),
    payments: t.field({
      type: [AwardPayment],
      description: '兑现记录, oldest first',
      resolve: (l) => l.payments,
    }),
  }),
});

const AwardRound = builder.objectRef<AwardRoundRecord>('AwardRound').implement({
  description:
    '奖励核定轮次: the eligible award answers at a date, frozen as numbered lines; an award a round holds is not eligible again (docs/decisions.md).',
  authScopes: profile,
  fields: (t) => ({
    id: t.exposeID('id', { description: '轮次编号 (第N轮)' }),
    asOf: t.field({
      type: 'Date',
      description: '核定日期: eligibility as of this date',
      resolve: (r) => r.asOf,
    }),
    codes: t.field({
      type: [AwardCode],
      nullable: true,
      description: '核定的奖励项目; null = every code in force',
      resolve: (r) => r.codes,
    }),
    note: t.exposeString('note', {
      nullable: true,
      description: '说明, e.g. the approval’s document number',
    }),
    approvedAt: t.string({
      description: '核定时间: ISO 8601 in UTC',
      resolve: (r) => iso(r.approvedAt),
    }),
    approvedBy: t.exposeString('approvedBy', { description: '核定人' }),
    lines: t.field({
      type: [AwardRoundLine],
      description: '核定行, in line order',
      resolve: (r) => r.lines,
    }),
  }),
});

builder.queryFields((t) => ({
  awardRounds: t.field({
    type: [AwardRound],
    nullable: true,
    authScopes: profile,
    description: `奖励核定轮次: approved rounds, newest first, with their lines and payments.${REFUSED}`,
    args: { first: t.arg.int({ description: 'at most this many rounds' }) },
    resolve: (_root, args, ctx) => listAwardRounds(ctx.database, { first: args.first }),
  }),
}));

builder.mutationFields((t) => ({
  approveAwardRound: t.field({
    type: AwardRound,
    nullable: true,
    authScopes: admin,
    description: `核定: freeze the eligible awards as of \`asOf\` (of \`codes\`, default all) as a new round; what a round holds is granted once. Administrators only; audited.${REFUSED}`,
    args: {
      asOf: t.arg({ type: 'Date', required: true, description: '核定日期' }),
      codes: t.arg({ type: [AwardCode], description: '奖励项目代码; default every code in force' }),
      note: t.arg.string({ description: '说明, e.g. the approval’s document number' }),
    },
    resolve: (_root, args, ctx) =>
      approveAwardRound(
        ctx.database,
        ctx.viewer,
        { asOf: args.asOf, codes: args.codes, note: args.note },
        ctx.requestId,
      ),
  }),
  recordAwardPayment: t.field({
    type: AwardRoundLine,
    nullable: true,
    authScopes: admin,
    description: `兑现: record a payment of a round line; a negative amount with a reason is a reversing entry (冲销). Administrators only; audited.${REFUSED}`,
    args: {
      lineId: t.arg.id({ required: true, description: '轮次行号 (AwardRoundLine.id)' }),
      paidOn: t.arg({ type: 'Date', required: true, description: '支付日期' }),
      amountYuan: t.arg.float({ required: true, description: '金额(元); negative to reverse' }),
      voucherNo: t.arg.string({ required: true, description: '凭证号' }),
      reason: t.arg.string({ description: '冲销原因: required for a negative amount' }),
    },
    resolve: (_root, args, ctx) =>
      recordAwardPayment(
        ctx.database,
        ctx.viewer,
        { ...args, lineId: String(args.lineId) },
        ctx.requestId,
      ),
  }),
}));
