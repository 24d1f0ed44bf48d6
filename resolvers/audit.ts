import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, gt, gte, lt, type SQL, sql } from 'drizzle-orm';
import { type AuditRow, auditLog } from '../db/auth.js';
import type { Database } from '../db/client.js';
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

  /** Notes that `field` (Type.field) was read, for the enterprise `uscc` when known. */
  record(field: string, uscc?: string | null) {
    this.fields.add(field);
    if (uscc) this.enterprises.add(uscc);
  }

  get empty() {
    return this.fields.size === 0;
  }
}

/** Writes one request's audit row (one statement). Nothing is written when nothing sensitive was read. */
export async function writeAudit(
  database: Database,
  entry: {
    viewer: Viewer;
    operationName: string | null;
    requestId: string;
    collected: AuditCollector;
  },
): Promise<boolean> {
  if (entry.collected.empty) return false;
  await database.db.insert(auditLog).values({
    keyId: entry.viewer.keyId === null ? null : Number(entry.viewer.keyId),
    role: entry.viewer.role,
    keyName: entry.viewer.name,
    operationName: entry.operationName,
    enterprises: [...entry.collected.enterprises].sort(),
    fields: [...entry.collected.fields].sort(),
    requestId: entry.requestId,
  });
  return true;
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
