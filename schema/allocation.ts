import { DECIMALS } from '../lib/decimals.js';
import { UserInputError } from '../lib/errors.js';
import { checkYear } from '../lib/year.js';
import {
  type Allocation,
  type AllocationAccount,
  allocationList,
  allocationOf,
  surchargeByTown,
  type YearGrade,
} from '../resolvers/allocation.js';
import { GRADES } from '../resolvers/evaluation-method.js';
import { type Cell, suppressedNote, suppressSmallCells } from '../resolvers/small-cells.js';
import { builder, REFUSED } from './builder.js';
import { COUNTY_WIDE, costing } from './cost.js';
import { Enterprise } from './enterprise.js';
import { PopulationEnum } from './mu-efficiency.js';

const profile = { profile: true } as const;
const power = { department: 'power' } as const;
const aggregates = { aggregates: true } as const;

const AllocationAccountRef = builder.objectRef<AllocationAccount>('AllocationAccount').implement({
  description:
    '用电户号: an electricity account linked to the enterprise, with the graded year’s consumption (供电公司 detail).',
  authScopes: power,
  fields: (t) => ({
    accountNo: t.exposeString('accountNo', { authScopes: power, description: '用电户号' }),
    accountName: t.exposeString('accountName', {
      nullable: true,
      authScopes: power,
      description: '户名 as the power company last delivered it',
    }),
    kwh: t.exposeFloat('kwh', {
      decimals: DECIMALS.kwh,
      authScopes: power,
      description: '用电量 of the graded year (千瓦时, kWh)',
    }),
    estimatedSurchargeYuan: t.exposeFloat('estimatedSurchargeYuan', {
      decimals: DECIMALS.yuan,
      nullable: true,
      authScopes: power,
      description:
        '预计加价金额 (元): rate × kWh of the graded year; null when no surcharge applies',
    }),
  }),
});

const YearGradeRef = builder.objectRef<YearGrade>('YearGrade').implement({
  description:
    '历年评价等级: the grade of one year (null when not evaluated, which breaks a run of D years).',
  authScopes: profile,
  fields: (t) => ({
    year: t.exposeInt('year', { authScopes: profile, description: '评价年度' }),
    grade: t.exposeString('grade', {
      nullable: true,
      authScopes: profile,
      description: '评价等级 A–D; null when not evaluated',
    }),
    population: t.expose('population', {
      type: PopulationEnum,
      nullable: true,
      authScopes: profile,
      description: '评价对象: 规上 or 规下',
    }),
    runId: t.exposeID('runId', {
      nullable: true,
      authScopes: profile,
      description: '评价结果编号: the final run the grade was read from; null when live',
    }),
  }),
});

export const AllocationRef = builder.objectRef<Allocation>('Allocation').implement({
  description:
    '要素差别化配置 (clause 17): what the 亩产效益 grade of `year` means — A 优先保障, B 积极支持, C 相对控制, D 严格限制 — and the electricity surcharge on D-class firms during year + 1 (docs/metrics.md; rates are configuration).',
  authScopes: profile,
  fields: (t) => ({
    enterprise: t.field({
      type: Enterprise,
      authScopes: profile,
      description: '企业',
      resolve: async (a, _args, ctx) => {
        const enterprise = await ctx.loaders.enterprise.load(a.uscc);
        if (!enterprise) throw new Error(`enterprise ${a.uscc} is not registered`);
        return enterprise;
      },
    }),
    year: t.exposeInt('year', {
      authScopes: profile,
      description: '评价年度 whose grade is applied',
    }),
    methodId: t.exposeString('methodId', {
      nullable: true,
      authScopes: profile,
      description: '配置办法: the allocation method applied (configuration)',
    }),
    grade: t.exposeString('grade', {
      nullable: true,
      authScopes: profile,
      description: '评价等级 of `year`; null when not evaluated',
    }),
    allocationLabel: t.exposeString('allocationLabel', {
      nullable: true,
      authScopes: profile,
      description: '配置类别: 优先保障 (A), 积极支持 (B), 相对控制 (C) or 严格限制 (D)',
    }),
    population: t.expose('population', {
      type: PopulationEnum,
      nullable: true,
      authScopes: profile,
      description: '评价对象 of `year`',
    }),
    consecutiveDYears: t.exposeInt('consecutiveDYears', {
      authScopes: profile,
      description:
        '连续D类年数: the run of D grades ending at `year` (a year not evaluated breaks it)',
    }),
    surchargeYuanPerKwh: t.exposeFloat('surchargeYuanPerKwh', {
      decimals: DECIMALS.yuanPerKwh,
      nullable: true,
      authScopes: profile,
      description: '差别电价加价标准 (元/千瓦时) applied during year + 1; null when none',
    }),
    appliesInYear: t.exposeInt('appliesInYear', {
      authScopes: profile,
      description: '执行年度: year + 1',
    }),
    accounts: t.stringList({
      nullable: true,
      authScopes: power,
      description: `用电户号 the surcharge applies to (every account linked to the enterprise): the power company's detail, as in \`powerAccounts\`.${REFUSED}`,
      resolve: (a) => a.accounts.map((x) => x.accountNo),
    }),
    accountDetails: t.field({
      type: [AllocationAccountRef],
      nullable: true,
      authScopes: power,
      description: `用电户号 with the year’s kWh and estimated surcharge.${REFUSED}`,
      resolve: (a) => a.accounts,
    }),
    electricityKwh: t.exposeFloat('electricityKwh', {
      decimals: DECIMALS.kwh,
      nullable: true,
      authScopes: power,
      description: `用电量 of \`year\` over every linked account (千瓦时, kWh).${REFUSED}`,
    }),
    estimatedSurchargeYuan: t.exposeFloat('estimatedSurchargeYuan', {
      decimals: DECIMALS.yuan,
      nullable: true,
      authScopes: power,
      description:
        '预计年加价金额 (元): rate × the year’s consumption; null when no surcharge applies',
    }),
    history: t.field({
      type: [YearGradeRef],
      authScopes: profile,
      description: '历年评价等级 up to `year`',
      resolve: (a) => a.history,
    }),
    reasons: t.stringList({
      authScopes: profile,
      description:
        '说明, e.g. "2023 规上D, 2024 规上D → 0.10 元/千瓦时 in 2025". The estimate cites the year’s kWh and amount to roles that read the power company’s detail; to the others it names the rate and the year only.',
      resolve: (a, _args, ctx) =>
        ctx.viewer.can.departments.includes('power') ? a.reasons : a.reasonsWithoutPowerDetail,
    }),
    runId: t.exposeID('runId', {
      nullable: true,
      authScopes: profile,
      description:
        '评价结果编号: the final run the grade of `year` comes from; null when the year has no final run (live evaluation)',
    }),
    gradeStatus: t.exposeString('gradeStatus', {
      authScopes: profile,
      description:
        '等级来源: final (the year’s final run, docs/decisions.md) or live (no final run yet)',
    }),
  }),
});

