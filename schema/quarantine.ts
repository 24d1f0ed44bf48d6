import { GraphQLError } from 'graphql';
import { UserInputError } from '../lib/errors.js';
import { batchesById } from '../resolvers/data-quality.js';
import {
  batchSource,
  type RawCell as Cell,
  knownSource,
  quarantineCursor,
  quarantinedRowsPage,
  quarantineSourcesFor,
  type QuarantinedRow as Row,
} from '../resolvers/quarantine.js';
import { builder, REFUSED } from './builder.js';
import { IngestBatch } from './ingest-batch.js';

/** Department roles read their own sources' rows; the resolver narrows to them (admin and analyst: all). */
const readers = { profile: true } as const;

const RawCell = builder.objectRef<Cell>('RawCell').implement({
  description: '原始单元格: one cell of a quarantined row as the department’s file had it.',
  fields: (t) => ({
    column: t.exposeString('column', {
      description: '列名: the file’s header of the column (列N when it had none)',
    }),
    value: t.exposeString('value', { description: '内容: the cell text as read' }),
  }),
});

export const QuarantinedRow = builder.objectRef<Row>('QuarantinedRow').implement({
  description:
    '隔离行: a row of a department file that failed validation and was not loaded, with every reason, so that the department can correct and resend it.',
  authScopes: readers,
  fields: (t) => ({
    id: t.exposeID('id', { description: '编号: the stored row’s id' }),
    batchId: t.exposeID('batchId', { description: '批次号: the load (IngestBatch.id) it came in' }),
    batch: t.loadable({
      type: IngestBatch,
      nullable: true,
      description: '批次: the load it came in (null only when that batch record is gone)',
      load: (ids: number[], ctx) => batchesById(ctx.database, ids),
      resolve: (r) => r.batchId,
    }),
    source: t.exposeString('source', { description: '数据源: tax-payments, power, …' }),
    fileName: t.exposeString('fileName', {
      nullable: true,
      description: '文件名: the file it was read from (api:… for an API pull)',
    }),
    rowNumber: t.exposeInt('rowNumber', {
      description: '行号: 1-based row number in the file, the header being row 1',
    }),
    raw: t.field({
      type: [RawCell],
      description: '原始内容: the row’s cells as read, in the order of the source’s columns',
      resolve: (r) => r.raw,
    }),
    reasons: t.exposeStringList('reasons', {
      description: '隔离原因: every reason the row failed, one per problem',
    }),
    supersededByBatchId: t.id({
      nullable: true,
      description:
        '被取代批次: the later batch (IngestBatch.id) that made this row history — it loaded the same file again, the same row, or the record with this natural key; null while the row is current',
      resolve: (r) => r.supersededBy,
    }),
  }),
});

/** FORBIDDEN for a source outside the role's own, worded as the schema's other refusals. */
export const refusedSource = (role: string, field: string, source: string) =>
  new GraphQLError(
    `Role "${role}" may not read Query.${field} of source ${source} (it needs that source's department).`,
    { extensions: { code: 'FORBIDDEN' } },
  );
const refused = (role: string, source: string) => refusedSource(role, 'quarantinedRows', source);

builder.queryField('quarantinedRows', (t) =>
  t.connection(
    {
      type: QuarantinedRow,
      nullable: true,
      authScopes: readers,
      description: `隔离行: rows that failed validation, newest batch first and by row number (at most 100 per page, \`first\`). admin and analyst read every source; a department role reads its own sources only (asking for another is FORBIDDEN; without \`source\` it gets its own).${REFUSED}`,
      args: {
        source: t.arg.string({ description: '数据源: only this source' }),
        batchId: t.arg.id({
          description:
            '批次号: only this batch (IngestBatch.id), every row it quarantined (superseded ones too, with supersededByBatchId); without it only the current rows',
        }),
      },
      resolve: async (_root, args, ctx) => {
        if (args.source) knownSource(args.source);
        const allowed: string[] = quarantineSourcesFor(ctx.viewer.can);
        if (args.source && !allowed.includes(args.source))
          throw refused(ctx.viewer.role, args.source);
        const batchId =
          args.batchId === null || args.batchId === undefined ? null : Number(args.batchId);
        if (batchId !== null && !Number.isSafeInteger(batchId))
          throw new UserInputError(`batchId "${args.batchId}" 不是批次号`);
        const source = batchId === null ? null : await batchSource(ctx.database, batchId);
        if (source && !allowed.includes(source)) throw refused(ctx.viewer.role, source);
        ctx.audit.record('Query.quarantinedRows');
        const page = await quarantinedRowsPage(ctx.database, allowed, {
          source: args.source,
          batchId,
          first: args.first,
          after: args.after,
        });
        return {
          totalCount: page.totalCount,
          edges: page.rows.map((node) => ({ cursor: quarantineCursor(node), node })),
          pageInfo: {
            hasNextPage: page.hasNextPage,
            hasPreviousPage: !!args.after,
            startCursor: page.rows.length ? quarantineCursor(page.rows[0]) : null,
            endCursor: page.endCursor,
          },
        };
      },
    },
    {
      name: 'QuarantinedRowConnection',
      description: '隔离行分页: a page of quarantined rows',
      fields: (c) => ({
        totalCount: c.int({
          description: '总数: quarantined rows matching the arguments in all (rows)',
          resolve: (p) => (p as { totalCount: number }).totalCount,
        }),
      }),
    },
    { name: 'QuarantinedRowEdge', description: '隔离行条目: one quarantined row and its cursor' },
  ),
);
