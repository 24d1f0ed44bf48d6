import { DECIMALS } from '../lib/decimals.js';
import { sumDecimals } from '../resolvers/profile.js';
import { builder } from './builder.js';
import { Enterprise } from './enterprise.js';
import { PROVENANCE_COLUMNS, Provenance, provenanceOf } from './provenance.js';

/** Recognitions and projects are part of the shared profile: the award rules read them (docs/awards.md). */
const profile = { profile: true } as const;

export const Designation = builder.drizzleObject('designations', {
  name: 'Designation',
  description:
    '认定: a recognition, certification or filing of the enterprise (工业和信息化局 and other issuing departments).',
  authScopes: profile,
  // A list loads the columns its fields ask for (each field's `select`).
  select: {},
  fields: (t) => ({
    type: t.exposeString('type', {
      description: '认定类型: e.g. 国家级专精特新小巨人, 省级智能工厂',
    }),
    recognizedOn: t.field({
      type: 'Date',
      description: '认定日期',
      select: { columns: { recognizedOn: true } },
      resolve: (d) => d.recognizedOn,
    }),
    issuer: t.exposeString('issuer', { nullable: true, description: '认定部门: issuing body' }),
    documentNo: t.exposeString('documentNo', {
      nullable: true,
      description: '文号: document number',
    }),
    coreFactoryUscc: t.exposeString('coreFactoryUscc', {
      nullable: true,
      description:
        '关联企业统一社会信用代码: for 单品精益化工厂, the core factory (核心厂) it is attached to',
    }),
    coreFactory: t.field({
      type: Enterprise,
      nullable: true,
      description:
        '核心厂: the core factory enterprise of a 单品精益化工厂; null when none or not registered',
      select: { columns: { coreFactoryUscc: true } },
      resolve: (d, _args, ctx) =>
        d.coreFactoryUscc ? ctx.loaders.enterprise.load(d.coreFactoryUscc) : null,
    }),
    provenance: t.field({
      type: Provenance,
      description: '数据来源: batch, file row and how the recognition was linked',
      select: { columns: PROVENANCE_COLUMNS },
      resolve: (d) => provenanceOf('designations', d),
    }),
  }),
});

export const TechProject = builder.drizzleObject('techProjects', {
  name: 'TechProject',
  description:
    '智能化改造项目: an intelligent-transformation project (clause 8 of 汶政发〔2022〕9号).',
  authScopes: profile,
  select: {},
  fields: (t) => ({
    projectNo: t.exposeString('projectNo', { description: '项目编号 (the natural key)' }),
    projectName: t.exposeString('projectName', { nullable: true, description: '项目名称' }),
    equipmentYuan: t.float({
      decimals: DECIMALS.yuan,
      description: '设备投资 in 元, excluding tax (不含税)',
      select: { columns: { equipmentYuan: true } },
      resolve: (p) => Number(p.equipmentYuan),
    }),
    softwareYuan: t.float({
      decimals: DECIMALS.yuan,
      description: '软件投资 in 元, excluding tax (不含税)',
      select: { columns: { softwareYuan: true } },
      resolve: (p) => Number(p.softwareYuan),
    }),
    totalYuan: t.float({
      decimals: DECIMALS.yuan,
      description: '总投资 in 元: 设备投资 + 软件投资',
      select: { columns: { equipmentYuan: true, softwareYuan: true } },
      resolve: (p) => Number(sumDecimals([p.equipmentYuan, p.softwareYuan])),
    }),
    acceptedOn: t.field({
      type: 'Date',
      nullable: true,
      description: '验收日期: acceptance date',
      select: { columns: { acceptedOn: true } },
      resolve: (p) => p.acceptedOn,
    }),
    alreadySupported: t.exposeBoolean('alreadySupported', {
      description:
        '已享受技术改造扶持: the project already received technical-transformation support',
    }),
    provenance: t.field({
      type: Provenance,
      description: '数据来源: batch, file row and how the project was linked',
      select: { columns: PROVENANCE_COLUMNS },
      resolve: (p) => provenanceOf('tech-projects', p),
    }),
  }),
});

builder.drizzleObjectFields(Enterprise, (t) => ({
  designations: t.relation('designations', {
    description: '认定: recognitions of the enterprise, oldest first.',
    authScopes: profile,
    query: { orderBy: { recognizedOn: 'asc', type: 'asc' } },
  }),
  techProjects: t.relation('techProjects', {
    description: '智能化改造项目: projects of the enterprise, by acceptance date.',
    authScopes: profile,
    query: { orderBy: { acceptedOn: 'asc', projectNo: 'asc' } },
  }),
}));
