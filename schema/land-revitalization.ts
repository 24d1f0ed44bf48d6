import { DECIMALS } from '../lib/decimals.js';
import { UserInputError } from '../lib/errors.js';
import { checkYear } from '../lib/year.js';
import {
  landRevitalizationByTown,
  landRevitalizationCases,
  MAX_PAGE,
} from '../resolvers/land-revitalization/cases.js';
import {
  CATEGORY_NAMES,
  type LandRevitalizationCase,
  REVITALIZATION_CATEGORIES,
  type RevitalizationCategory,
  type TownRevitalization,
} from '../resolvers/land-revitalization/types.js';
import { suppressedNote, suppressSmallCells } from '../resolvers/small-cells.js';
import { builder } from './builder.js';
import { COUNTY_WIDE, costing } from './cost.js';
import { Enterprise } from './enterprise.js';
import { LandLease, LandParcel } from './land.js';

/** The cases are 自然资源和规划局 detail (admin and analyst read every department's). */
const naturalResources = { department: 'natural-resources' } as const;
const aggregates = { aggregates: true } as const;

const CATEGORY_RULES: Record<RevitalizationCategory, string> = {
  DEREGISTERED_HOLDER: '登记状态 neither 存续 nor 在业 (注销, 吊销, 迁出) while holding land',
  SUSPECTED_IDLE:
    'active, established on or before Jan 1, with no or 0 kWh and no or ≤ 0 元 tax paid in the year',
  LOW_EFFICIENCY: '亩产效益 grade D in the year, or C in both the year before and the year',
};

export const RevitalizationCategoryEnum = builder.enumType('RevitalizationCategory', {
  description: '盘活类别: why land is on the revitalization list (存量工业用地盘活, clause 17).',
  values: Object.fromEntries(
    REVITALIZATION_CATEGORIES.map((k) => [
      k,
      { value: k, description: `${CATEGORY_NAMES[k]}: ${CATEGORY_RULES[k]}` },
    ]),
  ) as Record<RevitalizationCategory, { value: RevitalizationCategory; description: string }>,
});

/** The land in force on Dec 31 of the case's year (one loader statement pair per page). */
const landOf = (c: LandRevitalizationCase, loaders: { landInUse: { load(k: string): any } }) =>
  loaders.landInUse.load(`${c.uscc}|${c.year}-12-31`);

const LandRevitalizationCaseRef = builder
  .objectRef<LandRevitalizationCase>('LandRevitalizationCase')
  .implement({
    description:
      '盘活对象: an enterprise holding land in use on Dec 31 of the year with at least one revitalization category, each with its reason.',
    authScopes: naturalResources,
    fields: (t) => ({
      enterprise: t.field({
        type: Enterprise,
        description: '企业',
        resolve: async (c, _args, ctx) => {
          const enterprise = await ctx.loaders.enterprise.load(c.uscc);
          if (!enterprise) throw new Error(`enterprise ${c.uscc} is not registered`);
          return enterprise;
        },
      }),
      year: t.exposeInt('year', { description: '年度: land in use on Dec 31 of this year' }),
      categories: t.field({
        type: [RevitalizationCategoryEnum],
        description: '盘活类别: every category that applies',
        resolve: (c) => c.categories,
      }),
      town: t.exposeString('town', {
        description: `所属乡镇 of the register (${'“未登记乡镇”'} when it names none)`,
      }),
      status: t.exposeString('status', { description: '登记状态 as currently registered' }),
      landAreaMu: t.exposeFloat('landAreaMu', {
        decimals: DECIMALS.landMu,
        description: '在用土地面积 on Dec 31 (亩): parcels held − leased out + leased in',
      }),
      landAreaM2: t.exposeFloat('landAreaM2', {
        decimals: DECIMALS.m2,
        description: '在用土地面积 on Dec 31 (m², 平方米)',
      }),
      taxPaidYuan: t.exposeFloat('taxPaidYuan', {
        decimals: DECIMALS.yuan,
        nullable: true,
        description: '实缴税款 of the year (元); null without a payment',
      }),
      electricityKwh: t.exposeFloat('electricityKwh', {
        decimals: DECIMALS.kwh,
        nullable: true,
        description: '用电量 of the year (千瓦时, kWh); null without a reading',
      }),
      parcels: t.field({
        type: [LandParcel],
        description: '在用宗地: parcels held on Dec 31 (不动产单元号, 宗地面积, 登记日期)',
        resolve: async (c, _args, ctx) => (await landOf(c, ctx.loaders)).parcels,
      }),
      leasesIn: t.field({
        type: [LandLease],
        description: '承租: leases in force on Dec 31 where the enterprise is the lessee',
        resolve: async (c, _args, ctx) => (await landOf(c, ctx.loaders)).leasesIn,
      }),
      leasesOut: t.field({
        type: [LandLease],
        description: '出租: leases in force on Dec 31 where the enterprise is the lessor',
        resolve: async (c, _args, ctx) => (await landOf(c, ctx.loaders)).leasesOut,
      }),
      reasons: t.exposeStringList('reasons', {
        description: '理由: one sentence per category, citing the figures (Chinese)',
      }),
    }),
  });

const WITHHELD =
  ' Null, with `suppressed` true, when the town has fewer cases of the category than EDP_MIN_CELL_FIRMS (or is withheld with such a town) and the caller’s role is below analyst.';

