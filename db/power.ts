import {
  bigint,
  customType,
  date,
  index,
  integer,
  numeric,
  pgTable,
  primaryKey,
  timestamp,
} from 'drizzle-orm/pg-core';
import { linkColumns } from './common.js';

/**
 * An account number: text compared byte by byte (collation "C"): account numbers have no linguistic
 * order to keep, and comparing under the database's default collation (strcoll) is slower.
 */
const accountNumber = customType<{ data: string; driverData: string }>({
  dataType: () => 'text collate "C"',
});

/**
 * 供电公司 monthly consumption per electricity account (docs/sources.md 4a/4b), as stored: one narrow row
 * per (用电户号, 抄表年月) that points at the account's holder. What the power company says about the
 * account holder (户名, its USCC) and what entity resolution made of it repeat on every month of an
 * account, so they are kept once per holder (`power_holders`), not 48 times; the account itself is
 * a number (`account_id`, its first holder's id), so that the primary key of two million readings,
 * built again at each bulk load, sorts integers (about half the time of sorting account texts).
 *
 * Readers use the view `power_consumption` (db/power-view.ts): the readings joined with their holders,
 * with 用电户号 and the columns every other department table has.
 */
export const powerReadings = pgTable(
  'power_readings',
  {
    // (in this order: the 8-byte columns first, the numeric last, no padding; two million of them)
    batchId: bigint('batch_id', { mode: 'number' }).notNull(),
    loadedAt: timestamp('loaded_at', { withTimezone: true }).notNull().defaultNow(),
    /** the account (用电户号): power_holders.account_id */
    accountId: integer('account_id').notNull(),
    /** 抄表年月, the first day of the month */
    month: date('month').notNull(),
    /** the account's holder as this row named it (power_holders.id) */
    holderId: integer('holder_id').notNull(),
    sourceRow: integer('source_row'),
    /** 用电量 (千瓦时, kWh) */
    kwh: numeric('kwh', { precision: 16, scale: 2 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.month] })],
);

/**
 * An electricity account's holder as the power company names it (户名 and, often empty, 统一社会信用代码)
 * and the enterprise it links to: one row per account and identity (a manual link of one month's record
 * is a holder of its own). Entity resolution updates these rows in place, so every month of the
 * account follows a new link at once.
 */
export const powerHolders = pgTable(
  'power_holders',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    /** the account's number in power_readings: the id of its first holder (the same for all its holders) */
    accountId: integer('account_id').notNull(),
    /** 用电户号 */
    accountNo: accountNumber('account_no').notNull(),
    ...linkColumns(),
  },
  (t) => [
    index('power_holders_account_idx').on(t.accountNo),
    index('power_holders_account_id_idx').on(t.accountId),
    index('power_holders_uscc_idx').on(t.uscc),
  ],
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
