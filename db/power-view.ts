import { date, numeric, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { linkColumns, provenanceColumns } from './common.js';

/**
 * `power_consumption`: 供电公司 monthly consumption per electricity account (docs/sources.md 4a/4b) as
 * every reader sees it: a view of `power_readings` joined with `power_holders` (db/power.ts), with the
 * link and provenance columns of every department table. Natural key: (用电户号, 抄表年月).
 *
 * It is a view, created by the migration `power_holders` (not by drizzle-kit, hence this file is not in
 * drizzle.config.ts); INSTEAD OF triggers make inserts, updates and deletes on it write the two tables,
 * so it can be written like a table (tests, manual links). The loader writes the tables directly.
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
  (t) => [primaryKey({ columns: [t.accountNo, t.month] })],
);
