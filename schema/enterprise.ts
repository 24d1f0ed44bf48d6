import { enterprises } from '../db/market.js';
import { builder } from './builder.js';

/**
 * 企业 — one registered enterprise, keyed by its 统一社会信用代码, joining every department's
 * records through entity resolution (sources.md).
 */
export const Enterprise = builder.drizzleNode('enterprises', {
  name: 'Enterprise',
  description: '企业: a registered enterprise (市场监督管理局 register) joined with every department’s records.',
  id: { column: (e) => e.uscc },
  fields: (t) => ({
    uscc: t.exposeString('uscc', { description: '统一社会信用代码 (USCC, 18 characters)' }),
    name: t.exposeString('name', { description: '企业名称: the registered name, as delivered' }),
    formerNames: t.exposeStringList('formerNames', { description: '曾用名: former registered names' }),
    status: t.exposeString('status', { description: '登记状态 as registered: 存续, 在业, 迁出, 吊销 or 注销 (存续 and 在业 are active)' }),
    town: t.exposeString('town', { nullable: true, description: '所属乡镇: town or sub-district' }),
    industryCode: t.exposeString('industryCode', { nullable: true, description: '行业代码 (GB/T 4754-2017), e.g. C3670' }),
    industryDivision: t.exposeString('industryDivision', {
      nullable: true,
      description: '行业大类: section letter and two-digit division, e.g. C36',
    }),
    legalForm: t.exposeString('legalForm', { nullable: true, description: '企业类型: legal form, e.g. 有限责任公司' }),
    establishedOn: t.field({
      type: 'Date',
      nullable: true,
      description: '成立日期: date of establishment',
      resolve: (e) => e.establishedOn,
    }),
    registeredCapitalYuan: t.float({
      nullable: true,
      description: '注册资本 in 元 (the register delivers 万元)',
      resolve: (e) => (e.registeredCapitalYuan === null ? null : Number(e.registeredCapitalYuan)),
    }),
    address: t.exposeString('address', { nullable: true, description: '住所: registered address' }),
  }),
});

builder.queryFields((t) => ({
  enterprise: t.drizzleField({
    type: 'enterprises',
    nullable: true,
    description: '企业画像: one enterprise by its 统一社会信用代码; null when no enterprise is registered under it.',
    args: { uscc: t.arg.string({ required: true, description: '统一社会信用代码' }) },
    resolve: async (query, _root, args, ctx) =>
      (await ctx.database.db.query.enterprises.findFirst(query({ where: { uscc: args.uscc.trim().toUpperCase() } }))) ?? null,
  }),
  enterprises: t.drizzleConnection({
    type: 'enterprises',
    description: '企业列表: registered enterprises, ordered by 统一社会信用代码 (at most 100 per page).',
    totalCount: async (_root, _args, ctx) => ctx.database.db.$count(enterprises),
    resolve: async (query, _root, _args, ctx) => ctx.database.db.query.enterprises.findMany(query({ orderBy: { uscc: 'asc' } })),
  }),
}));
