import { getSchemaConfig, queryFromInfo } from '@pothos/plugin-drizzle';
import { DECIMALS } from '../lib/decimals.js';
import { UserInputError } from '../lib/errors.js';
import { checkYear } from '../lib/year.js';
import type { Context } from '../resolvers/context.js';
import {
  type IndicatorResult,
  type MuEfficiencyResult,
  muEfficiencyOf,
  rankingOf,
} from '../resolvers/evaluation.js';
import { evaluationMethods, POPULATIONS } from '../resolvers/evaluation-method.js';
import type { EnterpriseRow } from '../resolvers/loaders.js';
import { METRICS } from '../resolvers/metric-table.js';
import { builder, REFUSED } from './builder.js';
import { COUNTY_WIDE, costing } from './cost.js';
import { Enterprise } from './enterprise.js';

const profile = { profile: true } as const;
/**
 * Enterprises a ranking loaded for its rows' `enterprise` field (with exactly the columns and
 * relations the document selects beneath it, planned by Pothos), per request.
 */
const rankedEnterprises = new WeakMap<Context, Map<string, EnterpriseRow>>();

/** The most rows `muEfficiencyRanking` returns. */
const MAX_RANKING = 100;

/** An indicator's decimals: those of the metric it reads (resolvers/metric-table.ts), by indicator id. */
const INDICATOR_DECIMALS = new Map(
  evaluationMethods().flatMap((method) =>
    method.indicators.map((i) => [i.id, METRICS.find((m) => m.column === i.metric)!.decimals]),
  ),
);
/** The decimals of an indicator's value and benchmark: its metric's, else a fraction's. */
const indicatorDecimals = (i: IndicatorResult) => INDICATOR_DECIMALS.get(i.id) ?? DECIMALS.fraction;
const INDICATOR_ROUNDING = `按指标单位：元/亩、元/吨标准煤、元/人 保留 ${DECIMALS.yuan} 位小数，比率保留 ${DECIMALS.fraction} 位小数 (rounded as its metric in EnterpriseMetrics).`;

const POPULATION_NAMES = {
  ABOVE_SCALE: '规上: 营业收入 of the year ≥ 20,000,000 元',
  BELOW_SCALE: '规下: the others with at least 3 亩 of land in use',
};

export const PopulationEnum = builder.enumType('Population', {
  description:
    '评价对象: the population an industrial enterprise is evaluated in (docs/metrics.md); thresholds are configuration.',
  values: Object.fromEntries(
    POPULATIONS.map((p) => [p, { value: p, description: POPULATION_NAMES[p] }]),
  ) as Record<
    (typeof POPULATIONS)[number],
    { value: (typeof POPULATIONS)[number]; description: string }
  >,
});

const MuIndicator = builder.objectRef<IndicatorResult>('MuIndicator').implement({
  description:
    '评价指标: one indicator of the 亩产效益 score, so a clerk can recompute points = weight × min(max(value ÷ benchmark, 0), cap).',
  authScopes: profile,
  fields: (t) => ({
    name: t.exposeString('id', {
      authScopes: profile,
      description: 'indicator name, e.g. muAverageTax',
    }),
    nameZh: t.exposeString('nameZh', {
      authScopes: profile,
      description: '指标名称, e.g. 亩均税收',
    }),
    unit: t.exposeString('unit', {
      authScopes: profile,
      description: '单位 of value and benchmark, e.g. 元/亩',
    }),
    value: t.exposeFloat('value', {
      nullable: true,
      authScopes: profile,
      decimals: indicatorDecimals,
      description: `指标值 in \`unit\`; null when an input is missing (the indicator then scores 0). ${INDICATOR_ROUNDING}`,
    }),
    benchmark: t.exposeFloat('benchmark', {
      nullable: true,
      authScopes: profile,
      description: `基准值 in \`unit\`: the population’s aggregate ratio (Σ numerator ÷ Σ denominator over members with a value). ${INDICATOR_ROUNDING} Points are computed from the unrounded value and benchmark.`,
      decimals: indicatorDecimals,
    }),
    weight: t.exposeFloat('weight', {
      decimals: DECIMALS.score,
      authScopes: profile,
      description: '权重: points at benchmark level',
    }),
    points: t.exposeFloat('points', {
      decimals: DECIMALS.score,
      authScopes: profile,
      description: '得分: weight × min(max(value ÷ benchmark, 0), cap)',
    }),
  }),
});

