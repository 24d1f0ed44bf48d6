import { DECIMALS } from '../lib/decimals.js';
import { checkYear } from '../lib/year.js';
import {
  type AggregateGroup,
  type CountyAggregates,
  countyAggregates,
  dataFreshness,
  type GradeCounts,
  type SourceFreshness,
  type TargetProgress,
  targetProgress,
} from '../resolvers/aggregates.js';
import { clusters } from '../resolvers/clusters.js';
import type { Context } from '../resolvers/context.js';
import { type Cell, suppressedNote, suppressSmallCells } from '../resolvers/small-cells.js';
import { builder } from './builder.js';
import { COUNTY_WIDE, costing } from './cost.js';
import { ClusterId } from './enterprise-filter.js';
import { PopulationEnum } from './mu-efficiency.js';

/** Dashboards: county aggregates only, no single enterprise's detail. */
const aggregates = { aggregates: true } as const;

const GroupKindEnum = builder.enumType('AggregateGroupKind', {
  description: '汇总维度: what a group of enterprises shares.',
  values: {
    COUNTY: { description: '全县: every registered enterprise' },
    TOWN: { description: '按乡镇 (所属乡镇)' },
    INDUSTRY_DIVISION: { description: '按行业大类 (e.g. C36)' },
    CLUSTER: { description: '按产业集群 (config/clusters.json)' },
  } as const,
});

const GradeDistribution = builder.objectRef<GradeCounts>('GradeDistribution').implement({
  description:
    '等级分布: how many enterprises of one population got each 亩产效益 grade in the year.',
  authScopes: aggregates,
  fields: (t) => ({
    population: t.expose('population', {
      type: PopulationEnum,
      authScopes: aggregates,
      description: '评价对象: 规上 or 规下',
    }),
    a: t.exposeInt('a', {
      authScopes: aggregates,
      description: 'A 优先发展类: number of enterprises',
    }),
    b: t.exposeInt('b', {
      authScopes: aggregates,
      description: 'B 支持发展类: number of enterprises',
    }),
    c: t.exposeInt('c', {
      authScopes: aggregates,
      description: 'C 提升发展类: number of enterprises',
    }),
    d: t.exposeInt('d', {
      authScopes: aggregates,
      description: 'D 限制发展类: number of enterprises',
    }),
    evaluated: t.exposeInt('evaluated', {
      authScopes: aggregates,
      description: '参评企业数: members of the population in the group',
    }),
  }),
});

const clusterName = (id: string | null) => clusters().find((c) => c.id === id)?.nameZh ?? null;

/** Said of every figure a small cell withholds (docs/security.md). */
const WITHHELD =
  ' Null, with `suppressed` true, when the group is a small cell withheld from the caller’s role (fewer firms than EDP_MIN_CELL_FIRMS; analyst and admin read every cell).';

/** A figure of a group, or null when the group is withheld from the caller. */
const unlessSuppressed =
  <T>(figure: (g: Cell<AggregateGroup>) => T) =>
  (g: Cell<AggregateGroup>) =>
    g.suppressed ? null : figure(g);

/** The groups of one table as the caller may read them (small cells marked). */
const cells = (groups: readonly AggregateGroup[], ctx: Context) =>
  suppressSmallCells(groups, (g) => g.cellFirms, ctx.minCellFirms, !ctx.viewer.can.smallCells);

/** The year's aggregates as one caller reads them: each table's small cells marked. */
type CountyView = Omit<
  CountyAggregates,
  'county' | 'byTown' | 'byIndustryDivision' | 'byCluster'
> & {
  county: Cell<AggregateGroup>;
  byTown: Cell<AggregateGroup>[];
  byIndustryDivision: Cell<AggregateGroup>[];
  byCluster: Cell<AggregateGroup>[];
};

