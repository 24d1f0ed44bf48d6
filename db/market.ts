import { date, index, pgTable, text, varchar } from 'drizzle-orm/pg-core';
import { linkColumns, provenanceColumns, yuan } from './common.js';

/** 市场监督管理局 企业登记 — the enterprise master (docs/sources.md 1a). Natural key: USCC. */
export const enterprises = pgTable(
  'enterprises',
  {
    /** 统一社会信用代码 */
    uscc: varchar('uscc', { length: 18 }).primaryKey(),
    /** 企业名称 as registered */
    name: text('name').notNull(),
    /** normalised current name for matching */
    nameNorm: text('name_norm').notNull(),
    /** 曾用名 as delivered */
    formerNames: text('former_names').array().notNull().default([]),
    /** normalised former names */
    formerNamesNorm: text('former_names_norm').array().notNull().default([]),
    /** 法定代表人 — personal data */
    legalRepresentative: text('legal_representative'),
    /** 企业类型 */
    legalForm: text('legal_form'),
    /** 注册资本, converted from 万元 to 元 */
    registeredCapitalYuan: yuan('registered_capital_yuan'),
    /** 成立日期 */
    establishedOn: date('established_on'),
    /** 登记状态: 存续, 在业, 迁出, 吊销, 注销 */
    status: text('status').notNull(),
    /** 住所 */
    address: text('address'),
    /** 所属乡镇 */
    town: text('town'),
    /** 行业代码 GB/T 4754-2017, e.g. C3670 */
    industryCode: varchar('industry_code', { length: 8 }),
    /** section letter, e.g. C */
    industrySection: varchar('industry_section', { length: 1 }),
    /** section letter + two-digit division, e.g. C36 */
    industryDivision: varchar('industry_division', { length: 3 }),
    ...provenanceColumns(),
  },
  (t) => [
    index('enterprises_name_norm_idx').on(t.nameNorm),
    index('enterprises_town_idx').on(t.town),
    index('enterprises_division_idx').on(t.industryDivision),
    index('enterprises_status_idx').on(t.status),
  ],
);

/** 行政处罚 (docs/sources.md 1b). Natural key: 决定书文号. */
export const marketPenalties = pgTable(
  'market_penalties',
  {
    decisionNo: text('decision_no').primaryKey(),
    ...linkColumns(),
    violationType: text('violation_type'),
    decidedOn: date('decided_on'),
    amountYuan: yuan('amount_yuan'),
    ...provenanceColumns(),
  },
  (t) => [index('market_penalties_uscc_idx').on(t.uscc)],
);
