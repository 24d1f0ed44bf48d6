/** What the load reads from PostgreSQL's catalog about a table. */
import type { Session } from './session.js';

/** The types of `table`'s columns `columns` (as `format_type()` writes them), by column. */
export async function columnTypes(
  session: Session,
  table: string,
  columns: readonly string[],
): Promise<Map<string, string>> {
  const types = await session.query<{ name: string; type: string }>(
    `select attname as name, format_type(atttypid, atttypmod) as type from pg_attribute
     where attrelid = $1::regclass and attname = any($2::text[]) and not attisdropped`,
    [table, columns],
  );
  return new Map(types.map((t) => [t.name, t.type]));
}

/** An index of a table as it can be created again: its name and statement. */
export interface IndexDefinition {
  name: string;
  /** the constraint it serves (primary key, unique), or null for a plain index */
  constraint: string | null;
  create: string;
}

/** The table's indexes (and the constraints they serve), as `create` statements. */
export async function indexesOf(session: Session, table: string): Promise<IndexDefinition[]> {
  const rows = await session.query<{
    name: string;
    constraint: string | null;
    index_def: string;
    constraint_def: string | null;
  }>(
    `select i.indexrelid::regclass::text as name, c.conname as constraint, pg_get_indexdef(i.indexrelid) as index_def,
       pg_get_constraintdef(c.oid) as constraint_def
     from pg_index i left join pg_constraint c on c.conindid = i.indexrelid and c.conrelid = i.indrelid
     where i.indrelid = $1::regclass order by i.indexrelid`,
    [table],
  );
  return rows.map((r) => ({
    name: r.name,
    constraint: r.constraint,
    create: r.constraint
      ? `alter table ${table} add constraint "${r.constraint}" ${r.constraint_def}`
      : r.index_def,
  }));
}