const AggregateGroupRef = builder.objectRef<Cell<AggregateGroup>>('AggregateGroup').implement({
  description:
    '分组汇总: a group of enterprises’ totals for one year. Sums run over the members that have a value.',
  authScopes: aggregates,
  fields: (t) => ({
    kind: t.expose('kind', {
      type: GroupKindEnum,
      authScopes: aggregates,
      description: '汇总维度',
    }),
    key: t.exposeString('key', {
      nullable: true,
      authScopes: aggregates,
      description:
        '分组: the town, the industry division (e.g. C36) or the cluster id; null for the county, and for enterprises without one',
    }),
    label: t.string({
      nullable: true,
      authScopes: aggregates,
      description:
        '名称: the town, the division code, or the cluster’s Chinese name (e.g. 汽车零部件); 全县 for the county',
      resolve: (g) =>
        g.kind === 'COUNTY'
          ? '全县'
          : g.kind === 'CLUSTER'
            ? (clusterName(g.key) ?? '其他')
            : g.key,
    }),
    enterprises: t.exposeInt('enterprises', {
      authScopes: aggregates,
      description: '企业数: registered enterprises in the group',
    }),
    activeEnterprises: t.exposeInt('activeEnterprises', {
      authScopes: aggregates,
      description: '存续企业数: 登记状态 存续 or 在业',
    }),
    aboveScaleEnterprises: t.int({
      nullable: true,
      authScopes: aggregates,
      description: `规上企业数: 营业收入 of the year ≥ 20,000,000 元.${WITHHELD}`,
      resolve: unlessSuppressed((g) => g.aboveScaleEnterprises),
    }),
    taxPaidYuan: t.float({
      decimals: DECIMALS.yuan,
      nullable: true,
      authScopes: aggregates,
      description: `实缴税款合计 in 元.${WITHHELD}`,
      resolve: unlessSuppressed((g) => Number(g.taxPaidYuan)),
    }),
    revenueYuan: t.float({
      decimals: DECIMALS.yuan,
      nullable: true,
      authScopes: aggregates,
      description: `营业收入合计 in 元.${WITHHELD}`,
      resolve: unlessSuppressed((g) => Number(g.revenueYuan)),
    }),
    landAreaMu: t.float({
      decimals: DECIMALS.mu,
      nullable: true,
      authScopes: aggregates,
      description: `在用土地合计 in 亩 (on Dec 31 of the year).${WITHHELD}`,
      resolve: unlessSuppressed((g) => Number(g.landAreaMu)),
    }),
    electricityKwh: t.float({
      decimals: DECIMALS.kwh,
      nullable: true,
      authScopes: aggregates,
      description: `用电量合计 in kWh.${WITHHELD}`,
      resolve: unlessSuppressed((g) => Number(g.electricityKwh)),
    }),
    muAverageTaxYuan: t.float({
      decimals: DECIMALS.yuan,
      nullable: true,
      authScopes: aggregates,
      description: `加权亩均税收 in 元/亩: Σ 实缴税款 ÷ Σ 在用土地 over the members that have both (land > 0); null when none.${WITHHELD}`,
      resolve: unlessSuppressed((g) =>
        g.muAverageTaxYuan === null ? null : Number(g.muAverageTaxYuan),
      ),
    }),
    grades: t.field({
      type: [GradeDistribution],
      nullable: true,
      authScopes: aggregates,
      description: `等级分布 per population (规上, 规下).${WITHHELD}`,
      resolve: unlessSuppressed((g) => g.grades),
    }),
    suppressed: t.exposeBoolean('suppressed', {
      authScopes: aggregates,
      description:
        '小单元隐去: true when the group’s figures are summed over fewer firms than EDP_MIN_CELL_FIRMS (default 3), or withheld with such a group so that no total gives it away, and the caller’s role is below analyst; its figures are then null (docs/security.md)',
    }),
    note: t.string({
      nullable: true,
      authScopes: aggregates,
      description: '说明: why the figures are withheld (Chinese); null when they are shown',
      resolve: (g, _args, ctx) => (g.suppressed ? suppressedNote(ctx.minCellFirms) : null),
    }),
  }),
});

const ClusterTargetRef = builder.objectRef<Cell<TargetProgress>>('ClusterTarget').implement({
  description:
    '集群目标: a cluster’s revenue beside the policy’s target (汶政发〔2022〕9号, 2026 发展目标).',
  authScopes: aggregates,
  fields: (t) => ({
    cluster: t.field({
      type: ClusterId,
      authScopes: aggregates,
      description: '产业集群',
      resolve: (p) => p.cluster as never,
    }),
    nameZh: t.exposeString('nameZh', {
      authScopes: aggregates,
      description: '集群名称, e.g. 工程机械配件',
    }),
    chainZh: t.exposeString('chainZh', {
      authScopes: aggregates,
      description: '所属产业, e.g. 高端装备',
    }),
    targetYear: t.exposeInt('targetYear', {
      authScopes: aggregates,
      description: '目标年份, e.g. 2026',
    }),
    targetRevenueYuan: t.exposeFloat('targetRevenueYuan', {
      decimals: DECIMALS.yuan,
      authScopes: aggregates,
      description: '目标营业收入 in 元 (百亿级 = 10,000,000,000)',
    }),
    targetLabel: t.exposeString('labelZh', {
      authScopes: aggregates,
      description: '目标表述 as the policy words it',
    }),
    source: t.exposeString('source', {
      authScopes: aggregates,
      description: '依据: the policy clause',
    }),
    revenueYuan: t.float({
      decimals: DECIMALS.yuan,
      nullable: true,
      authScopes: aggregates,
      description: `集群营业收入 in 元 for the year asked; null when the cluster is a small cell withheld from the caller (AggregateGroup.suppressed)`,
      resolve: (p) => (p.suppressed ? null : Number(p.revenueYuan)),
    }),
    shareReached: t.float({
      decimals: DECIMALS.fraction,
      nullable: true,
      authScopes: aggregates,
      description: '完成度: revenue ÷ target (1 = reached); null when the revenue is withheld',
      resolve: (p) => (p.suppressed ? null : p.shareReached),
    }),
    suppressed: t.exposeBoolean('suppressed', {
      authScopes: aggregates,
      description:
        '小单元隐去: the cluster’s revenue is withheld from the caller (AggregateGroup.suppressed)',
    }),
  }),
});

