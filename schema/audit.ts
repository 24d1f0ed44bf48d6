import { resolveCursorConnection } from '@pothos/plugin-relay';
import type { AuditRow } from '../db/auth.js';
import { auditPage } from '../resolvers/audit.js';
import { builder, REFUSED } from './builder.js';

/** The audit log is for operators only. */
const admin = { admin: true } as const;

const AuditEntry = builder.objectRef<AuditRow>('AuditEntry').implement({
  description:
    '审计记录: one request that read department detail or personal data (法定代表人 unmasked), written when the request ended.',
  authScopes: admin,
  fields: (t) => ({
    id: t.exposeID('id', { description: '记录编号: the row id (later rows have larger ids)' }),
    at: t.string({
      description: '时间: when the request ended, ISO 8601 in UTC',
      resolve: (r) => new Date(r.at).toISOString(),
    }),
    keyId: t.exposeInt('keyId', {
      nullable: true,
      description: 'API 密钥编号: the key used (`edp keys list`); null for an anonymous caller',
    }),
    role: t.exposeString('role', { description: '角色: the role the request was served as' }),
    keyName: t.exposeString('keyName', {
      description:
        '密钥名称: who holds the key (a department system or person); "anonymous" without a key',
    }),
    operationName: t.exposeString('operationName', {
      nullable: true,
      description: '操作名称: the GraphQL operation name the client sent, if any',
    }),
    enterprises: t.exposeStringList('enterprises', {
      description: '涉及企业: 统一社会信用代码 of the enterprises whose detail was read',
    }),
    fields: t.exposeStringList('fields', {
      description: '读取字段: the sensitive fields read, as Type.field',
    }),
    requestId: t.exposeString('requestId', {
      description: '请求编号: the x-request-id of the request, to find it in the logs',
    }),
  }),
});

const AuditLogFilter = builder.inputType('AuditLogFilter', {
  description: '审计记录筛选: every condition given must hold.',
  fields: (t) => ({
    from: t.field({ type: 'Date', description: '起始日期: rows from this day on (inclusive)' }),
    to: t.field({ type: 'Date', description: '截止日期: rows up to this day (inclusive)' }),
    role: t.string({ description: '角色: e.g. tax, analyst' }),
    keyName: t.string({ description: '密钥名称: exactly as created' }),
    uscc: t.string({ description: '统一社会信用代码: rows that read this enterprise' }),
  }),
});

builder.queryField('auditLog', (t) =>
  t.connection(
    {
      type: AuditEntry,
      nullable: true,
      authScopes: admin,
      description: `审计日志: who read department detail or personal data, newest first (at most 100 per page). Administrators only.${REFUSED}`,
      args: { filter: t.arg({ type: AuditLogFilter, description: '筛选条件' }) },
      resolve: async (_root, args, ctx) =>
        await resolveCursorConnection<Promise<AuditRow[]>>(
          { args, toCursor: (row) => String(row.id) },
          (page) => auditPage(ctx.database, args.filter ?? {}, page),
        ),
    },
    { name: 'AuditLogConnection', description: '审计日志分页: a page of audit rows' },
    { name: 'AuditLogEdge', description: '审计日志条目: one audit row and its cursor' },
  ),
);
