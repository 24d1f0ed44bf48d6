import { checkYear } from '../lib/year.js';
import type { EnterpriseMetrics } from '../resolvers/metrics.js';
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
      landAreaMu: t.exposeFloat('landAreaMu', {
        nullable: true,
        authScopes: profile,
        description:
          '用地面积 in 亩: land in use on Dec 31 (parcels held − leased out + leased in); 1 亩 = 10000/15 m²',
      }),
      landAreaM2: t.exposeFloat('landAreaM2', {
        nullable: true,
        authScopes: profile,
        description: '用地面积 in m² (平方米): land in use on Dec 31',
      }),
      taxPaidYuan: t.exposeFloat('taxPaidYuan', {
        nullable: true,
        authScopes: profile,
        description: '实缴税款 in 元: every tax type over the months of the year, refunds negative',
      }),
      revenueYuan: t.exposeFloat('revenueYuan', {
        nullable: true,
        authScopes: profile,
        description: '营业收入 in 元, from the annual return',
      }),
      electricityKwh: t.exposeFloat('electricityKwh', {
        nullable: true,
        authScopes: profile,
        description: '用电量 in kWh: every linked account, every month of the year',
      }),
      energyTce: t.exposeFloat('energyTce', {
        nullable: true,
        authScopes: profile,
        description:
          '综合能耗 in tce (吨标准煤): electricity × the year’s factor (1.229 tce per 10⁴ kWh, 当量值)',
      }),
      muAverageTaxYuan: t.exposeFloat('muAverageTaxYuan', {
        nullable: true,
        authScopes: profile,
        description: '亩均税收 in 元/亩: tax paid ÷ land in use',
      }),
      muAverageRevenueYuan: t.exposeFloat('muAverageRevenueYuan', {
        nullable: true,
        authScopes: profile,
        description: '亩均营业收入 in 元/亩: revenue ÷ land in use',
      }),
      revenuePerTceYuan: t.exposeFloat('revenuePerTceYuan', {
        nullable: true,
        authScopes: profile,
        description: '单位能耗营业收入 in 元/tce: revenue ÷ energy',
      }),
      rdExpenseYuan: t.exposeFloat('rdExpenseYuan', {
        nullable: true,
        authScopes: profile,
        description: '研发费用 in 元, from the annual return',
      }),
      rdIntensity: t.exposeFloat('rdIntensity', {
        nullable: true,
        authScopes: profile,
        description: '研发投入强度: 研发费用 ÷ 营业收入, a fraction (0.03 = 3%)',
      }),
      employees: t.exposeInt('employees', {
        nullable: true,
        authScopes: profile,
        description: '年平均从业人数: average employees (persons), from the annual return',
      }),
      labourProductivityYuan: t.exposeFloat('labourProductivityYuan', {
        nullable: true,
        authScopes: profile,
        description: '全员劳动生产率 in 元/人: revenue ÷ 年平均从业人数',
      }),
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