const CountyAggregatesRef = builder.objectRef<CountyView>('CountyAggregates').implement({
  description:
    '全县汇总: the county’s enterprises for one year, in total and by town, industry division and cluster.',
  authScopes: aggregates,
  fields: (t) => ({
    year: t.exposeInt('year', { authScopes: aggregates, description: '年度' }),
    gradesStatus: t.string({
      authScopes: aggregates,
      description:
        '等级来源: final (正式评价结果), notice (公示中的评价结果) or live (实时评价, nothing published) — the grade counts come from the year’s run of record when there is one (docs/decisions.md)',
      resolve: (a) => a.grades.status,
    }),
    gradesRunId: t.id({
      nullable: true,
      authScopes: aggregates,
      description: '等级来源的评价结果编号; null when the grades are live',
      resolve: (a) => a.grades.runId,
    }),
    county: t.field({
      type: AggregateGroupRef,
      authScopes: aggregates,
      description: '全县合计',
      resolve: (a) => a.county,
    }),
    byTown: t.field({
      type: [AggregateGroupRef],
      authScopes: aggregates,
      description: '按乡镇, by town name; enterprises without a town last',
      resolve: (a) => a.byTown,
    }),
    byIndustryDivision: t.field({
      type: [AggregateGroupRef],
      authScopes: aggregates,
      description: '按行业大类, by division code; enterprises without an industry code last',
      resolve: (a) => a.byIndustryDivision,
    }),
    byCluster: t.field({
      type: [AggregateGroupRef],
      authScopes: aggregates,
      description:
        '按产业集群, in the order of config/clusters.json (every cluster, zeros when empty); enterprises in no cluster last',
      resolve: (a) => a.byCluster,
    }),
    clusterTargets: t.field({
      type: [ClusterTargetRef],
      authScopes: aggregates,
      description:
        '集群目标完成度: the policy’s cluster revenue targets beside the clusters’ revenue of this year',
      resolve: (a) =>
        targetProgress(a).map((p) => ({
          ...p,
          suppressed: a.byCluster.some((g) => g.key === p.cluster && g.suppressed),
        })),
    }),
  }),
});

const SourceFreshnessRef = builder.objectRef<SourceFreshness>('SourceFreshness').implement({
  description: '数据新鲜度: one source’s latest committed batch and what it holds now.',
  authScopes: aggregates,
  fields: (t) => ({
    source: t.exposeString('source', {
      authScopes: aggregates,
      description: '数据源, e.g. tax-payments (docs/interface.md)',
    }),
    latestBatchAt: t.string({
      nullable: true,
      authScopes: aggregates,
      description:
        '最近入库时间: when the latest committed batch finished, ISO 8601; null when none',
      resolve: (s) => (s.latestBatchAt === null ? null : new Date(s.latestBatchAt).toISOString()),
    }),
    latestBatchId: t.id({
      nullable: true,
      authScopes: aggregates,
      description: '最近批次: the id of the latest committed batch',
      resolve: (s) => s.latestBatchId,
    }),
    committedBatches: t.exposeInt('committedBatches', {
      authScopes: aggregates,
      description: '已入库批次数',
    }),
    rows: t.exposeInt('rows', {
      authScopes: aggregates,
      description: '记录数: rows the source holds now',
    }),
    latestBatchQuarantined: t.exposeInt('latestBatchQuarantined', {
      authScopes: aggregates,
      description: '最近批次隔离行数: rows of the latest batch that were quarantined',
    }),
    quarantined: t.exposeInt('quarantined', {
      authScopes: aggregates,
      description:
        '隔离行数: the source’s current quarantined rows, each problem row once (a reload of the same file or a corrected file supersedes the earlier copies; IngestBatch.rowsQuarantined still counts what each batch quarantined)',
    }),
    unmatched: t.exposeInt('unmatched', {
      authScopes: aggregates,
      description:
        '未匹配记录数: records not linked to exactly one enterprise (a lease counts when either party is unlinked)',
    }),
  }),
});

builder.queryFields((t) => ({
  countyAggregates: t.field({
    complexity: costing(COUNTY_WIDE),
    type: CountyAggregatesRef,
    authScopes: aggregates,
    description:
      '全县汇总: enterprise counts, tax (元), revenue (元), land (亩), electricity (kWh), weighted 亩均税收 and grade distribution for one year.',
    args: { year: t.arg.int({ required: true, description: '年度' }) },
    resolve: async (_root, args, ctx): Promise<CountyView> => {
      const a = await countyAggregates(ctx.database, checkYear(args.year), (y) =>
        ctx.loaders.yearFigures.load(y),
      );
      return {
        ...a,
        county: cells([a.county], ctx)[0],
        byTown: cells(a.byTown, ctx),
        byIndustryDivision: cells(a.byIndustryDivision, ctx),
        byCluster: cells(a.byCluster, ctx),
      };
    },
  }),
  dataFreshness: t.field({
    complexity: costing(COUNTY_WIDE),
    type: [SourceFreshnessRef],
    authScopes: aggregates,
    description:
      '数据新鲜度: each of the nine sources with its latest committed batch, rows, quarantined and unmatched counts.',
    resolve: (_root, _args, ctx) => dataFreshness(ctx.database),
  }),
}));
