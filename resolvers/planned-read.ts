import { type SQLWrapper, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';

/**
 * Stands for the enterprise's USCC in a planned relational query (`query({ where: { uscc: USCC } })`),
 * so that the query's shape, not the enterprise, keys its prepared form (readPlannedEnterprise).
 */
export const USCC = '\u0000uscc';

export interface PreparedRead {
  execute(values: Record<string, unknown>): Promise<unknown>;
}

/** Per database: a planned query's shape (its JSON) → the query, its SQL built once. */
const prepared = new WeakMap<Database, Map<string, PreparedRead>>();

/** Shapes kept per database at most (a department system asks a handful of documents). */
const MAX_SHAPES = 200;

const NOT_PLAIN = new Error('not plain data');

/** The JSON of a query made only of plain objects, arrays, strings, numbers and booleans; else null. */
export function shapeOf(query: object): string | null {
  try {
    return JSON.stringify(query, (_key, value: unknown) => {
      if (typeof value === 'function' || typeof value === 'bigint') throw NOT_PLAIN;
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
      }
      return value;
    });
  } catch {
    return null;
  }
}

/**
 * The read prepared for `shape` on `database`, built (and prepared) by `build` the first time the
 * shape is met; at most MAX_SHAPES are kept per database.
 */
export function preparedShape(
  database: Database,
  shape: string,
  build: () => PreparedRead,
): PreparedRead {
  let shapes = prepared.get(database);
  if (!shapes) prepared.set(database, (shapes = new Map()));
  let read = shapes.get(shape);
  if (!read) {
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    read = build();
    shapes.set(shape, read);
  }
  return read;
}

/** `query` with every USCC marker replaced by `by` (a copy; plain data only). */
function replaced(query: unknown, by: unknown): unknown {
  if (query === USCC) return by;
  if (Array.isArray(query)) return query.map((v) => replaced(v, by));
  if (query && typeof query === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(query)) out[key] = replaced(value, by);
    return out;
  }
  return query;
}

/**
 * The enterprise `uscc` read by a query planned with USCC in its place (relations, columns, extras
 * as the drizzle plugin planned them). A query of plain data is built into SQL once per shape and
 * database, then only executed with the USCC (drizzle spends more on building a relational
 * statement than on reading its answer); any other is built for this read alone.
 */
export function readPlannedEnterprise(
  database: Database,
  query: object,
  uscc: string,
): Promise<unknown> {
  const shape = shapeOf(query);
  if (shape === null)
    return database.db.query.enterprises.findFirst(replaced(query, uscc) as never);
  const read = preparedShape(
    database,
    shape,
    () =>
      database.db.query.enterprises
        .findFirst(replaced(query, sql.placeholder('uscc')) as never)
        .prepare() as unknown as PreparedRead,
  );
  return read.execute({ uscc });
}

/**
 * The enterprises `usccs` (in any order) read by a planned query without its `where` (a page's
 * nodes with their relations), built into SQL once per shape like readPlannedEnterprise: the
 * USCCs are one array parameter (`= any($1)`), the same statement for a page of 1 or of 100.
 */
export function readPlannedEnterprises(
  database: Database,
  query: object,
  usccs: string[],
): Promise<unknown[]> {
  const shape = shapeOf(query);
  const where = { uscc: { in: usccs } };
  if (shape === null)
    return database.db.query.enterprises.findMany({ ...query, where } as never) as Promise<
      unknown[]
    >;
  const read = preparedShape(
    database,
    `many ${shape}`,
    () =>
      database.db.query.enterprises
        .findMany({
          ...query,
          where: {
            RAW: (e: { uscc: SQLWrapper }) => sql`${e.uscc} = any(${sql.placeholder('usccs')})`,
          },
        } as never)
        .prepare() as unknown as PreparedRead,
  );
  return read.execute({ usccs }) as Promise<unknown[]>;
}
