import { checkYear } from '../lib/year.js';
import { type EnterpriseMetrics, METRICS } from '../resolvers/metric-table.js';
import { builder } from './builder.js';
import { Enterprise } from './enterprise.js';

const profile = { profile: true } as const;

export const EnterpriseMetricsRef = builder
  .objectRef<EnterpriseMetrics>('EnterpriseMetrics')
  .implement({
    description:
      '企业效益指标: an enterprise’s derived figures for one year (docs/metrics.md), from records linked to it. A figure whose inputs are missing is null, never 0, and `missing` says why.',
    authScopes: profile,
    fields: (t) => ({
      year: t.exposeInt('year', {
        description: '年度: the year the figures are for',
        authScopes: profile,
      }),
      ...Object.fromEntries(
        METRICS.map((m) => {
          const options = {
            nullable: true as const,
            authScopes: profile,
            description: m.description,
          };
          const field =
            'integer' in m && m.integer
              ? t.exposeInt(m.name, options)
              : t.exposeFloat(m.name, { ...options, decimals: m.decimals });
          return [m.name, field];
        }),
      ),
      missing: t.exposeStringList('missing', {
        authScopes: profile,
        description: '缺失说明: why each null figure is null, one sentence per missing input',
      }),
    }),
  });

builder.drizzleObjectField(Enterprise, 'metrics', (t) =>
  t.field({
    type: EnterpriseMetricsRef,
    description:
      '效益指标: derived figures of one year (亩均税收, 亩均营业收入, 单位能耗营业收入 …), in 元, 亩, kWh.',
    authScopes: profile,
    args: { year: t.arg.int({ required: true, description: '年度, e.g. 2024' }) },
    resolve: (enterprise, args, ctx) =>
      ctx.loaders.metrics.load(`${enterprise.uscc}:${checkYear(args.year)}`),
  }),
);
