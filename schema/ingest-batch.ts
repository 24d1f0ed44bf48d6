import { type IngestBatchRow, listIngestBatches } from '../resolvers/data-quality.js';
import { builder } from './builder.js';

/** Data-quality views are county aggregates: dashboards show how fresh each department's data is. */
const aggregates = { aggregates: true } as const;

const timestamp = (value: Date | string | null) =>
  value === null ? null : new Date(value).toISOString();

export const IngestBatch = builder.objectRef<IngestBatchRow>('IngestBatch').implement({
  description:
    '数据批次: one load of one department file (or one API pull). rowsRead = rowsLoaded + rowsQuarantined + rowsUnmatched.',
  authScopes: aggregates,
  fields: (t) => ({
    id: t.exposeID('id', { description: '批次号: the batch id (later loads have larger ids)' }),
    source: t.exposeString('source', {
      description: '数据源: market-registry, tax-payments, power, …',
    }),
    fileName: t.exposeString('fileName', {
      nullable: true,
      description: '文件名: the file loaded (api:… for an API pull)',
    }),
    status: t.exposeString('status', {
      description: '状态: running, committed or failed (a failed batch loaded nothing)',
    }),
    rowsRead: t.exposeInt('rowsRead', { description: '读取行数: data rows in the file (rows)' }),
    rowsLoaded: t.exposeInt('rowsLoaded', {
      description:
        '入库行数: rows stored and linked to an enterprise, new, corrected or unchanged (rows)',
    }),
    rowsReplaced: t.exposeInt('rowsReplaced', {
      description:
        '更正行数: of those, rows that replaced a different earlier value with the same natural key (rows)',
    }),
    rowsQuarantined: t.exposeInt('rowsQuarantined', {
      description: '隔离行数: rows that failed validation, kept with their reasons (rows)',
    }),
    rowsUnmatched: t.exposeInt('rowsUnmatched', {
      description: '未匹配行数: rows stored but linked to no enterprise or to several (rows)',
    }),
    message: t.exposeString('message', {
      nullable: true,
      description: '说明: why a failed batch failed',
    }),
    startedAt: t.string({
      description: '开始时间: ISO 8601 in UTC',
      resolve: (b) => timestamp(b.startedAt)!,
    }),
    finishedAt: t.string({
      nullable: true,
      description: '结束时间: ISO 8601 in UTC; null while running',
      resolve: (b) => timestamp(b.finishedAt),
    }),
  }),
});

builder.queryField('ingestBatches', (t) =>
  t.field({
    type: [IngestBatch],
    authScopes: aggregates,
    description: '数据批次: loads of department files, newest first (at most 200).',
    args: {
      source: t.arg.string({ description: '数据源: only this source' }),
      first: t.arg.int({ description: '条数: how many (default 20, at most 200)' }),
    },
    resolve: (_root, args, ctx) => listIngestBatches(ctx.database, args),
  }),
);
