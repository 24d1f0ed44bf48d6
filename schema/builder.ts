import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import DrizzlePlugin from '@pothos/plugin-drizzle';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { type AuthFailure } from '@pothos/plugin-scope-auth';
import { getTableConfig } from 'drizzle-orm/pg-core';
import { GraphQLError } from 'graphql';
import { relations } from '../db/relations.js';
import type { Context, Department } from '../resolvers/context.js';
import { fieldCost, MAX_PAGE_SIZE } from './cost.js';
import DecimalsPlugin from './decimals-plugin.js';

/** The scopes a denied check asked for, e.g. ["department tax"], for the FORBIDDEN message. */
const scopesNeeded = (failure: AuthFailure): string[] =>
  failure.kind === 'AuthScope'
    ? [failure.parameter === true ? failure.scope : `${failure.scope} ${String(failure.parameter)}`]
    : 'failures' in failure
      ? failure.failures.flatMap(scopesNeeded)
      : [];

/**
 * The Pothos builder: plugins, scalars and the typed context only. Types live one per file
 * beside it; `schema/index.ts` imports them and builds the schema.
 *
 * Scopes (docs/interface.md, roles):
 * - `profile`: the shared enterprise profile (register, town, industry, metrics summary, grade)
 * - `department`: one department's detail records (tax, natural-resources, power, market)
 * - `personalData`: personal data unmasked (法定代表人)
 * - `aggregates`: county aggregates for dashboards
 * - `admin`: operator actions (linking records, audit log)
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  DrizzleRelations: typeof relations;
  AuthScopes: {
    profile: boolean;
    department: Department;
    personalData: boolean;
    aggregates: boolean;
    admin: boolean;
  };
  Scalars: {
    Date: { Input: string; Output: string };
    ID: { Input: string; Output: string | number };
  };
  DefaultFieldNullability: false;
}>({
  plugins: [
    ScopeAuthPlugin,
    RelayPlugin,
    ComplexityPlugin,
    DataloaderPlugin,
    DrizzlePlugin,
    DecimalsPlugin,
  ],
  defaultFieldNullability: false,
  drizzle: {
    client: (ctx) => ctx.database.db,
    getTableConfig,
    relations,
    maxConnectionSize: MAX_PAGE_SIZE,
    defaultConnectionSize: 20,
    // A document's relational plan is walked once per field and values of the variables beneath
    // it, then played for every request that repeats them. This holds while no field `select`,
    // relation `query` or argument mapper reads the context (the walk sees the first request's).
    cachePlans: true,
  },
  relay: {
    nodesOnConnection: true,
    clientMutationId: 'omit',
    cursorType: 'String',
    // Global ids and `node`/`nodes` lookups are profile reads; the fields a lookup reaches still
    // check their own scopes, so `node` cannot bypass a department's or the admin's scope.
    idFieldOptions: { authScopes: { profile: true } },
    nodeQueryOptions: { authScopes: { profile: true } },
    nodesQueryOptions: { authScopes: { profile: true }, nullable: { list: true, items: true } },
  },
  scopeAuth: {
    authScopes: (ctx) => ({
      profile: ctx.viewer.can.profile,
      department: (d: Department) => ctx.viewer.can.departments.includes(d),
      personalData: ctx.viewer.can.personalData,
      aggregates: ctx.viewer.can.aggregates,
      admin: ctx.viewer.can.admin,
    }),
    // A denied field is an error on that field, never a null that would pass for missing data.
    unauthorizedError: (_parent, ctx, info, result) => {
      const needed = scopesNeeded(result.failure);
      return new GraphQLError(
        `角色「${ctx.viewer.role}」无权读取 ${info.parentType.name}.${info.fieldName}${needed.length ? `（需要 ${needed.join(' 或 ')}）` : ''}。`,
        { extensions: { code: 'FORBIDDEN' } },
      );
    },
  },
  // the cost a document is refused by (server/limits.ts enforces it, with the request's variables)
  complexity: { fieldComplexity: fieldCost },
});

/**
 * Said in the description of every field a role may be refused: such a field is nullable, so that a
 * refusal nulls it alone and its parent keeps the fields the role may read (it was non-null before;
 * clients that read it with a permitted role get it as always).
 */
export const REFUSED =
  ' Null, with a FORBIDDEN error on this field, when the caller’s role may not read it (the rest of the answer is kept).';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The years a Date argument may name: PostgreSQL and the county's records agree on these. */
const FIRST_DATE_YEAR = 1900;
const LAST_DATE_YEAR = 9999;

/** A day that exists (no 2024-02-30) in the years the platform works with (no 0000-01-01). */
function isCalendarDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < FIRST_DATE_YEAR || year > LAST_DATE_YEAR) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

builder.scalarType('Date', {
  description: 'A calendar date (日期) in ISO form, YYYY-MM-DD.',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || !isCalendarDate(value)) {
      throw new GraphQLError(
        `日期须为 ${FIRST_DATE_YEAR} 到 ${LAST_DATE_YEAR} 年间真实存在的一天，写作 YYYY-MM-DD，收到 ${JSON.stringify(value)}`,
      );
    }
    return value;
  },
});
