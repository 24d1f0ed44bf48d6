import {
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  getArgumentValues,
  getNullableType,
} from 'graphql';
import type { enterprises } from '../db/market.js';
import { readPlannedEnterprise, USCC } from '../resolvers/planned-read.js';
import {
  type PowerRow,
  powerAccountsKey,
  powerReadingsRelation,
  primePowerAccounts,
} from '../resolvers/profile.js';
import { builder } from './builder.js';
import { fieldsBeneath, nodeSelectsPath } from './selection.js';

/** The register basics are the shared profile: every reading role sees them. */
const profile = { profile: true } as const;

/**
 * 企业 — one registered enterprise, keyed by its 统一社会信用代码, joining every department's
 * records through entity resolution (docs/sources.md). Department detail is added to this type by
 * schema/{tax,land,power,market,recognition}.ts; metrics and grades by schema/metrics.ts.
 */
export const Enterprise = builder.drizzleNode('enterprises', {
  name: 'Enterprise',
  description:
    '企业画像: a registered enterprise (市场监督管理局 register) joined with every department’s records. Amounts in 元, land in 亩.',
  id: {
    column: (e) => e.uscc,
    description: 'Relay global ID (全局标识) of the enterprise; pass it to `node` to refetch',
  },
  // A planned read loads the columns its fields ask for (a page of enterprises with their parcels
  // reads two columns of the register, not eighteen), and always the USCC every department's detail
  // hangs from. Each register field names its column and resolves from the row: the drizzle plugin
  // (patched) looks nothing up for a field whose columns the row holds.
  select: { columns: { uscc: true } },
  fields: (t) => ({
    uscc: t.string({
      authScopes: profile,
      description: '统一社会信用代码 (USCC, 18 characters)',
      resolve: (e) => e.uscc,
    }),
    name: t.string({
      select: { columns: { name: true } },
      authScopes: profile,
      description: '企业名称: the registered name, as delivered',
      resolve: (e) => e.name,
    }),
    formerNames: t.stringList({
      select: { columns: { formerNames: true } },
      authScopes: profile,
      description: '曾用名: former registered names, as delivered',
      resolve: (e) => e.formerNames,
    }),
    status: t.string({
      select: { columns: { status: true } },
      authScopes: profile,
      resolve: (e) => e.status,
      description:
        '登记状态 as registered: 存续, 在业, 迁出, 吊销 or 注销 (存续 and 在业 are active)',
    }),
    active: t.boolean({
      select: { columns: { status: true } },
      authScopes: profile,
      description: '是否存续: true when 登记状态 is 存续 or 在业',
      resolve: (e) => e.status === '存续' || e.status === '在业',
    }),
    town: t.string({
      select: { columns: { town: true } },
      nullable: true,
      authScopes: profile,
      description: '所属乡镇: town or sub-district, e.g. 中都街道',
      resolve: (e) => e.town,
    }),
    industryCode: t.string({
      select: { columns: { industryCode: true } },
      nullable: true,
      authScopes: profile,
      description: '行业代码 (GB/T 4754-2017), e.g. C3670',
      resolve: (e) => e.industryCode,
    }),
    industrySection: t.string({
      select: { columns: { industrySection: true } },
      nullable: true,
      authScopes: profile,
      description: '行业门类: section letter, e.g. C (制造业)',
      resolve: (e) => e.industrySection,
    }),
    industryDivision: t.string({
      select: { columns: { industryDivision: true } },
      nullable: true,
      resolve: (e) => e.industryDivision,
      authScopes: profile,
      description: '行业大类: section letter and two-digit division, e.g. C36',
    }),
    establishedOn: t.field({
      select: { columns: { establishedOn: true } },
      type: 'Date',
      nullable: true,
      authScopes: profile,
      description: '成立日期: date of establishment',
      resolve: (e) => e.establishedOn,
    }),
  }),
});

type EnterpriseRow = typeof enterprises.$inferSelect;

/**
 * The one `powerAccounts` selection beneath `enterprise` (its year, and whether a month's
 * provenance is asked for), or null when there is none or several that differ (those are left to
 * the loader).
 */
function powerAccountsAskedFor(info: GraphQLResolveInfo, uscc: string) {
  const field = (getNullableType(info.returnType) as GraphQLObjectType).getFields().powerAccounts;
  if (!field) return null;
  const asked = fieldsBeneath(info, 'powerAccounts').map((node) => {
    const { year } = getArgumentValues(field, node, info.variableValues) as {
      year?: number | null;
    };
    const provenance = nodeSelectsPath(info, node, ['months', 'provenance']);
    return { year, provenance, key: powerAccountsKey(uscc, year, provenance) };
  });
  return asked.length > 0 && asked.every((a) => a.key === asked[0].key) ? asked[0] : null;
}

/** True when a planned query's `with` or `extras` holds nothing (only the row's own columns are needed). */
export const isEmpty = (part: object | undefined) => !part || Object.keys(part).length === 0;

builder.queryFields((t) => ({
  enterprise: t.drizzleField({
    type: 'enterprises',
    nullable: true,
    authScopes: profile,
    description:
      '企业画像: one enterprise by its 统一社会信用代码; null when no enterprise is registered under it.',
    args: {
      uscc: t.arg.string({
        required: true,
        description: '统一社会信用代码 (case and surrounding spaces are ignored)',
      }),
    },
    resolve: async (query, _root, args, ctx, info) => {
      const uscc = args.uscc.trim().toUpperCase();
      const planned = query({ where: { uscc: USCC } }) as {
        with?: Record<string, unknown>;
        extras?: object;
      };
      // The power accounts asked for (one year) are read by the same statement, then handed to
      // their loader: the power company's profile costs one statement, as the others do.
      const power = powerAccountsAskedFor(info, uscc);
      // Nothing beneath but the register's own columns and per-request loaders (metrics, grade):
      // the enterprise's row through the request's loader, a prepared statement. Otherwise the
      // planned query loads the row with every relation selected, in one statement.
      if (isEmpty(planned.with) && isEmpty(planned.extras) && !power)
        return ctx.loaders.enterprise.load(uscc);
      if (power)
        planned.with = {
          ...planned.with,
          powerConsumption: powerReadingsRelation(power.year, power.provenance),
        };
      const row = (await readPlannedEnterprise(ctx.database, planned, uscc)) as
        | (EnterpriseRow & { powerConsumption?: PowerRow[] })
        | undefined;
      if (!row) return null;
      if (power && row.powerConsumption)
        primePowerAccounts(ctx.loaders.powerAccounts, power.key, row.powerConsumption);
      return row;
    },
  }),
}));
