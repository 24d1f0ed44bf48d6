import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, lt, type SQL, sql } from 'drizzle-orm';
import { AUDIT_ENTERPRISES_INDEX, type AuditRow, auditLog } from '../db/auth.js';
import type { Database } from '../db/client.js';
import { sharedWork } from '../db/statement-scope.js';
import { UserInputError } from '../lib/errors.js';
import type { Viewer } from './roles.js';

/**
 * What one request read of department detail and personal data (法定代表人 unmasked): collected in
 * memory while the request runs, written as one audit_log row when it ends (server/audit-plugin.ts).
 */
export class AuditCollector {
  /** 统一社会信用代码 of the enterprises whose sensitive data was read */
  readonly enterprises = new Set<string>();
  /** the sensitive fields read, as Type.field */
  readonly fields = new Set<string>();
  /** the row whose enterprises were noted last (server/audit-plugin.ts notes each row's once) */
  lastRow: object | undefined = undefined;

  /** Notes that `field` (Type.field) was read, for the enterprise `uscc` when known. */
  record(field: string, uscc?: string | null) {
    this.fields.add(field);
    if (uscc) this.enterprises.add(uscc);
  }

  get empty() {
    return this.fields.size === 0;
  }
}

/** What one request read, as the audit row it is written as. */
export interface AuditEntry {
  viewer: Viewer;
  operationName: string | null;
  requestId: string;
  collected: AuditCollector;
}

/** An audit_log row of a read as written (its id and time are the table's defaults), by column name. */
export type AuditWriteRow = {
  key_id: number | null;
  role: string;
  key_name: string;
  operation_name: string | null;
  enterprises: string[];
  fields: string[];
  request_id: string;
};

const auditRow = (entry: AuditEntry): AuditWriteRow => ({
  key_id: entry.viewer.keyId === null ? null : Number(entry.viewer.keyId),
  role: entry.viewer.role,
  key_name: entry.viewer.name,
  operation_name: entry.operationName,
  enterprises: [...entry.collected.enterprises].sort(),
  fields: [...entry.collected.fields].sort(),
  request_id: entry.requestId,
});

/** The columns a read's audit row sets, in AuditWriteRow's order (id, time, action, detail: defaults). */
const READ_COLUMNS = [
  auditLog.keyId,
  auditLog.role,
  auditLog.keyName,
  auditLog.operationName,
  auditLog.enterprises,
  auditLog.fields,
  auditLog.requestId,
];
const readColumnNames = sql.raw(READ_COLUMNS.map((c) => `"${c.name}"`).join(', '));
/** The record json_to_recordset reads each row as: the columns' names and SQL types, from the table. */
const readRecord = sql.raw(
  READ_COLUMNS.map((c) => `"${c.name}" ${c.getSQLType()}${'[]'.repeat(c.dimensions ?? 0)}`).join(
    ', ',
  ),
);

/**
 * One insert of many audit rows as a single JSON parameter: the same statement text (prepared once
 * per connection) for a batch of 1 or of 500, and nothing for Node to build per column and row.
 */
function insertRows(rows: AuditWriteRow[]): SQL {
  return sql`insert into ${auditLog} (${readColumnNames})
    select ${readColumnNames} from json_to_recordset(${JSON.stringify(rows)}::text::json) as r(${readRecord})`;
}

interface Waiting {
  row: AuditWriteRow;
  written: () => void;
  failed: (error: unknown) => void;
}

/**
 * Group commit of the audit rows of reads: the rows of requests that end while a write is under
 * way wait for it to finish and then go in one multi-row insert, so that 32 concurrent requests
 * cost a few statements rather than 32. Each request's `write` resolves only once the insert that
 * holds its row has committed (the statement autocommits), and rejects when it failed — the caller
 * then withholds the data. A failed multi-row insert is retried row by row, so one bad row costs
 * its own request only.
 */
export class AuditWriter {
  private waiting: Waiting[] = [];
  private flushing = false;
  /** index entries (enterprise codes) written since the pending list was last merged */
  private entriesSinceMerge = 0;
  private merging = false;
  private readonly maxRows: number;
  private readonly mergeEvery: number;
  private readonly onMergeError: (error: unknown) => void;

  /**
   * @param database the primary (audit rows are never written to a replica)
   * @param options.maxRows rows per insert at most (7 parameters each, well under PostgreSQL's 65,535)
   * @param options.mergeEvery enterprise codes written between two merges of the index's pending
   *   list (a page of 50 enterprises writes 50). A merge costs less per code the more codes it
   *   merges (an often-read enterprise's entry is rewritten once for all its new rows): 200,000
   *   keep the list near 10 MB, a third of the size at which an insert would merge it itself (the
   *   index's gin_pending_list_limit, 32 MB, db/auth.ts); a reader of the log by enterprise scans it
   * @param options.onMergeError told when a merge failed (the rows are written all the same)
   */
  constructor(
    private readonly database: Database,
    options: {
      maxRows?: number;
      mergeEvery?: number;
      onMergeError?: (error: unknown) => void;
    } = {},
  ) {
    this.maxRows = options.maxRows ?? 500;
    this.mergeEvery = options.mergeEvery ?? 200_000;
    this.onMergeError = options.onMergeError ?? (() => {});
  }

