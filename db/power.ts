import { date, index, integer, numeric, primaryKey, text, timestamp, pgTable } from 'drizzle-orm/pg-core';
import { linkColumns, provenanceColumns } from './common.js';

/**
 * 供电公司 monthly consumption per electricity account (sources.md 4a/4b).
 * Natural key: (用电户号, 抄表年月). 户名 is rawName; the account's USCC (often empty) is rawIdentifier.
 */
export const powerConsumption = pgTable(
  'power_consumption',
  {
    /** 用电户号 */
    accountNo: text('account_no').notNull(),
    /** 抄表年月, the first day of the month */
    month: date('month').notNull(),
    ...linkColumns(),
    /** 用电量 (千瓦时, kWh) */
    kwh: numeric('kwh', { precision: 16, scale: 2 }).notNull(),
    ...provenanceColumns(),
  },
  (t) => [primaryKey({ columns: [t.accountNo, t.month] }), index('power_consumption_uscc_month_idx').on(t.uscc, t.month)],
);

/**
 * Progress of pulls from the power company's API: one row per (month, page) stored, so that
 * a crashed pull resumes from the last stored page and no month is counted twice.
 */
export const powerPullPages = pgTable(
  'power_pull_pages',
  {
    month: date('month').notNull(),
    page: integer('page').notNull(),
    pageSize: integer('page_size').notNull(),
    total: integer('total').notNull(),
    batchId: integer('batch_id').notNull(),
    storedAt: timestamp('stored_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.month, t.page] })],
);
