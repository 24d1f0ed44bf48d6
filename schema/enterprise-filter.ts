import { getSchemaConfig, queryFromInfo } from '@pothos/plugin-drizzle';
import type { enterprises } from '../db/market.js';
import { UserInputError } from '../lib/errors.js';
import { clusters } from '../resolvers/clusters.js';
import {
  countEnterprises,
  type EnterpriseFilterInput,
  type EnterpriseOrderInput,
  MAX_PAGE,
  ORDER_FIELDS,
  type PageEdge,
  searchEnterprises,
  searchEnterprisesPlanned,
} from '../resolvers/enterprise-search.js';
import { readPlannedEnterprises } from '../resolvers/planned-read.js';
import { builder, REFUSED } from './builder.js';
import { COUNTY_SEARCH, costing } from './cost.js';
import { Enterprise, isEmpty } from './enterprise.js';

const profile = { profile: true } as const;

type EnterpriseRow = typeof enterprises.$inferSelect;

/** An edge of the connection: its node, and the page edge's cursor, encoded only when read. */
class NodeEdge {
  constructor(
    private readonly edge: PageEdge,
    readonly node: EnterpriseRow,
  ) {}

  get cursor(): string {
    return this.edge.cursor;
  }
}

const ORDER_DESCRIPTIONS: Record<(typeof ORDER_FIELDS)[number], string> = {
  NAME: '企业名称 (code-point order)',
  USCC: '统一社会信用代码',
  LAND_AREA_MU: '在用土地 on Dec 31 of the year, 亩',
  TAX_PAID_YUAN: '实缴税款 of the year, 元',
  REVENUE_YUAN: '营业收入 of the year, 元',
  ELECTRICITY_KWH: '用电量 of the year, kWh',
  ENERGY_TCE: '综合能耗 of the year, tce (吨标准煤)',
  MU_AVERAGE_TAX_YUAN: '亩均税收, 元/亩',
  MU_AVERAGE_REVENUE_YUAN: '亩均营业收入, 元/亩',
  REVENUE_PER_TCE_YUAN: '单位能耗营业收入, 元/tce',
  RD_INTENSITY: '研发投入强度, a fraction',
  EMPLOYEES: '年平均从业人数, persons',
  LABOUR_PRODUCTIVITY_YUAN: '全员劳动生产率, 元/人',
  SCORE: '亩产效益 score of the year (points)',
};

export const EnterpriseOrderField = builder.enumType('EnterpriseOrderField', {
  description:
    '排序字段: what to order enterprises by; every metric refers to a year and sorts nulls last.',
  values: Object.fromEntries(
    ORDER_FIELDS.map((f) => [f, { value: f, description: ORDER_DESCRIPTIONS[f] }]),
  ) as Record<
    (typeof ORDER_FIELDS)[number],
    { value: (typeof ORDER_FIELDS)[number]; description: string }
  >,
});

export const OrderDirection = builder.enumType('OrderDirection', {
  description: '排序方向',
  values: {
    ASC: { description: '升序: smallest first' },
    DESC: { description: '降序: largest first' },
  } as const,
});

export const Scale = builder.enumType('Scale', {
  description:
    '规模: 规上 / 规下 by 营业收入 of a year (≥ 20,000,000 元 is above scale; a missing revenue is below).',
  values: {
    ABOVE_SCALE: { description: '规上: 营业收入 ≥ 20,000,000 元' },
    BELOW_SCALE: { description: '规下: below, or no revenue on record' },
  } as const,
});

export const ClusterId = builder.enumType('Cluster', {
  description:
    '产业集群: the county’s clusters (config/clusters.json), each a set of 行业代码 prefixes; the longest prefix decides.',
  values: Object.fromEntries(
    clusters().map((c) => [
      c.id,
      { value: c.id, description: `${c.nameZh} (${c.chainZh}): ${c.codePrefixes.join(', ')}` },
    ]),
  ),
});

const FloatRange = builder.inputType('FloatRange', {
  description: '区间: a closed range; leave an end out for no bound.',
  fields: (t) => ({
    min: t.float({ description: '下限 (inclusive)' }),
    max: t.float({ description: '上限 (inclusive)' }),
  }),
});

