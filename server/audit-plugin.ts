import type { ApolloServerPlugin } from '@apollo/server';
import {
  type DocumentNode,
  type GraphQLSchema,
  isAbstractType,
  isObjectType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { writeAudit } from '../resolvers/audit.js';
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
 * Whether `document` may resolve an audited field: each selected field is looked up on its parent
 * type, or on every possible type of an interface or union. Documents without one resolve without
 * the per-field hook.
 */
function selectsAuditedField(
  schema: GraphQLSchema,
  audited: Map<string, Set<string>>,
  document: DocumentNode,
): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!parent) return;
        const types = isAbstractType(parent) ? schema.getPossibleTypes(parent) : [parent];
        if (types.some((type) => audited.get(type.name)?.has(node.name.value))) found = true;
      },
    }),
  );
  return found;
}

/** The enterprises a record or an argument names (a lease names two). */
function enterprisesOf(source: unknown, args: Record<string, unknown>): string[] {
  const found: string[] = [];
  const row = (source ?? {}) as Record<string, unknown>;
  for (const value of [row.uscc, row.lessorUscc, row.lesseeUscc, args.uscc])
    if (typeof value === 'string' && value) found.push(value.trim().toUpperCase());
  return found;
}

/**
 * Audits reads of department detail and personal data: each such field that resolves without error
 * is noted in the request's AuditCollector (in memory, no database round trip), and the request's
 * one audit_log row is written before the response leaves. When that write fails the data is
 * withheld: an unaudited read of tax data must not happen.
 */
export function auditPlugin(
  schema: GraphQLSchema,
  database: Database,
  logger: Logger,
): ApolloServerPlugin<Context> {
  const audited = auditedFields(schema);
  /** per parsed document (Apollo reuses the cached one) */
  const mayAudit = new WeakMap<DocumentNode, boolean>();
  return {
    async requestDidStart() {
      return {
        async executionDidStart({ document }) {
          let audits = mayAudit.get(document);
          if (audits === undefined)
            mayAudit.set(document, (audits = selectsAuditedField(schema, audited, document)));
          if (!audits) return;
          return {
            willResolveField({ source, args, contextValue, info }) {
              if (!audited.get(info.parentType.name)?.has(info.fieldName)) return;
              return (error) => {
                if (error) return;
                const name = `${info.parentType.name}.${info.fieldName}`;
                const touched = enterprisesOf(source, args);
                if (touched.length === 0) contextValue.audit.record(name);
                for (const uscc of touched) contextValue.audit.record(name, uscc);
              };
            },
          };
        },
        async willSendResponse({ contextValue, operationName, response }) {
          try {
            await writeAudit(database, {
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
                    message:
                      'The audit log could not be written, so the data is withheld; try again shortly.',
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
