import type { ApolloServerPlugin } from '@apollo/server';
import {
  defaultFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
  isObjectType,
} from 'graphql';
import { type Database, hasSqlState } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { type AuditCollector, AuditWriter } from '../resolvers/audit.js';
import type { Context } from '../resolvers/context.js';

/** Scopes whose reads are audited: a department's detail records and personal data. */
const AUDITED_SCOPES = new Set(['department', 'personalData']);

/** Pothos keeps a type's or field's options (authScopes among them) in `extensions.pothosOptions`. */
export const pothosAuthScopes = (extensions: unknown): unknown =>
  (extensions as { pothosOptions?: { authScopes?: unknown } } | null | undefined)?.pothosOptions
    ?.authScopes;

/** True when a scope map asks for an audited scope, looking into $any/$all; a scope function may, so it counts. */
function mentionsAuditedScope(scopes: unknown): boolean {
  if (typeof scopes === 'function') return true;
  if (!scopes || typeof scopes !== 'object') return false;
  return Object.entries(scopes).some(
    ([name, value]) =>
      AUDITED_SCOPES.has(name) ||
      ((name === '$any' || name === '$all') && mentionsAuditedScope(value)),
  );
}

/** Type name → the fields whose reads are audited, from the authScopes on the fields and on their types. */
export function auditedFields(schema: GraphQLSchema): Map<string, Set<string>> {
  const audited = new Map<string, Set<string>>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeLevel = mentionsAuditedScope(pothosAuthScopes(type.extensions));
    const names = Object.values(type.getFields())
      .filter((field) => typeLevel || mentionsAuditedScope(pothosAuthScopes(field.extensions)))
      .map((field) => field.name);
    if (names.length) audited.set(type.name, new Set(names));
  }
  return audited;
}

/**
 * Notes in the request's AuditCollector that `field` (Type.field) was read of `source`: the
 * enterprises the record names (a lease names two) or the field's `uscc` argument. Run for every
 * row of an audited list, so it allocates nothing for an enterprise already noted.
 */
function note(audit: AuditCollector, field: string, source: unknown, args: { uscc?: unknown }) {
  audit.fields.add(field);
  // the fields of one row resolve one after another: its enterprises are noted once
  if (source && typeof source === 'object' && source !== audit.lastRow) {
    audit.lastRow = source;
    const row = source as { uscc?: unknown; lessorUscc?: unknown; lesseeUscc?: unknown };
    noteEnterprise(audit, row.uscc);
    noteEnterprise(audit, row.lessorUscc);
    noteEnterprise(audit, row.lesseeUscc);
  }
  noteEnterprise(audit, args.uscc);
}

function noteEnterprise(audit: AuditCollector, uscc: unknown) {
  if (typeof uscc === 'string' && uscc && !audit.enterprises.has(uscc))
    audit.enterprises.add(uscc.trim().toUpperCase());
}

const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof (value as Promise<unknown> | null)?.then === 'function';

/** Schemas whose audited fields already note their reads. */
const recording = new WeakSet<GraphQLSchema>();

/**
 * Wraps the resolver of each audited field (and of no other) so that a read that resolves without
 * error is noted in the request's AuditCollector: a refused field (FORBIDDEN) or a failed one is
 * not. The rest of the schema resolves unwrapped, with no per-field hook of the server's.
 */
export function recordAuditedReads(schema: GraphQLSchema): void {
  if (recording.has(schema)) return;
  recording.add(schema);
  for (const [typeName, names] of auditedFields(schema)) {
    const type = schema.getType(typeName) as GraphQLObjectType;
    for (const name of names) {
      const field = type.getFields()[name];
      const resolve = field.resolve ?? defaultFieldResolver;
      const label = `${typeName}.${name}`;
      field.resolve = (source, args, context: Context, info) => {
        const result = resolve(source, args, context, info);
        // a column's value (text, number, null): noted at once, nothing to wait for
        if (result === null || typeof result !== 'object') {
          note(context.audit, label, source, args);
          return result;
        }
        if (isPromise(result))
          return result.then((value) => {
            note(context.audit, label, source, args);
            return value;
          });
        if (Array.isArray(result) && result.some(isPromise))
          // a list of promises: noted once every item resolved, the list itself handed on as is
          Promise.all(result).then(
            () => note(context.audit, label, source, args),
            () => {},
          );
        else note(context.audit, label, source, args);
        return result;
      };
    }
  }
}

/**
 * Audits reads of department detail and personal data: each such field that resolves without error
 * is noted in the request's AuditCollector (in memory, no database round trip; see
 * recordAuditedReads), and the request's one audit_log row is durable before the response leaves —
 * written with the rows of the requests ending at the same time (AuditWriter). When that write
 * fails the data is withheld: an unaudited read of tax data must not happen.
 */
export function auditPlugin(
  schema: GraphQLSchema,
  database: Database,
  logger: Logger,
): ApolloServerPlugin<Context> {
  recordAuditedReads(schema);
  let mergeRefused = false;
  const writer = new AuditWriter(database, {
    onMergeError: (err) => {
      // a role that may write rows but does not own the index: said once, not at every merge
      if (mergeRefused) return;
      mergeRefused = hasSqlState(err, '42501'); // insufficient_privilege
      logger.warn({ err }, 'audit index pending list not merged; PostgreSQL merges it itself');
    },
  });
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operationName, response }) {
          try {
            await writer.write({
              viewer: contextValue.viewer,
              operationName: operationName ?? null,
              requestId: contextValue.requestId,
              collected: contextValue.audit,
            });
          } catch (err) {
            logger.error(
              { err, requestId: contextValue.requestId },
              'audit log not written: response withheld',
            );
            response.http.status = 503;
            response.body = {
              kind: 'single',
              singleResult: {
                errors: [
                  {
                    message: '审计日志未能写入，数据暂不返回；请稍后重试。',
                    extensions: { code: 'AUDIT_UNAVAILABLE' },
                  },
                ],
              },
            };
          }
        },
      };
    },
  };
}
