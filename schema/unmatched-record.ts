import type { UnmatchedRecord as Record } from '../connectors/index.js';
import { linkRecordAs, unmatchedRecordsPage } from '../resolvers/data-quality.js';
import type { EnterpriseRow } from '../resolvers/loaders.js';
import { knownSource, quarantineSourcesFor } from '../resolvers/quarantine.js';
import { builder, REFUSED } from './builder.js';
import { Enterprise } from './enterprise.js';
import { refusedSource } from './quarantine.js';

/**
 * Unmatched records are department rows (names, identifiers, record keys): a department role reads
 * its own sources' (the resolver narrows to them), admin and analyst every source, the dashboard
 * none.
 */
const readers = { profile: true } as const;
const profile = { profile: true } as const;

export const UnmatchedRecord = builder.objectRef<Record>('UnmatchedRecord').implement({
  description:
    '未匹配记录: a department record that links to no registered enterprise, or to several; an operator can link it (linkRecord).',
  authScopes: readers,
  fields: (t) => ({
    id: t.exposeID('id', {
      description: '记录编号: <source>:<natural key>, with #lessor or #lessee for a lease party',
    }),
    source: t.exposeString('source', {
      description: '数据源: tax-payments, power, land-leases, …',
    }),
    identifier: t.exposeString('identifier', {
      nullable: true,
      description: '证件号: the identifier the record carried (USCC or legacy tax number), if any',
    }),
    name: t.exposeString('name', {
      nullable: true,
      description: '名称: the enterprise name the record carried, as delivered',
    }),
    reason: t.exposeString('reason', {
      description: '原因: why it is not linked (not registered, unknown name, ambiguous …)',
    }),
    candidates: t.field({
      type: [Enterprise],
      nullable: true,
      authScopes: profile,
      description: `候选企业: the registered enterprises it matched when it matched several (enterprise profiles: not for the dashboard role).${REFUSED}`,
      resolve: async (r, _args, ctx) =>
        (await ctx.loaders.enterprise.loadMany(r.candidates)).filter(
          (e): e is EnterpriseRow => !!e && !(e instanceof Error),
        ),
    }),
    linkedTo: t.field({
      type: Enterprise,
      nullable: true,
      authScopes: profile,
      description: `关联企业: the enterprise an operator linked it to (an enterprise profile: not for the dashboard role).${REFUSED}`,
      resolve: async (r, _args, ctx) =>
        r.linkedTo ? await ctx.loaders.enterprise.load(r.linkedTo) : null,
    }),
  }),
});

builder.queryField('unmatchedRecords', (t) =>
  t.connection(
    {
      type: UnmatchedRecord,
      nullable: true,
      authScopes: readers,
      description: `未匹配记录: records that link to no enterprise or to several, by source and natural key (at most 100 per page, \`first\`). admin and analyst read every source; a department role reads its own sources only (asking for another is FORBIDDEN; without \`source\` it gets its own).${REFUSED}`,
      args: { source: t.arg.string({ description: '数据源: only this source' }) },
      resolve: async (_root, args, ctx) => {
        if (args.source) knownSource(args.source);
        const within: string[] = quarantineSourcesFor(ctx.viewer.can);
        if (args.source && !within.includes(args.source))
          throw refusedSource(ctx.viewer.role, 'unmatchedRecords', args.source);
        const page = await unmatchedRecordsPage(ctx.database, {
          within,
          source: args.source,
          first: args.first,
          after: args.after,
        });
        return {
          totalCount: page.totalCount,
          edges: page.records.map((node) => ({ cursor: node.id, node })),
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: !!args.after,
            startCursor: page.records[0]?.id ?? null,
            endCursor: page.endCursor,
          },
        };
      },
    },
    {
      name: 'UnmatchedRecordConnection',
      description: '未匹配记录分页: a page of unmatched records',
      fields: (c) => ({
        totalCount: c.int({
          description: '总数: unmatched records of the source(s) in all (records)',
          resolve: (p) => (p as { totalCount: number }).totalCount,
        }),
      }),
    },
    {
      name: 'UnmatchedRecordEdge',
      description: '未匹配记录条目: one unmatched record and its cursor',
    },
  ),
);

builder.mutationField('linkRecord', (t) =>
  t.field({
    type: UnmatchedRecord,
    nullable: true,
    authScopes: { admin: true },
    description: `人工关联: link a record (an UnmatchedRecord id) to a registered enterprise; its values count for it at once, and the link survives reloads. Administrators only.${REFUSED}`,
    args: {
      id: t.arg.id({ required: true, description: '记录编号 (UnmatchedRecord.id)' }),
      uscc: t.arg.string({ required: true, description: '统一社会信用代码 of the enterprise' }),
    },
    resolve: (_root, args, ctx) =>
      linkRecordAs(ctx.database, ctx.viewer, String(args.id), args.uscc),
  }),
);