  /**
   * Writes one request's audit row; resolves to false without writing when nothing sensitive was
   * read, to true once the row is durable. Rejects when it could not be written.
   */
  write(entry: AuditEntry): Promise<boolean> {
    if (entry.collected.empty) return Promise.resolve(false);
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ row: auditRow(entry), written: () => resolve(true), failed: reject });
      if (!this.flushing) {
        this.flushing = true;
        // the requests that end in this turn of the event loop join the first insert
        // (an insert other requests wait on: not cancelled when the first of them ends)
        setImmediate(() => void sharedWork(() => this.flush()));
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxRows);
      try {
        await this.insert(batch);
      } catch (error) {
        if (batch.length === 1) batch[0].failed(error);
        else for (const one of batch) await this.insert([one]).catch(one.failed);
      }
    }
    this.flushing = false;
  }

  private async insert(batch: Waiting[]): Promise<void> {
    await this.database.rows(insertRows(batch.map((w) => w.row)));
    for (const w of batch) {
      w.written();
      this.entriesSinceMerge += w.row.enterprises.length;
    }
    if (this.entriesSinceMerge >= this.mergeEvery && !this.merging) this.merge();
  }

  /**
   * Merges the GIN index's pending list into the index, beside the requests: no response waits
   * for it. Left to itself, PostgreSQL merges the list inside whichever insert finds it over
   * gin_pending_list_limit, and every request of that insert's group waits the tens of
   * milliseconds the merge takes. Should this fail (a role that does not own the index may not
   * merge), the rows are written all the same and PostgreSQL's own merge remains.
   */
  private merge(): void {
    this.merging = true;
    this.entriesSinceMerge = 0;
    sharedWork(() =>
      this.database.rows(
        sql`select gin_clean_pending_list(${AUDIT_ENTERPRISES_INDEX}::regclass) as merged`,
      ),
    )
      .catch(this.onMergeError)
      .finally(() => {
        this.merging = false;
      });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who did it, as records of decisions name the actor: the key's holder and its id. */
export const actorOf = (viewer: Viewer): string =>
  `${viewer.name}${viewer.keyId ? ` (key ${viewer.keyId})` : ''}`;

/**
 * Writes the audit row of one write of a decision of record (publishing a run, deciding an
 * objection, approving a round, recording a payment): who, what (`action`) and its detail. Call it
 * inside the write's transaction, so that the write and its row commit together, once.
 */
export async function writeAuditAction(
  db: Database['db'],
  entry: {
    viewer: Viewer;
    action: string;
    detail: Record<string, unknown>;
    enterprises?: readonly string[];
    requestId?: string;
  },
): Promise<void> {
  await db.insert(auditLog).values({
    keyId: entry.viewer.keyId === null ? null : Number(entry.viewer.keyId),
    role: entry.viewer.role,
    keyName: entry.viewer.name,
    operationName: entry.action,
    enterprises: [...new Set(entry.enterprises ?? [])].sort(),
    fields: [`Mutation.${entry.action}`],
    requestId: entry.requestId && UUID.test(entry.requestId) ? entry.requestId : randomUUID(),
    action: entry.action,
    detail: entry.detail,
  });
}

/** Which audit rows to read; dates are calendar days (YYYY-MM-DD), `to` inclusive, in the server's time zone. */
export interface AuditFilter {
  from?: string | null;
  to?: string | null;
  role?: string | null;
  keyName?: string | null;
  /** rows that touched this enterprise */
  uscc?: string | null;
}

function conditions(filter: AuditFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.from) where.push(gte(auditLog.at, sql`${filter.from}::date`));
  if (filter.to) where.push(lt(auditLog.at, sql`${filter.to}::date + 1`));
  if (filter.role) where.push(eq(auditLog.role, filter.role));
  if (filter.keyName) where.push(eq(auditLog.keyName, filter.keyName));
  if (filter.uscc)
    where.push(
      sql`${auditLog.enterprises} @> array[${filter.uscc.trim().toUpperCase()}]::varchar(18)[]`,
    );
  return where;
}

/**
 * One page of the audit log, newest first, for a cursor connection: `after`/`before` are row ids
 * (older rows come after newer ones); `inverted` reads from the oldest end (for `last`).
 */
export async function auditPage(
  database: Database,
  filter: AuditFilter,
  page: { after?: string; before?: string; limit: number; inverted: boolean },
): Promise<AuditRow[]> {
  const where = conditions(filter);
  if (page.after) where.push(lt(auditLog.id, cursorId(page.after)));
  if (page.before) where.push(gt(auditLog.id, cursorId(page.before)));
  return await database.db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(page.inverted ? asc(auditLog.id) : desc(auditLog.id))
    .limit(page.limit);
}

function cursorId(cursor: string): number {
  const id = Number(cursor);
  if (!Number.isSafeInteger(id) || id < 0)
    throw new UserInputError(`不是审计日志的分页游标：${JSON.stringify(cursor)}`);
  return id;
}

/** Every audit row in the filter, oldest first (for `edp audit export`). */
export async function auditRows(database: Database, filter: AuditFilter): Promise<AuditRow[]> {
  return await database.db
    .select()
    .from(auditLog)
    .where(and(...conditions(filter)))
    .orderBy(asc(auditLog.id));
}
