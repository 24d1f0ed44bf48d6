import { DECIMALS } from '../lib/decimals.js';

/**
 * The table of an enterprise's yearly figures (docs/metrics.md): one entry per metric, from which
 * metricsSql's select list, the row and API types, the conversion to numbers, the reasons for a
 * null and the GraphQL fields are all derived. Adding a metric is one entry here (plus, for a
 * base figure, its column in metricsSql's `base`).
 */

/** Where a base figure comes from, and what its absence is called in a reason. */
interface Origin {
  /** true when the enterprise has a record of this kind for the year */
  present(row: MetricsFacts): boolean;
  /** why there is no figure when there is no record, e.g. `2024 年无实缴税款记录` */
  absent(year: number): string;
  /** why there is no figure when the record is there but this value is blank */
  blank?(year: number, nameZh: string): string;
}

/** The facts metricsSql returns beside the figures, for the reasons. */
export type MetricsFacts = {
  has_land_record: boolean;
  tax_payment_count: number;
  has_annual_return: boolean;
  power_reading_count: number;
};

/** The facts, with their SQL types: booleans and whole numbers. */
export const FACTS = [
  { column: 'has_land_record', type: 'boolean' },
  { column: 'tax_payment_count', type: 'integer' },
  { column: 'has_annual_return', type: 'boolean' },
  { column: 'power_reading_count', type: 'integer' },
] as const satisfies readonly { column: keyof MetricsFacts; type: 'boolean' | 'integer' }[];

const ORIGINS = {
  land: {
    present: (row) => row.has_land_record,
    absent: (y) => `${y}-12-31 无在用的土地（无宗地，也无租赁）`,
  },
  taxPayments: {
    present: (row) => row.tax_payment_count > 0,
    absent: (y) => `${y} 年无实缴税款记录`,
  },
  power: {
    present: (row) => row.power_reading_count > 0,
    absent: (y) => `${y} 年无用电记录`,
  },
  annualReturn: {
    present: (row) => row.has_annual_return,
    absent: (y) => `无 ${y} 年度企业所得税年度申报`,
    blank: (y, nameZh) => `${y} 年度申报未填${nameZh}`,
  },
} satisfies Record<string, Origin>;

/** One metric of the table. */
export interface MetricDefinition {
  /** metricsSql's column, e.g. mu_average_tax_yuan */
  column: string;
  /** the GraphQL field and EnterpriseMetrics key, e.g. muAverageTaxYuan */
  name: string;
  /** the Chinese term a clerk reads, e.g. 亩均税收 */
  nameZh: string;
  /** e.g. 元/亩; empty for a fraction */
  unit: string;
  /** a whole number (persons); every other figure is a decimal */
  integer?: boolean;
  /** the decimals the API gives it (lib/decimals.ts); 0 for a whole number */
  decimals: number;
  /** a base figure: the record it comes from */
  origin?: keyof typeof ORIGINS;
  /** computed from these columns (a null input makes it null, and the input's reason counts) */
  inputs?: readonly string[];
  /** a ratio: numerator ÷ denominator, null unless the denominator is positive */
  ratio?: { numerator: string; denominator: string };
  /** why a ratio with this figure as its denominator is null although the figure is there */
  notPositive?(value: number, year: number): string;
  /** the GraphQL field's description */
  description: string;
}

