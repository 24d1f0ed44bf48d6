import { DECIMALS } from '../lib/decimals.js';
import { type AwardSummaryRow, awardCandidates, awardSummary } from '../resolvers/awards/engine.js';
import { awardCodes, defaultRegistry } from '../resolvers/awards/ruleset.js';
import type { AwardEligibility as Answer } from '../resolvers/awards/types.js';
import { builder, REFUSED } from './builder.js';
import { COUNTY_WIDE, costing } from './cost.js';
import { Enterprise } from './enterprise.js';

/** Per-enterprise answers are part of the shared profile; the county summary is an aggregate. */
const profile = { profile: true } as const;
const aggregates = { aggregates: true } as const;

/** The award codes of every rule set in config/rulesets (a new policy file adds its codes here). */
export const AwardCode = builder.enumType('AwardCode', {
  description:
    '奖励项目代码: an award of a county policy (docs/awards.md), e.g. REVENUE_500M = 年营业收入首次突破5亿元.',
  values: Object.fromEntries(
    awardCodes(defaultRegistry()).map(({ ruleSet, rule }) => [
      rule.code,
      {
        value: rule.code,
        description: `${rule.title}（${ruleSet.documentNo} 第${rule.clause}条）`,
      },
    ]),
  ),
});

export const AwardEligibility = builder.objectRef<Answer>('AwardEligibility').implement({
  description:
    '奖励资格: whether an enterprise may claim one award of a policy as of a date, with the reasons a clerk can check.',
  authScopes: profile,
  fields: (t) => ({
    enterprise: t.field({
      type: Enterprise,
      description: '企业: the enterprise the answer is about',
      resolve: async (a, _args, ctx) => {
        const row = await ctx.loaders.enterprise.load(a.uscc);
        if (!row) throw new Error(`enterprise ${a.uscc} is not registered`);
        return row;
      },
    }),
    uscc: t.exposeString('uscc', { description: '统一社会信用代码 of the enterprise' }),
    code: t.field({ type: AwardCode, description: '奖励项目代码', resolve: (a) => a.code }),
    clause: t.exposeString('clause', { description: '条款: the policy’s numbered item, e.g. "4"' }),
    ruleSet: t.exposeString('ruleSet', {
      description: '政策文号: the rule set’s document number, e.g. 汶政发〔2022〕9号',
    }),
    title: t.exposeString('title', { description: '奖励名称: the award in the policy’s words' }),
    eligible: t.exposeBoolean('eligible', { description: '是否符合条件' }),
    amountYuan: t.float({
      decimals: DECIMALS.yuan,
      nullable: true,
      description:
        '奖励金额 in 元 (gross, taxable to the recipient); null when not eligible, and when eligible but the amount is set by another document',
      resolve: (a) => a.amountYuan,
    }),
    eventDate: t.field({
      type: 'Date',
      nullable: true,
      description:
        '事件日期: 认定日期, 验收日期, or 31 December of the year a threshold was first crossed',
      resolve: (a) => a.eventDate,
    }),
    reasons: t.stringList({
      description:
        '理由: which figure, year, date and threshold decided the answer. A figure of a department’s detail (a tax return’s 软件业务收入) is cited to roles that read that department; the others read its year and the threshold.',
      resolve: (a, _args, ctx) =>
        a.withoutDetail && !ctx.viewer.can.departments.includes(a.withoutDetail.department)
          ? a.withoutDetail.reasons
          : a.reasons,
    }),
    missing: t.exposeStringList('missing', {
      description: '缺失数据: the data that was missing where the answer could not be decided',
    }),
  }),
});

export const AwardSummary = builder.objectRef<AwardSummaryRow>('AwardSummary').implement({
  description:
    '奖励汇总: candidates and amounts of one award code, for the dashboard’s view by clause.',
  authScopes: aggregates,
  fields: (t) => ({
    ruleSet: t.exposeString('ruleSet', { description: '政策文号' }),
    clause: t.exposeString('clause', { description: '条款' }),
    code: t.field({ type: AwardCode, description: '奖励项目代码', resolve: (s) => s.code }),
    title: t.exposeString('title', { description: '奖励名称' }),
    candidates: t.exposeInt('candidates', { description: '符合条件的企业数 (enterprises)' }),
    totalAmountYuan: t.exposeFloat('totalAmountYuan', {
      decimals: DECIMALS.yuan,
      description: '奖励金额合计 in 元 (candidates whose amount is set elsewhere add nothing)',
    }),
    unpricedCandidates: t.exposeInt('unpricedCandidates', {
      description: '金额另行确定的企业数: candidates whose amount is set by another document',
    }),
  }),
});

builder.objectField(Enterprise, 'awardEligibility', (t) =>
  t.field({
    type: [AwardEligibility],
    description:
      '奖励资格: one answer per award code of every rule set in force on or before asOf (汶政发〔2022〕9号 and later policies).',
    authScopes: profile,
    args: {
      asOf: t.arg({
        type: 'Date',
        required: true,
        description: '查询日期: judge on the records as of this date',
      }),
    },
    resolve: (e, args, ctx) => ctx.loaders.awardEligibility.load({ uscc: e.uscc, asOf: args.asOf }),
  }),
);

builder.queryFields((t) => ({
  awardCandidates: t.field({
    complexity: costing(COUNTY_WIDE),
    type: [AwardEligibility],
    nullable: true,
    description: `奖励候选: every enterprise in the county eligible for the award as of asOf, by event date.${REFUSED}`,
    authScopes: profile,
    args: {
      code: t.arg({ type: AwardCode, required: true, description: '奖励项目代码' }),
      asOf: t.arg({ type: 'Date', required: true, description: '查询日期' }),
    },
    resolve: (_root, args, ctx) => awardCandidates(ctx.database, args.code, args.asOf),
  }),
  awardSummary: t.field({
    complexity: costing(COUNTY_WIDE),
    type: [AwardSummary],
    description:
      '奖励汇总: candidates and amounts (元) per clause and award code of every rule set in force as of asOf.',
    authScopes: aggregates,
    args: { asOf: t.arg({ type: 'Date', required: true, description: '查询日期' }) },
    resolve: (_root, args, ctx) => awardSummary(ctx.database, args.asOf),
  }),
}));
