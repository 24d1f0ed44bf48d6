import { sql } from 'drizzle-orm';
import {
  isSourceName,
  normaliseHeader,
  SOURCE_DEFINITIONS,
  SOURCES,
  type SourceName,
} from '../connectors/index.js';
import type { Database } from '../db/client.js';
import { ingestBatches, quarantinedRows } from '../db/ingest.js';
import { UserInputError } from '../lib/errors.js';
import { type Capabilities, DEPARTMENTS } from './roles.js';

/**
 * The sources whose quarantined rows a role with `can` may read: those its departments read
 * (SourceDefinition.readBy); a source no department reads (the recognition lists, from several
 * bureaus none of which has a role) only by the roles that read every department (admin, analyst).
 */
export function quarantineSourcesFor(can: Capabilities): SourceName[] {
  const all = DEPARTMENTS.every((d) => can.departments.includes(d));
  return SOURCES.filter((s) => {
    const department = SOURCE_DEFINITIONS[s].readBy;
    return department === null ? all : can.departments.includes(department);
  });
}

/** One cell of a quarantined row as the file had it. */
export interface RawCell {
  /** the file's header of the column (列N when the header had none) */
  column: string;
  value: string;
}

/** A row that failed validation, as stored: never loaded, kept with every reason. */
export interface QuarantinedRow {
  id: number;
  batchId: number;
  source: string;
  fileName: string | null;
  /** 1-based row number in the file, the header being row 1 */
  rowNumber: number;
  /** the cells in the order of the source's columns, then the file's other columns */
  raw: RawCell[];
  reasons: string[];
  /** the later batch that made the row history (a reload or a correction); null while current */
  supersededBy: number | null;
}

export interface QuarantinePage {
  rows: QuarantinedRow[];
  totalCount: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

/** Largest page one request may ask for (rows). */
export const MAX_QUARANTINE_PAGE = 1000;

/** The position of a file column among the source's columns (unknown columns last). */
function columnRank(source: string, column: string): number {
  const definition = isSourceName(source) ? SOURCE_DEFINITIONS[source] : undefined;
  const header = normaliseHeader(column);
  const at = (definition?.columns ?? []).findIndex((c) =>
    header.startsWith(normaliseHeader(c.header).replace(/\(.*\)$/, '')),
  );
  return at < 0 ? Number.MAX_SAFE_INTEGER : at;
}

/** A stored row's cells ordered as the department's file lays them out. */
function orderedCells(source: string, raw: Record<string, unknown>): RawCell[] {
  return Object.entries(raw)
    .map(([column, value]) => ({
      column,
      value: String(value ?? ''),
      rank: columnRank(source, column),
    }))
    .sort((a, b) => a.rank - b.rank || a.column.localeCompare(b.column, 'zh-CN'))
    .map(({ column, value }) => ({ column, value }));
}

/** Cursor of a row: newest batch first, then by row number. */
export const quarantineCursor = (r: { batchId: number; rowNumber: number; id: number }) =>
  `${r.batchId}:${r.rowNumber}:${r.id}`;

function parseCursor(after: string): [number, number, number] {
  const parts = after.split(':').map(Number);
  if (parts.length !== 3 || !parts.every((n) => Number.isSafeInteger(n) && n >= 0))
    throw new UserInputError(`"${after}" is not a cursor of quarantinedRows`);
  return parts as [number, number, number];
}

/** Checks a source name; an unknown one is the caller's mistake (BAD_USER_INPUT), never a refusal. */
export function knownSource(source: string): SourceName {
  if (!isSourceName(source))
    throw new UserInputError(`未知数据源 "${source}"；可选：${SOURCES.join(', ')}`);
  return source;
}

export interface QuarantineFilter {
  /** only this source */
  source?: string | null;
  /**
   * only this batch: then every row it quarantined, superseded ones too (marked); without it only
   * the current rows, one per problem (docs/quarantine.md, reloads)
   */
  batchId?: number | null;
  first?: number | null;
  after?: string | null;
}

/**
 * Quarantined rows of the `allowed` sources (optionally one source and/or one batch), newest batch
 * first and by row number within a batch, `first` (default 50, at most 1000) after a cursor; with
 * the total. Two statements. A source outside `allowed` is refused by the caller beforehand.
 */
export async function quarantinedRowsPage(
  database: Database,
  allowed: readonly string[],
  filter: QuarantineFilter,
): Promise<QuarantinePage> {
  if (filter.source) knownSource(filter.source);
  const first = filter.first ?? 50;
  if (!Number.isInteger(first) || first < 0)
    throw new UserInputError('first must be a whole number ≥ 0');
  const limit = Math.min(first, MAX_QUARANTINE_PAGE);
  const q = quarantinedRows;
  const sources = filter.source ? allowed.filter((s) => s === filter.source) : [...allowed];
  const conditions = [
    sources.length
      ? sql`${q.source} in (${sql.join(
          sources.map((s) => sql`${s}`),
          sql`, `,
        )})`
      : sql`false`,
  ];
  if (filter.batchId !== null && filter.batchId !== undefined)
    conditions.push(sql`${q.batchId} = ${filter.batchId}`);
  else conditions.push(sql`${q.supersededBy} is null`);
  const where = sql.join(conditions, sql` and `);
  const keyset = filter.after
    ? (([b, r, i]) =>
        sql` and (${q.batchId} < ${b} or (${q.batchId} = ${b} and (${q.rowNumber}, ${q.id}) > (${r}, ${i})))`)(
        parseCursor(filter.after),
      )
    : sql``;
  const rows = await database.rows<{
    id: string | number;
    batch_id: string | number;
    source: string;
    file_name: string | null;
    row_number: number;
    raw: Record<string, unknown> | string;
    reasons: string[];
    superseded_by: string | number | null;
  }>(sql`
    select ${q.id} as id, ${q.batchId} as batch_id, ${q.source} as source, ${q.fileName} as file_name,
      ${q.rowNumber} as row_number, ${q.raw} as raw, ${q.reasons} as reasons,
      ${q.supersededBy} as superseded_by
    from ${q} where ${where}${keyset}
    order by ${q.batchId} desc, ${q.rowNumber}, ${q.id} limit ${limit + 1}`);
  const [{ total }] = await database.rows<{ total: number }>(
    sql`select count(*)::int as total from ${q} where ${where}`,
  );
  const page = rows.slice(0, limit).map((r) => ({
    id: Number(r.id),
    batchId: Number(r.batch_id),
    source: r.source,
    fileName: r.file_name,
    rowNumber: r.row_number,
    raw: orderedCells(r.source, typeof r.raw === 'string' ? JSON.parse(r.raw) : r.raw),
    reasons: r.reasons,
    supersededBy: r.superseded_by === null ? null : Number(r.superseded_by),
  }));
  return {
    rows: page,
    totalCount: Number(total),
    hasNextPage: rows.length > limit,
    endCursor: page.length ? quarantineCursor(page[page.length - 1]) : null,
  };
}

/** The source of a batch, or null when there is no such batch. */
export async function batchSource(database: Database, batchId: number): Promise<string | null> {
  const [row] = await database.rows<{ source: string }>(
    sql`select ${ingestBatches.source} as source from ${ingestBatches} where ${ingestBatches.id} = ${batchId}`,
  );
  return row?.source ?? null;
}
