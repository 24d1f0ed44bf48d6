import { boolean, date, index, pgTable, primaryKey, text, varchar } from 'drizzle-orm/pg-core';
import { linkColumns, provenanceColumns, yuan } from './common.js';

/**
 * 认定 recognitions, certifications and filings (docs/sources.md 5a).
 * Natural key: (enterprise, 认定类型, 认定日期); the enterprise as delivered (`identityKey`:
 * the USCC when present, else the normalised name).
 */
export const designations = pgTable(
  'designations',
  {
    identityKey: text('identity_key').notNull(),
    /** 认定类型 */
    type: text('type').notNull(),
    /** 认定日期 */
    recognizedOn: date('recognized_on').notNull(),
    ...linkColumns(),
    /** 认定部门 */
    issuer: text('issuer'),
    /** 文号 */
    documentNo: text('document_no'),
    /** 关联企业统一社会信用代码: for 单品精益化工厂, the core factory it is attached to */
    coreFactoryUscc: varchar('core_factory_uscc', { length: 18 }),
    ...provenanceColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.identityKey, t.type, t.recognizedOn] }),
    index('designations_uscc_type_idx').on(t.uscc, t.type),
    index('designations_core_idx').on(t.coreFactoryUscc),
  ],
);

/** 智能化改造 projects (docs/sources.md 5b). Natural key: 项目编号. */
export const techProjects = pgTable(
  'tech_projects',
  {
    /** 项目编号 */
    projectNo: text('project_no').primaryKey(),
    ...linkColumns(),
    /** 项目名称 */
    projectName: text('project_name'),
    /** 设备投资 (元, 不含税) */
    equipmentYuan: yuan('equipment_yuan').notNull(),
    /** 软件投资 (元, 不含税) */
    softwareYuan: yuan('software_yuan').notNull(),
    /** 验收日期 */
    acceptedOn: date('accepted_on'),
    /** 已享受技术改造扶持 (是 → true) */
    alreadySupported: boolean('already_supported').notNull(),
    ...provenanceColumns(),
  },
  (t) => [index('tech_projects_uscc_idx').on(t.uscc)],
);
