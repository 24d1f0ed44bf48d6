import {
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

/**
 * API keys of department systems and people (docs/interface.md, authentication). Only the sha-256 of a
 * key is stored, with a short prefix to tell keys apart in `edp keys list`; the key itself is
 * printed once, when it is created.
 */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    /** who holds it: a department system or a person */
    name: text('name').notNull(),
    /** one of resolvers/roles.ts ROLES */
    role: varchar('role', { length: 32 }).notNull(),
    /** hex sha-256 of the whole key */
    keyHash: varchar('key_hash', { length: 64 }).notNull(),
    /** the key's first characters, for display (e.g. edp_3Fq9xY2a) */
    prefix: varchar('prefix', { length: 16 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    /** set once; a revoked key is refused from the next request on */
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    /** recorded at most about once a minute per key (no write per request) */
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('api_keys_key_hash_idx').on(t.keyHash),
    index('api_keys_prefix_idx').on(t.prefix),
  ],
);

/**
 * The GIN index over audit_log.enterprises (the audit rows that touched an enterprise). New entries
 * go to its pending list (GIN's fastupdate, up to 32 MB) and are merged into the index in bulk;
 * the service's AuditWriter has that merge done beside the requests (resolvers/audit.ts).
 */
export const AUDIT_ENTERPRISES_INDEX = 'audit_log_enterprises_idx';

/**
 * Who read department detail or personal data (法定代表人 unmasked): one row per request that did,
 * written once at the end of the request. Writes of decisions of record (publishing a run, an
 * objection, an award round, a payment) are here too, one row each, with `action` and `detail`.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    /** null for an anonymous caller (embedded demo or EDP_ALLOW_ANONYMOUS=1) */
    keyId: integer('key_id'),
    role: varchar('role', { length: 32 }).notNull(),
    keyName: text('key_name').notNull(),
    operationName: text('operation_name'),
    /** 统一社会信用代码 of the enterprises whose detail was read */
    enterprises: varchar('enterprises', { length: 18 }).array().notNull().default([]),
    /** the sensitive fields read, as Type.field */
    fields: text('fields').array().notNull().default([]),
    requestId: uuid('request_id').notNull(),
    /** for a write: what was done, e.g. publishEvaluation; null for a read */
    action: text('action'),
    /** for a write: its arguments and the record it made (ids, year, amounts) */
    detail: jsonb('detail'),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index(AUDIT_ENTERPRISES_INDEX)
      .using('gin', t.enterprises)
      .with({ gin_pending_list_limit: 32768 }),
  ],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;