/** Every metric, in the order of the API's fields and metricsSql's columns. */
export const METRICS = [
  {
    column: 'land_area_mu',
    name: 'landAreaMu',
    nameZh: '用地面积',
    unit: '亩',
    decimals: DECIMALS.mu,
    origin: 'land',
    notPositive: (land) =>
      land === 0 ? '用地面积为 0' : `用地面积为负（${land} 亩：出租多于自有）`,
    description:
      '用地面积 in 亩: land in use on Dec 31 (parcels held − leased out + leased in); 1 亩 = 10000/15 m²',
  },
  {
    column: 'land_area_m2',
    name: 'landAreaM2',
    nameZh: '用地面积',
    unit: 'm²',
    decimals: DECIMALS.m2,
    origin: 'land',
    description: '用地面积 in m² (平方米): land in use on Dec 31',
  },
  {
    column: 'tax_paid_yuan',
    name: 'taxPaidYuan',
    nameZh: '实缴税款',
    unit: '元',
    decimals: DECIMALS.yuan,
    origin: 'taxPayments',
    description: '实缴税款 in 元: every tax type over the months of the year, refunds negative',
  },
  {
    column: 'revenue_yuan',
    name: 'revenueYuan',
    nameZh: '营业收入',
    unit: '元',
    decimals: DECIMALS.yuan,
    origin: 'annualReturn',
    notPositive: (_revenue, year) => `${year} 年营业收入不为正`,
    description: '营业收入 in 元, from the annual return',
  },
  {
    column: 'electricity_kwh',
    name: 'electricityKwh',
    nameZh: '用电量',
    unit: 'kWh',
    decimals: DECIMALS.kwh,
    origin: 'power',
    description: '用电量 in kWh: every linked account, every month of the year',
  },
  {
    column: 'energy_tce',
    name: 'energyTce',
    nameZh: '综合能耗',
    unit: 'tce',
    decimals: DECIMALS.tce,
    origin: 'power',
    inputs: ['electricity_kwh'],
    notPositive: (_tce, year) => `${year} 年用电量为 0`,
    description:
      '综合能耗 in tce (吨标准煤): electricity × the year’s factor (1.229 tce per 10⁴ kWh, 当量值)',
  },
  {
    column: 'mu_average_tax_yuan',
    name: 'muAverageTaxYuan',
    nameZh: '亩均税收',
    unit: '元/亩',
    decimals: DECIMALS.yuan,
    ratio: { numerator: 'tax_paid_yuan', denominator: 'land_area_mu' },
    description: '亩均税收 in 元/亩: tax paid ÷ land in use',
  },
  {
    column: 'mu_average_revenue_yuan',
    name: 'muAverageRevenueYuan',
    nameZh: '亩均营业收入',
    unit: '元/亩',
    decimals: DECIMALS.yuan,
    ratio: { numerator: 'revenue_yuan', denominator: 'land_area_mu' },
    description: '亩均营业收入 in 元/亩: revenue ÷ land in use',
  },
  {
    column: 'revenue_per_tce_yuan',
    name: 'revenuePerTceYuan',
    nameZh: '单位能耗营业收入',
    unit: '元/tce',
    decimals: DECIMALS.yuan,
    ratio: { numerator: 'revenue_yuan', denominator: 'energy_tce' },
    description: '单位能耗营业收入 in 元/tce: revenue ÷ energy',
  },
  {
    column: 'rd_expense_yuan',
    name: 'rdExpenseYuan',
    nameZh: '研发费用',
    unit: '元',
    decimals: DECIMALS.yuan,
    origin: 'annualReturn',
    description: '研发费用 in 元, from the annual return',
  },
  {
    column: 'rd_intensity',
    name: 'rdIntensity',
    nameZh: '研发投入强度',
    unit: '',
    decimals: DECIMALS.fraction,
    ratio: { numerator: 'rd_expense_yuan', denominator: 'revenue_yuan' },
    description: '研发投入强度: 研发费用 ÷ 营业收入, a fraction (0.03 = 3%)',
  },
  {
    column: 'employees',
    name: 'employees',
    nameZh: '年平均从业人数',
    unit: '人',
    integer: true,
    decimals: 0,
    origin: 'annualReturn',
    notPositive: (employees, year) =>
      `${year} 年年平均从业人数${employees === 0 ? '为 0' : '为负'}`,
    description: '年平均从业人数: average employees (persons), from the annual return',
  },
  {
    column: 'labour_productivity_yuan',
    name: 'labourProductivityYuan',
    nameZh: '全员劳动生产率',
    unit: '元/人',
    decimals: DECIMALS.yuan,
    ratio: { numerator: 'revenue_yuan', denominator: 'employees' },
    description: '全员劳动生产率 in 元/人: revenue ÷ 年平均从业人数',
  },
] as const satisfies readonly MetricDefinition[];

