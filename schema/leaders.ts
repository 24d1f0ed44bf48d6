import { DECIMALS } from '../lib/decimals.js';
import { UserInputError } from '../lib/errors.js';
import { checkYear } from '../lib/year.js';
import { MAX_LEADERS, type MuTaxLeader, muTaxLeaders } from '../resolvers/leaders.js';
import { builder, REFUSED } from './builder.js';
import { COUNTY_WIDE, costing } from './cost.js';

/**
 * A leader board is an aggregate view: the dashboard role reads the ranking (name, town, 亩均税收,
 * grade) without the enterprise profile; the raw department figures behind it (tax paid, land in
 * use) need the profile, as they do in `Enterprise.metrics`.
 */
const aggregates = { aggregates: true } as const;
const profile = { profile: true } as const;

const MuTaxLeaderRef = builder.objectRef<MuTaxLeader>('MuTaxLeader').implement({
  description:
    '亩均税收排行: one enterprise on the county’s 亩均税收 leader board of a year (dashboards; no department detail).',
  authScopes: aggregates,
  fields: (t) => ({
    rank: t.exposeInt('rank', {
      authScopes: aggregates,
      description: '名次: 1 = highest 亩均税收',
    }),
    uscc: t.exposeString('uscc', { authScopes: aggregates, description: '统一社会信用代码' }),
    name: t.exposeString('name', { authScopes: aggregates, description: '企业名称' }),
    town: t.exposeString('town', {
      nullable: true,
      authScopes: aggregates,
      description: '所属乡镇',
    }),
    muAverageTaxYuan: t.exposeFloat('muAverageTaxYuan', {
      decimals: DECIMALS.yuan,
      authScopes: aggregates,
      description: '亩均税收 (元/亩): 实缴税款 ÷ land in use on Dec 31',
    }),
    taxPaidYuan: t.exposeFloat('taxPaidYuan', {
      decimals: DECIMALS.yuan,
      nullable: true,
      authScopes: profile,
      description: `实缴税款 of the year (元): a department figure, not for the dashboard role.${REFUSED}`,
    }),
    landAreaMu: t.exposeFloat('landAreaMu', {
      decimals: DECIMALS.mu,
      nullable: true,
      authScopes: profile,
      description: `在用土地 on Dec 31 (亩): a department figure, not for the dashboard role.${REFUSED}`,
    }),
    grade: t.exposeString('grade', {
      nullable: true,
      authScopes: aggregates,
      description: '亩产效益评价等级 A–D of the year; null when not evaluated',
    }),
  }),
});

builder.queryField('muAverageTaxLeaders', (t) =>
  t.field({
    complexity: costing(COUNTY_WIDE),
    type: [MuTaxLeaderRef],
    authScopes: aggregates,
    description: `亩均税收排行榜: the enterprises with the highest 亩均税收 of a year, best first (at most ${MAX_LEADERS}; default 20).`,
    args: {
      year: t.arg.int({ required: true, description: '年度' }),
      first: t.arg.int({ description: `how many (default 20, at most ${MAX_LEADERS})` }),
    },
    resolve: async (_root, args, ctx) => {
      const first = args.first ?? 20;
      if (first < 0 || first > MAX_LEADERS)
        throw new UserInputError(`first 须在 0 到 ${MAX_LEADERS} 之间`);
      return muTaxLeaders(ctx.database, checkYear(args.year), first, (y) =>
        ctx.loaders.yearFigures.load(y),
      );
    },
  }),
);