type TownRow = Cell<ReturnType<typeof surchargeByTown>[number]>;

/** Said of every figure of a town withheld as a small cell (docs/security.md). */
const WITHHELD =
  ' Null, with `suppressed` true, when the town has fewer surcharged firms than EDP_MIN_CELL_FIRMS (or is withheld with such a town) and the caller’s role is below analyst.';

const TownSurcharge = builder.objectRef<TownRow>('TownSurcharge').implement({
  description:
    '各乡镇差别电价: firms carrying a surcharge, their accounts, kWh and estimated surcharge, by town.',
  authScopes: aggregates,
  fields: (t) => ({
    town: t.exposeString('town', {
      nullable: true,
      authScopes: aggregates,
      description: '所属乡镇',
    }),
    enterprises: t.int({
      nullable: true,
      authScopes: aggregates,
      description: `加价企业数.${WITHHELD}`,
      resolve: (r) => (r.suppressed ? null : r.enterprises),
    }),
    accounts: t.int({
      nullable: true,
      authScopes: aggregates,
      description: `用电户数.${WITHHELD}`,
      resolve: (r) => (r.suppressed ? null : r.accounts),
    }),
    kwh: t.float({
      decimals: DECIMALS.kwh,
      nullable: true,
      authScopes: aggregates,
      description: `用电量 of the graded year (千瓦时, kWh).${WITHHELD}`,
      resolve: (r) => (r.suppressed ? null : r.kwh),
    }),
    estimatedSurchargeYuan: t.float({
      decimals: DECIMALS.yuan,
      nullable: true,
      authScopes: aggregates,
      description: `预计加价金额 (元).${WITHHELD}`,
      resolve: (r) => (r.suppressed ? null : r.estimatedSurchargeYuan),
    }),
    suppressed: t.exposeBoolean('suppressed', {
      authScopes: aggregates,
      description:
        '小单元隐去: the town’s figures are withheld from the caller’s role (docs/security.md)',
    }),
    note: t.string({
      nullable: true,
      authScopes: aggregates,
      description: '说明: why the figures are withheld (Chinese); null when they are shown',
      resolve: (r, _args, ctx) => (r.suppressed ? suppressedNote(ctx.minCellFirms) : null),
    }),
  }),
});

builder.drizzleObjectField(Enterprise, 'allocation', (t) =>
  t.field({
    type: AllocationRef,
    authScopes: profile,
    select: { columns: { uscc: true } },
    description:
      '要素差别化配置 for the grade of `year` (docs/metrics.md): label, run of D years, surcharge during year + 1, the accounts and reasons.',
    args: {
      year: t.arg.int({
        required: true,
        description: '评价年度 whose grade is applied, e.g. 2024 (surcharge in 2025)',
      }),
    },
    resolve: async (enterprise, args, ctx) =>
      allocationOf(await ctx.loaders.allocation.load(checkYear(args.year)), enterprise.uscc),
  }),
);

builder.queryFields((t) => ({
  allocationList: t.field({
    complexity: costing(COUNTY_WIDE),
    type: [AllocationRef],
    nullable: true,
    authScopes: profile,
    description: `差别化配置名单: every enterprise of one grade (default D) in \`year\`, by USCC; empty for a year not evaluated.${REFUSED}`,
    args: {
      year: t.arg.int({ required: true, description: '评价年度' }),
      grade: t.arg.string({
        defaultValue: 'D',
        required: true,
        description: '评价等级 A, B, C or D (default D)',
      }),
    },
    resolve: async (_root, args, ctx) => {
      if (!(GRADES as readonly string[]).includes(args.grade))
        throw new UserInputError(`等级 grade 须为 ${GRADES.join('、')} 之一`);
      return allocationList(
        await ctx.loaders.allocation.load(checkYear(args.year)),
        args.grade as (typeof GRADES)[number],
      );
    },
  }),
  surchargeByTown: t.field({
    complexity: costing(COUNTY_WIDE),
    type: [TownSurcharge],
    authScopes: aggregates,
    description:
      '各乡镇差别电价汇总: for the grades of `year`, surcharged firms and the estimated surcharge during year + 1, by town.',
    args: { year: t.arg.int({ required: true, description: '评价年度' }) },
    resolve: async (_root, args, ctx) =>
      suppressSmallCells(
        surchargeByTown(await ctx.loaders.allocation.load(checkYear(args.year))),
        (r) => r.enterprises,
        ctx.minCellFirms,
        !ctx.viewer.can.smallCells,
      ),
  }),
}));
