import { asc, eq } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { powerPullPages } from '../../db/power.js';
import type { BatchCounts, BatchReport } from '../pipeline/batches.js';
import { ingestRecords } from '../pipeline/ingest.js';
import type { PowerApiClient, PowerApiItem, PowerApiPage } from './api.js';
import { powerSource } from './consumption.js';

/**
 * Pulls months of consumption from the power company's API into `power_consumption`, page by
 * page, through the same pipeline as the `power` files (validation, quarantine, entity resolution).
 *
 * Every page is one batch (`ingest_batches.file_name` = `api:YYYY-MM?page=N`), and its row in
 * `power_pull_pages` is written in the batch's own transaction: a page is stored with its
 * progress or not at all. A pull that dies resumes at the page after the last stored one, and a
 * month whose pages are all stored is skipped unless `refresh` is set. Values are never doubled
 * whatever happens, because consumption is upserted on (用电户号, 抄表年月).
 */

/** Items per page asked for (the API may answer with fewer per page; its own `pageSize` is used). */
export const DEFAULT_PAGE_SIZE = 500;

/** How often a month is started again when its total or page size moves under a pull. */
const MAX_RESTARTS = 3;

export interface PullOptions {
  /** First month, `YYYY-MM`. */
  from: string;
  /** Last month, `YYYY-MM`, included. */
  to: string;
  /** Pull months again even when all their pages are stored (corrections from the power company). */
  refresh?: boolean;
  pageSize?: number;
  /** Called after each page is stored (for progress; an error thrown here stops the pull). */
  onPage?: (event: PageEvent) => void | Promise<void>;
  /** Called when a month is done or skipped. */
  onMonth?: (report: MonthReport) => void;
}

export interface PageEvent {
  month: string;
  page: number;
  /** Pages in the month, from the latest answer's total and page size. */
  pages: number;
  total: number;
  batch: BatchReport;
}

/** A month's row counts are the sums over its pages' batches (as in ingest_batches). */
export interface MonthReport extends BatchCounts {
  month: string;
  /** pulled: from page 1; resumed: after pages stored by an earlier pull; skipped: already complete. */
  status: 'pulled' | 'resumed' | 'skipped';
  /** Items the API reports for the month. */
  total: number;
  pages: number;
  /** Pages fetched and stored by this pull. */
  pagesPulled: number;
  batchIds: number[];
}

export interface PullReport {
  months: MonthReport[];
  /** HTTP requests made, retries included, and how many were retries. */
  requests: number;
  retries: number;
  elapsedMs: number;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The months from `from` to `to` inclusive, as `YYYY-MM`; throws on a malformed or reversed range. */
export function monthsBetween(from: string, to: string): string[] {
  const [a, b] = [from, to].map((m) => {
    const match = MONTH.exec(m);
    if (!match) throw new RangeError(`"${m}" is not a month; write YYYY-MM, e.g. 2024-03`);
    return Number(match[1]) * 12 + Number(match[2]) - 1;
  });
  if (a > b) throw new RangeError(`--from ${from} is after --to ${to}`);
  return Array.from(
    { length: b - a + 1 },
    (_, i) => `${Math.floor((a + i) / 12)}-${String(((a + i) % 12) + 1).padStart(2, '0')}`,
  );
}

/** Pages a month of `total` items takes; an empty month still has its page 1, so that it is recorded. */
export const pageCount = (total: number, pageSize: number): number =>
  Math.max(1, Math.ceil(total / pageSize));

/** The `power` file's columns (docs/sources.md 4a) and the API fields that fill them. */
const FIELDS = [
  ['用电户号', 'accountNo'],
  ['户名', 'accountName'],
  ['统一社会信用代码', 'uscc'],
  ['抄表年月', 'month'],
  ['用电量(千瓦时)', 'kwh'],
] as const;

const cell = (value: unknown): string =>
  value === null || value === undefined
    ? ''
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);

/** A page's items as the records of a file, keyed by the source's column names (item k is row k + 1). */
async function* pageRecords(items: PowerApiItem[]): AsyncGenerator<Record<string, string>> {
  for (const item of items)
    yield Object.fromEntries(FIELDS.map(([column, field]) => [column, cell(item[field])]));
}

/**
 * Loads one page as one batch through the pipeline the `power` files take (validation, quarantine,
 * entity resolution, upsert on the natural key) and records the page in `power_pull_pages` in the
 * same transaction: the page and its progress row commit together or not at all.
 */
async function storePage(
  database: Database,
  month: string,
  pageNo: number,
  answer: PowerApiPage,
): Promise<BatchReport> {
  return await ingestRecords(database, powerSource.name, pageRecords(answer.items), {
    fileName: `api:${month}?page=${pageNo}`,
    alsoInBatch: async (session, batchId) => {
      await session.execute(
        `insert into power_pull_pages (month, page, page_size, total, batch_id) values ($1, $2, $3, $4, $5)
         on conflict (month, page) do update
           set page_size = excluded.page_size, total = excluded.total, batch_id = excluded.batch_id, stored_at = now()`,
        [`${month}-01`, pageNo, answer.pageSize, answer.total, batchId],
      );
    },
  });
}