type Metric = (typeof METRICS)[number];
/** A column of metricsSql that holds a metric. */
export type MetricColumn = Metric['column'];
/** A metric's name in the API (EnterpriseMetrics, GraphQL). */
export type MetricName = Metric['name'];
/** The ratio metrics by column: numerator ÷ denominator. */
export type RatioMetric = Extract<Metric, { ratio: object }>['column'];

/** A row of `metricsSql` as the drivers return it: numeric as strings, whole numbers as numbers. */
export type MetricsRow = { uscc: string; year: number } & {
  [M in Metric as M['column']]: M extends { integer: true } ? number | null : string | null;
} & MetricsFacts;

/** An enterprise's figures for one year; null means an input is missing (never 0), and `missing` says why. */
export type EnterpriseMetrics = { uscc: string; year: number } & {
  [M in Metric as M['name']]: number | null;
} & {
  /** why each null metric is null, one sentence per missing input */
  missing: string[];
};

const BY_COLUMN = new Map<string, MetricDefinition>(METRICS.map((m) => [m.column, m]));

/**
 * The ratio metrics an evaluation indicator may use, with the columns its benchmark sums:
 * benchmark = Σ numerator ÷ Σ denominator over the population's members that have a value.
 */
export const RATIO_METRICS = Object.fromEntries(
  METRICS.flatMap((m) => ('ratio' in m ? [[m.column, m.ratio]] : [])),
) as Record<RatioMetric, { numerator: MetricColumn; denominator: MetricColumn }>;

/** The columns a metric is computed from: its inputs, or a ratio's two terms. */
const inputsOf = (m: MetricDefinition): readonly string[] =>
  m.ratio ? [m.ratio.numerator, m.ratio.denominator] : (m.inputs ?? []);

const num = (value: string | number | null): number | null =>
  value === null ? null : Number(value);

/** Why a base figure is null: no record of its kind, or the record leaves it blank. */
function ownReason(row: MetricsRow, m: MetricDefinition): string | null {
  if (!m.origin) return null;
  const origin: Origin = ORIGINS[m.origin];
  if (!origin.present(row)) return origin.absent(row.year);
  const value = row[m.column as MetricColumn];
  return value === null && origin.blank ? origin.blank(row.year, m.nameZh) : null;
}

/** Why a ratio is null although both terms are there: its denominator is not positive. */
function divisorReason(row: MetricsRow, m: MetricDefinition): string | null {
  if (!m.ratio) return null;
  const divisor = BY_COLUMN.get(m.ratio.denominator)!;
  const value = num(row[divisor.column as MetricColumn]);
  return value === null || value > 0 ? null : (divisor.notPositive?.(value, row.year) ?? null);
}

/** Why `column` is null in `row` (empty when it has a value): one sentence per missing input. */
export function whyNull(row: MetricsRow, column: MetricColumn): string[] {
  if (row[column] !== null) return [];
  const reasons = new Set<string>();
  const visit = (m: MetricDefinition) => {
    const own = ownReason(row, m);
    if (own) reasons.add(own);
    for (const input of inputsOf(m))
      if (row[input as MetricColumn] === null) visit(BY_COLUMN.get(input)!);
    const divisor = divisorReason(row, m);
    if (divisor) reasons.add(divisor);
  };
  visit(BY_COLUMN.get(column)!);
  return [...reasons];
}

/** Base figures first, then ratios: the order `missing` lists reasons in. */
const REASON_ORDER = [
  ...METRICS.filter((m) => !('ratio' in m)),
  ...METRICS.filter((m) => 'ratio' in m),
];

/** Converts a `metricsSql` row to numbers, at the edge, with the reasons for every null. */
export function toEnterpriseMetrics(row: MetricsRow): EnterpriseMetrics {
  const metrics = { uscc: row.uscc, year: Number(row.year) } as Record<string, unknown>;
  for (const m of METRICS) metrics[m.name] = num(row[m.column]);
  metrics.missing = [...new Set(REASON_ORDER.flatMap((m) => whyNull(row, m.column)))];
  return metrics as EnterpriseMetrics;
}
