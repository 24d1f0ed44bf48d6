import { builder } from './builder.js';

/** Where a department record came from and how it was linked (docs/sources.md, common rules). */
export interface ProvenanceShape {
  source: string;
  batchId: number;
  loadedAt: Date | string;
  sourceRow: number | null;
  matchMethod: string | null;
  rawIdentifier: string | null;
  rawName: string | null;
}

/** The columns every linked record carries (db/common.ts linkColumns + provenanceColumns). */
interface LinkedRow {
  batchId: number;
  loadedAt: Date | string;
  sourceRow: number | null;
  matchMethod?: string | null;
  rawIdentifier?: string | null;
  rawName?: string | null;
}

export const Provenance = builder.objectRef<ProvenanceShape>('Provenance').implement({
  description:
    '数据来源: the batch and file row that last wrote a record, and how the record was linked to its enterprise.',
  fields: (t) => ({
    source: t.exposeString('source', {
      description: '数据源: the source name of docs/interface.md, e.g. tax-payments',
    }),
    batchId: t.id({
      description:
        '导入批次: the id of the ingest batch (ingestBatches.id) that last wrote the record',
      resolve: (p) => p.batchId,
    }),
    loadedAt: t.string({
      description: '入库时间: when the record was written, ISO 8601 with time zone',
      resolve: (p) => (p.loadedAt instanceof Date ? p.loadedAt.toISOString() : String(p.loadedAt)),
    }),
    sourceRow: t.exposeInt('sourceRow', {
      nullable: true,
      description:
        '源文件行号: 1-based row number in the delivered file (the header is row 1); null for API pulls',
    }),
    matchMethod: t.exposeString('matchMethod', {
      nullable: true,
      description:
        '关联方式: how the record was linked to the enterprise — uscc, legacy (旧税务登记号), name, former_name (曾用名) or manual',
    }),
    rawIdentifier: t.exposeString('rawIdentifier', {
      nullable: true,
      description: '原始证件号: the identifier exactly as the department delivered it',
    }),
    rawName: t.exposeString('rawName', {
      nullable: true,
      description: '原始名称: the enterprise name exactly as the department delivered it',
    }),
  }),
});

/**
 * The columns `provenanceOf` reads from a linked record: the `select` of a `provenance` field, so a
 * detail list loads them only when provenance is asked for.
 */
export const PROVENANCE_COLUMNS = {
  batchId: true,
  loadedAt: true,
  sourceRow: true,
  matchMethod: true,
  rawIdentifier: true,
  rawName: true,
} as const;

/** Builds the provenance of a row of `source`; `link` picks another party's columns (a lease's lessee). */
export function provenanceOf(
  source: string,
  row: LinkedRow,
  link: Partial<Pick<ProvenanceShape, 'matchMethod' | 'rawIdentifier' | 'rawName'>> = {},
): ProvenanceShape {
  return {
    source,
    batchId: row.batchId,
    loadedAt: row.loadedAt,
    sourceRow: row.sourceRow,
    matchMethod: link.matchMethod ?? row.matchMethod ?? null,
    rawIdentifier: link.rawIdentifier ?? row.rawIdentifier ?? null,
    rawName: link.rawName ?? row.rawName ?? null,
  };
}