const TownRevitalizationRef = builder
  .objectRef<TownRevitalization & { suppressed: boolean }>('TownRevitalization')
  .implement({
    description: '各乡镇盘活用地: cases and land in use (亩) of one town and category in a year.',
    authScopes: aggregates,
    fields: (t) => ({
      town: t.exposeString('town', {
        description: '所属乡镇 (“未登记乡镇” when the register names none)',
      }),
      category: t.field({
        type: RevitalizationCategoryEnum,
        description: '盘活类别',
        resolve: (r) => r.category,
      }),
      cases: t.int({
        nullable: true,
        description: `企业数 in the category.${WITHHELD}`,
        resolve: (r) => (r.suppressed ? null : r.cases),
      }),
      areaMu: t.float({
        decimals: DECIMALS.landMu,
        nullable: true,
        description: `在用土地面积合计 (亩).${WITHHELD}`,
        resolve: (r) => (r.suppressed ? null : r.areaMu),
      }),
      suppressed: t.exposeBoolean('suppressed', {
        description:
          '小单元隐去: the town’s figures of the category are withheld from the caller’s role (docs/security.md)',
      }),
      note: t.string({
        nullable: true,
        description: '说明: why the figures are withheld (Chinese); null when they are shown',
        resolve: (r, _args, ctx) => (r.suppressed ? suppressedNote(ctx.minCellFirms) : null),
      }),
    }),
  });

/** Turns a caller's mistake into BAD_USER_INPUT. */
function checkedFirst(first: number | null | undefined): number | undefined {
  if (first == null) return undefined;
  if (first > MAX_PAGE)
    throw new UserInputError(`first 最大为 ${MAX_PAGE}，收到 ${first}：请用 after 翻页`);
  return first;
}

builder.queryFields((t) => ({
  landRevitalization: t.connection(
    {
      complexity: costing(COUNTY_WIDE),
      type: LandRevitalizationCaseRef,
      // null (with a FORBIDDEN error) for a role that may not read the cases, so that the other
      // fields of the same request still answer
      nullable: true,
      authScopes: naturalResources,
      description: `存量工业用地盘活名单: the cases of \`year\` (docs/land-revitalization.md), largest land in use first, then 统一社会信用代码; filter by category and town. Pages forward with first (at most ${MAX_PAGE}, default 20) and after.`,
      args: {
        year: t.arg.int({ required: true, description: '年度, e.g. 2024 (land in use on Dec 31)' }),
        category: t.arg({ type: RevitalizationCategoryEnum, description: '盘活类别' }),
        town: t.arg.string({ description: '所属乡镇, exactly, e.g. 南站镇' }),
      },
      resolve: async (_root, args, ctx) => {
        if (args.last != null || args.before != null)
          throw new UserInputError('landRevitalization 只能向后翻页：请用 first 和 after');
        const page = await landRevitalizationCases(
          ctx.database,
          { year: checkYear(args.year), category: args.category, town: args.town },
          { first: checkedFirst(args.first), after: args.after },
        );
        return {
          page,
          edges: page.cases.map((node, i) => ({ cursor: page.cursors[i], node })),
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: Boolean(args.after),
            startCursor: page.cursors[0] ?? null,
            endCursor: page.cursors[page.cursors.length - 1] ?? null,
          },
        };
      },
    },
    {
      name: 'LandRevitalizationConnection',
      description:
        '盘活名单的一页: a page of cases with the totals of every case the filter matches',
      fields: (c) => ({
        totalCount: c.int({
          authScopes: naturalResources,
          description: '总数: cases matching the filter across all pages',
          resolve: (connection) => connection.page.totalCount,
        }),
        totalAreaMu: c.float({
          authScopes: naturalResources,
          decimals: DECIMALS.landMu,
          description: '在用土地面积合计 (亩) of the cases matching the filter, across all pages',
          resolve: (connection) => connection.page.totalAreaMu,
        }),
        notes: c.stringList({
          authScopes: naturalResources,
          description:
            '说明: categories that could not be judged for the year and why (e.g. the year has not ended)',
          resolve: (connection) => connection.page.notes.map((n) => n.text),
        }),
      }),
    },
    { name: 'LandRevitalizationEdge', description: '盘活名单中的一项: a case and its cursor' },
  ),
  landRevitalizationByTown: t.field({
    complexity: costing(COUNTY_WIDE),
    type: [TownRevitalizationRef],
    authScopes: aggregates,
    description:
      '各乡镇盘活用地汇总: for `year`, cases and land in use (亩) by town and category. An enterprise in two categories counts in each.',
    args: { year: t.arg.int({ required: true, description: '年度' }) },
    resolve: async (_root, args, ctx) => {
      const rows = await landRevitalizationByTown(ctx.database, checkYear(args.year));
      // each category is its own table: its towns add up to the category's county total
      const marked = REVITALIZATION_CATEGORIES.flatMap((category) =>
        suppressSmallCells(
          rows.filter((r) => r.category === category),
          (r) => r.cases,
          ctx.minCellFirms,
          !ctx.viewer.can.smallCells,
        ),
      );
      return rows.map((r) => marked.find((m) => m.town === r.town && m.category === r.category)!);
    },
  }),
}));