export const EnterpriseFilter = builder.inputType('EnterpriseFilter', {
  description:
    '企业检索条件: every criterion given must hold. Criteria on figures refer to `year`.',
  fields: (t) => ({
    town: t.string({ description: '所属乡镇, exactly, e.g. 中都街道' }),
    industrySection: t.string({ description: '行业门类: section letter, e.g. C' }),
    industryDivision: t.string({ description: '行业大类, e.g. C36' }),
    cluster: t.field({ type: ClusterId, description: '产业集群' }),
    status: t.string({ description: '登记状态, exactly, e.g. 存续' }),
    active: t.boolean({ description: 'true: 存续 or 在业; false: every other status' }),
    name: t.string({
      description:
        '名称: a part of the current or a former name (曾用名); widths, brackets and spaces do not matter',
    }),
    year: t.int({ description: '年度 the figures below (and a metric ordering) refer to' }),
    scale: t.field({ type: Scale, description: '规上 / 规下 in `year`' }),
    grade: t.string({ description: '亩产效益 grade (A, B, C or D) in `year`' }),
    revenueYuan: t.field({ type: FloatRange, description: '营业收入 of `year` in 元' }),
    muAverageTaxYuan: t.field({ type: FloatRange, description: '亩均税收 of `year` in 元/亩' }),
  }),
});

export const EnterpriseOrder = builder.inputType('EnterpriseOrder', {
  description:
    '企业排序: a field, a direction (metrics default to DESC, best first; NAME and USCC to ASC) and the year of a metric. Ties go by 统一社会信用代码.',
  fields: (t) => ({
    field: t.field({ type: EnterpriseOrderField, required: true, description: '排序字段' }),
    direction: t.field({ type: OrderDirection, description: '排序方向' }),
    year: t.int({ description: '年度 of a metric ordering (or the filter’s year)' }),
  }),
});

builder.queryFields((t) => ({
  enterprises: t.connection(
    {
      complexity: costing(COUNTY_SEARCH),
      type: Enterprise,
      nullable: true,
      authScopes: profile,
      description: `企业检索: registered enterprises matching \`filter\`, in \`orderBy\` (default: 统一社会信用代码). Pages forward with first (at most ${MAX_PAGE}) and after.${REFUSED}`,
      args: {
        filter: t.arg({ type: EnterpriseFilter, description: '检索条件' }),
        orderBy: t.arg({ type: EnterpriseOrder, description: '排序' }),
      },
      resolve: async (_root, args, ctx, info) => {
        if (args.last != null || args.before != null)
          throw new UserInputError('enterprises 只能向后翻页：请用 first 和 after');
        const filter = (args.filter ?? {}) as EnterpriseFilterInput;
        const order = (args.orderBy ?? null) as EnterpriseOrderInput | null;
        // What the nodes need, planned by Pothos (registered for the nodes' fields to find).
        const query = queryFromInfo({
          config: getSchemaConfig(builder),
          context: ctx,
          info,
          paths: [['edges', 'node'], ['nodes']],
        }) as { with?: object; extras?: object };
        // Nothing beneath the nodes but the register's columns and per-request loaders (metrics,
        // grade): the page's own statement reads the rows.
        const plain = isEmpty(query.with) && isEmpty(query.extras);
        // With something planned beneath them, a page filtered on the register reads its nodes
        // and all beneath them in one statement; the other pages read their keys, then the nodes.
        const one = plain
          ? undefined
          : await searchEnterprisesPlanned(ctx.database, filter, order, args, query);
        const page =
          one ??
          (await searchEnterprises(
            ctx.database,
            filter,
            order,
            { first: args.first, after: args.after },
            (y) => ctx.loaders.yearFigures.load(y),
            { rows: plain },
          ));
        const usccs = page.edges.map((edge) => edge.uscc);
        const rows =
          page.rows ??
          (usccs.length ? await readPlannedEnterprises(ctx.database, query, usccs) : []);
        const byUscc = new Map((rows as EnterpriseRow[]).map((r) => [r.uscc, r]));
        const connection = {
          filter,
          order,
          edges: page.edges.map((edge) => new NodeEdge(edge, byUscc.get(edge.uscc)!)),
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: page.hasPreviousPage,
            startCursor: page.edges[0]?.cursor ?? null,
            endCursor: page.edges[page.edges.length - 1]?.cursor ?? null,
          },
        };
        return connection;
      },
    },
    {
      name: 'EnterpriseConnection',
      description: '企业检索结果: a page of enterprises',
      fields: (c) => ({
        totalCount: c.int({
          description: '总数: enterprises matching the filter across all pages',
          authScopes: profile,
          resolve: (connection, _args, ctx) => {
            const { filter, order } = connection;
            return countEnterprises(ctx.database, filter, order, (y) =>
              ctx.loaders.yearFigures.load(y),
            );
          },
        }),
      }),
    },
    { name: 'EnterpriseEdge', description: '企业检索结果中的一项: an enterprise and its cursor' },
  ),
}));