export const MuEfficiency = builder.objectRef<MuEfficiencyResult>('MuEfficiency').implement({
  description:
    '亩产效益评价: an enterprise’s evaluation for one year — population, rank, score, grade (A–D) and each indicator.',
  authScopes: profile,
  fields: (t) => ({
    enterprise: t.field({
      type: Enterprise,
      authScopes: profile,
      description: '企业: the evaluated enterprise',
      resolve: async (r, _args, ctx) => {
        const enterprise =
          rankedEnterprises.get(ctx)?.get(r.uscc) ?? (await ctx.loaders.enterprise.load(r.uscc));
        if (!enterprise) throw new Error(`enterprise ${r.uscc} is not registered`);
        return enterprise;
      },
    }),
    year: t.exposeInt('year', { authScopes: profile, description: '评价年度' }),
    methodId: t.exposeString('methodId', {
      nullable: true,
      authScopes: profile,
      description:
        '评价办法: the evaluation method applied (configuration); null when none is in force',
    }),
    evaluated: t.exposeBoolean('evaluated', {
      authScopes: profile,
      description: '是否参评: false when outside the evaluated populations (see reasons)',
    }),
    population: t.expose('population', {
      type: PopulationEnum,
      nullable: true,
      authScopes: profile,
      description: '评价对象: 规上 or 规下',
    }),
    rank: t.exposeInt('rank', {
      nullable: true,
      authScopes: profile,
      description: '排名: 1 = best within its population (county-wide)',
    }),
    populationSize: t.exposeInt('populationSize', {
      nullable: true,
      authScopes: profile,
      description: '参评企业数: members of its population',
    }),
    score: t.exposeFloat('score', {
      decimals: DECIMALS.score,
      nullable: true,
      authScopes: profile,
      description: '综合得分: Σ indicator points',
    }),
    grade: t.exposeString('grade', {
      nullable: true,
      authScopes: profile,
      description: '评价等级: A, B, C or D; null when not evaluated',
    }),
    gradeLabel: t.exposeString('gradeLabel', {
      nullable: true,
      authScopes: profile,
      description: '等级名称, e.g. A 优先发展类, D 限制发展类',
    }),
    indicators: t.field({
      type: [MuIndicator],
      authScopes: profile,
      description: '评价指标: value, benchmark, weight and points of each indicator',
      resolve: (r) => r.indicators,
    }),
    reasons: t.exposeStringList('reasons', {
      authScopes: profile,
      description: '说明: why (not) evaluated, missing indicators, caps, and the rank',
    }),
    runId: t.exposeID('runId', {
      nullable: true,
      authScopes: profile,
      description:
        '评价结果编号: the published run this answer is read from (EvaluationRun.id); null for the live evaluation',
    }),
    status: t.exposeString('status', {
      authScopes: profile,
      description:
        '结果状态: live (实时评价, computed from the data now), notice (公示中) or final (正式结果) — docs/decisions.md',
    }),
  }),
});

const LIVE_ARG =
  '实时评价: true answers the live evaluation of the data now loaded; false (default) answers the year’s final run, else its notice run, else live (docs/decisions.md)';

/** The evaluation a field answers from: of record (final, else notice, else live), or live. */
const evaluationFor = (ctx: Context, year: number, live: boolean | null | undefined) =>
  live
    ? ctx.loaders.evaluation.load(checkYear(year))
    : ctx.loaders.evaluationOfRecord.load(checkYear(year));

builder.drizzleObjectField(Enterprise, 'muEfficiency', (t) =>
  t.field({
    type: MuEfficiency,
    nullable: true,
    authScopes: profile,
    description:
      '亩产效益评价 of one year (docs/metrics.md) as the county publishes it: from the final run, else the notice run, else live (`status`, `runId`; docs/decisions.md); evaluated = false, with reasons, when outside the evaluated populations.',
    args: {
      year: t.arg.int({ required: true, description: '评价年度, e.g. 2024' }),
      live: t.arg.boolean({ defaultValue: false, description: LIVE_ARG }),
    },
    resolve: async (enterprise, args, ctx) =>
      muEfficiencyOf(await evaluationFor(ctx, args.year, args.live), enterprise.uscc),
  }),
);

builder.queryField('muEfficiencyRanking', (t) =>
  t.field({
    complexity: costing(COUNTY_WIDE),
    type: [MuEfficiency],
    nullable: true,
    authScopes: profile,
    description: `亩产效益排名: a population's evaluated enterprises of one year, best first (rank stays county-wide when filtered); at most ${MAX_RANKING}; empty for a year not evaluated. From the final run, else the notice run, else live, as each row's status says (docs/decisions.md).${REFUSED}`,
    args: {
      year: t.arg.int({ required: true, description: '评价年度' }),
      population: t.arg({
        type: PopulationEnum,
        defaultValue: 'ABOVE_SCALE',
        description: '评价对象: 规上 (default, also for null) or 规下',
      }),
      town: t.arg.string({ description: '所属乡镇: only enterprises of this town' }),
      industryDivision: t.arg.string({
        description: '行业大类, e.g. C36: only enterprises of this division',
      }),
      first: t.arg.int({
        description: `how many, best first (default and maximum ${MAX_RANKING})`,
      }),
      live: t.arg.boolean({ defaultValue: false, description: LIVE_ARG }),
    },
    resolve: async (_root, args, ctx, info) => {
      if (args.first != null && args.first < 0) throw new UserInputError('first 不能为负数');
      const ranking = rankingOf(await evaluationFor(ctx, args.year, args.live), {
        population: args.population ?? 'ABOVE_SCALE',
        town: args.town,
        industryDivision: args.industryDivision,
        first: Math.min(args.first ?? MAX_RANKING, MAX_RANKING),
      });
      // One statement for the rows' enterprises and everything selected beneath them, planned by
      // Pothos (so that their fields need no second load of the same rows).
      const query = queryFromInfo({
        config: getSchemaConfig(builder),
        context: ctx,
        info,
        paths: [['enterprise']],
        where: { uscc: { in: ranking.map((r) => r.uscc) } },
      });
      // without `enterprise` in the document there is no plan, only the `where` given back
      const planned = ['columns', 'with', 'extras'].some((part) => part in query);
      if (ranking.length > 0 && planned) {
        const rows = (await ctx.database.db.query.enterprises.findMany(query as never)) as {
          uscc: string;
        }[];
        rankedEnterprises.set(ctx, new Map(rows.map((row) => [row.uscc, row as EnterpriseRow])));
      }
      return ranking;
    },
  }),
);
