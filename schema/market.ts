import { DECIMALS } from '../lib/decimals.js';
import { decimal } from '../resolvers/profile.js';
import { builder, REFUSED } from './builder.js';
import { Enterprise } from './enterprise.js';
import { PROVENANCE_COLUMNS, Provenance, provenanceOf } from './provenance.js';

/** 市场监督管理局 detail: registration detail and administrative penalties. */
const market = { department: 'market' } as const;

export const Penalty = builder.drizzleObject('marketPenalties', {
  name: 'Penalty',
  description: '行政处罚: an administrative penalty decision (市场监督管理局).',
  authScopes: market,
  // A list loads the columns its fields ask for, and always the enterprise (the audit names it).
  select: { columns: { uscc: true } },
  fields: (t) => ({
    decisionNo: t.exposeString('decisionNo', {
      description: '决定书文号: decision number (the natural key)',
    }),
    violationType: t.exposeString('violationType', {
      nullable: true,
      description: '违法类型: e.g. 侵犯知识产权, 产品质量, 无照经营',
    }),
    decidedOn: t.field({
      type: 'Date',
      nullable: true,
      description: '处罚决定日期',
      select: { columns: { decidedOn: true } },
      resolve: (p) => p.decidedOn,
    }),
    amountYuan: t.float({
      decimals: DECIMALS.yuan,
      nullable: true,
      description: '罚没金额 in 元',
      select: { columns: { amountYuan: true } },
      resolve: (p) => decimal(p.amountYuan),
    }),
    provenance: t.field({
      type: Provenance,
      description: '数据来源: batch, file row and how the decision was linked',
      select: { columns: PROVENANCE_COLUMNS },
      resolve: (p) => provenanceOf('market-penalties', p),
    }),
  }),
});

builder.drizzleObjectFields(Enterprise, (t) => ({
  legalForm: t.exposeString('legalForm', {
    nullable: true,
    authScopes: market,
    description: '企业类型: legal form, e.g. 有限责任公司',
  }),
  registeredCapitalYuan: t.float({
    decimals: DECIMALS.yuan,
    nullable: true,
    authScopes: market,
    description: '注册资本 in 元 (the register delivers 万元)',
    select: { columns: { registeredCapitalYuan: true } },
    resolve: (e) => decimal(e.registeredCapitalYuan),
  }),
  address: t.exposeString('address', {
    nullable: true,
    authScopes: market,
    description: '住所: registered address',
  }),
  registration: t.field({
    type: Provenance,
    nullable: true,
    authScopes: market,
    description: `登记数据来源: the register batch and file row that last wrote this enterprise.${REFUSED}`,
    select: { columns: { name: true, batchId: true, loadedAt: true, sourceRow: true } },
    resolve: (e) =>
      provenanceOf('market-registry', {
        ...e,
        matchMethod: 'uscc',
        rawIdentifier: e.uscc,
        rawName: e.name,
      }),
  }),
  penalties: t.relation('penalties', {
    description: `行政处罚: penalty decisions linked to the enterprise, newest first.${REFUSED}`,
    nullable: true,
    authScopes: market,
    query: { orderBy: { decidedOn: 'desc', decisionNo: 'asc' } },
  }),
}));