async function storedPages(database: Database, monthDate: string) {
  return await database.db
    .select({
      page: powerPullPages.page,
      pageSize: powerPullPages.pageSize,
      total: powerPullPages.total,
    })
    .from(powerPullPages)
    .where(eq(powerPullPages.month, monthDate))
    .orderBy(asc(powerPullPages.page));
}

async function forgetMonth(database: Database, monthDate: string) {
  await database.db.delete(powerPullPages).where(eq(powerPullPages.month, monthDate));
}

/** Where a month stands: complete, or the page to go on from (1 when nothing usable is stored). */
function resumePoint(stored: { page: number; pageSize: number; total: number }[]) {
  // Pages are stored in order, so the stored ones are 1..k; anything else (or a size that changed
  // between pages) means the record is not one pull's, and the month starts again.
  const consistent = stored.every((s, i) => s.page === i + 1 && s.pageSize === stored[0].pageSize);
  if (stored.length === 0 || !consistent)
    return { complete: false, next: 1, reset: stored.length > 0 } as const;
  const last = stored[stored.length - 1];
  const complete = stored.length >= pageCount(last.total, last.pageSize);
  return {
    complete,
    next: stored.length + 1,
    pageSize: last.pageSize,
    total: last.total,
    reset: false,
  } as const;
}

const emptyCounts = (): BatchCounts => ({
  rowsRead: 0,
  rowsLoaded: 0,
  rowsReplaced: 0,
  rowsQuarantined: 0,
  rowsUnmatched: 0,
});

async function pullMonth(
  database: Database,
  client: PowerApiClient,
  month: string,
  options: PullOptions,
): Promise<MonthReport> {
  const monthDate = `${month}-01`;
  const report: MonthReport = {
    month,
    status: 'pulled',
    total: 0,
    pages: 0,
    pagesPulled: 0,
    batchIds: [],
    ...emptyCounts(),
  };
  if (options.refresh) await forgetMonth(database, monthDate);
  const stored = await storedPages(database, monthDate);
  const point = resumePoint(stored);
  if (point.complete) {
    return { ...report, status: 'skipped', total: point.total, pages: stored.length };
  }
  if (point.reset) await forgetMonth(database, monthDate);

  // What the month looked like when its first stored page was fetched: a later page must agree,
  // or items have moved between pages and the month is pulled again from page 1.
  let shape = point.next > 1 ? { pageSize: point.pageSize!, total: point.total! } : undefined;
  if (shape) report.status = 'resumed';
  let page = point.next;
  for (let restarts = 0; ; ) {
    const answer: PowerApiPage = await client.fetchPage(
      month,
      page,
      shape?.pageSize ?? options.pageSize ?? DEFAULT_PAGE_SIZE,
    );
    if (shape && (answer.pageSize !== shape.pageSize || answer.total !== shape.total)) {
      if (++restarts > MAX_RESTARTS) {
        throw new Error(
          `${month}: the API's total or page size kept changing during the pull (now ${answer.total} items in pages of ${answer.pageSize}); try again later`,
        );
      }
      await forgetMonth(database, monthDate);
      shape = undefined;
      page = 1;
      continue;
    }
    shape = { pageSize: answer.pageSize, total: answer.total };
    const batch = await storePage(database, month, page, answer);
    const pages = pageCount(answer.total, answer.pageSize);
    Object.assign(report, { total: answer.total, pages, pagesPulled: report.pagesPulled + 1 });
    report.batchIds.push(batch.batchId);
    for (const key of Object.keys(emptyCounts()) as (keyof BatchCounts)[])
      report[key] += batch[key];
    await options.onPage?.({ month, page, pages, total: answer.total, batch });
    if (page >= pages) return report;
    page += 1;
  }
}

/**
 * Pulls every month from `options.from` to `options.to` (docs/sources.md 4b), one after the other.
 * Throws on the first month that cannot be pulled (the error says which and why); the months and
 * pages stored until then stay stored, and running the same pull again goes on from there.
 */
export async function pullPower(
  database: Database,
  client: PowerApiClient,
  options: PullOptions,
): Promise<PullReport> {
  const started = Date.now();
  const months = monthsBetween(options.from, options.to);
  const reports: MonthReport[] = [];
  for (const month of months) {
    const report = await pullMonth(database, client, month, options);
    reports.push(report);
    options.onMonth?.(report);
  }
  return {
    months: reports,
    requests: client.stats.requests,
    retries: client.stats.retries,
    elapsedMs: Date.now() - started,
  };
}
