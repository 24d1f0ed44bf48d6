import { builder } from './builder.js';

/** The register basics are the shared profile: every reading role sees them. */
const profile = { profile: true } as const;

/**
 * 企业 — one registered enterprise, keyed by its 统一社会信用代码, joining every department's
 * records through entity resolution (sources.md). Department detail is added to this type by
 * schema/{tax,land,power,market,recognition}.ts; metrics and grades by schema/metrics.ts.
 */
export const Enterprise = builder.drizzleNode('enterprises', {
  name: 'Enterprise',
  description: '企业画像: a registered enterprise (市场监督管理局 register) joined with every department’s records. Amounts in 元, land in 亩.',
  id: { column: (e) => e.uscc, description: 'Relay global ID (全局标识) of the enterprise; pass it to `node` to refetch' },
  fields: (t) => ({
    uscc: t.exposeString('uscc', { authScopes: profile, description: '统一社会信用代码 (USCC, 18 characters)' }),
    name: t.exposeString('name', { authScopes: profile, description: '企业名称: the registered name, as delivered' }),
    formerNames: t.exposeStringList('formerNames', { authScopes: profile, description: '曾用名: former registered names, as delivered' }),
    status: t.exposeString('status', {
      authScopes: profile,
      description: '登记状态 as registered: 存续, 在业, 迁出, 吊销 or 注销 (存续 and 在业 are active)',
    }),
    active: t.boolean({
      authScopes: profile,
      description: '是否存续: true when 登记状态 is 存续 or 在业',
      resolve: (e) => e.status === '存续' || e.status === '在业',
    }),
    town: t.exposeString('town', { nullable: true, authScopes: profile, description: '所属乡镇: town or sub-district, e.g. 中都街道' }),
    industryCode: t.exposeString('industryCode', { nullable: true, authScopes: profile, description: '行业代码 (GB/T 4754-2017), e.g. C3670' }),
    industrySection: t.exposeString('industrySection', { nullable: true, authScopes: profile, description: '行业门类: section letter, e.g. C (制造业)' }),
    industryDivision: t.exposeString('industryDivision', {
      nullable: true,
      authScopes: profile,
      description: '行业大类: section letter and two-digit division, e.g. C36',
    }),
    establishedOn: t.field({
      type: 'Date',
      nullable: true,
      authScopes: profile,
      description: '成立日期: date of establishment',
      resolve: (e) => e.establishedOn,
    }),
  }),
});

builder.queryFields((t) => ({
  enterprise: t.drizzleField({
    type: 'enterprises',
    nullable: true,
    authScopes: profile,
    description: '企业画像: one enterprise by its 统一社会信用代码; null when no enterprise is registered under it.',
    args: { uscc: t.arg.string({ required: true, description: '统一社会信用代码 (case and surrounding spaces are ignored)' }) },
    resolve: async (query, _root, args, ctx) =>
      (await ctx.database.db.query.enterprises.findFirst(query({ where: { uscc: args.uscc.trim().toUpperCase() } }))) ?? null,
  }),
}));
