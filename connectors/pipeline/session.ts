import type { Transaction } from '@electric-sql/pglite';
import { once } from 'node:events';
import type postgres from 'postgres';
import type { Database } from '../../db/client.js';

/**
 * One connection's worth of raw SQL, the same on PGlite and PostgreSQL: what the loader needs beyond
 * drizzle (COPY FROM STDIN, savepoints, statements inside one long transaction).
 */
export interface Session {
  kind: Database['kind'];
  /** Runs one statement with $1… parameters and returns its rows as objects. */
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs one statement and returns the number of rows it affected (INSERT, UPDATE, DELETE). */
  execute(text: string, params?: unknown[]): Promise<number>;
  /** COPY … FROM STDIN in PostgreSQL's text format (`data` already escaped, one line per row). */
  copyIn(table: string, columns: readonly string[], data: string): Promise<void>;
}

const copyStatement = (table: string, columns: readonly string[], from: string) =>
  `copy ${table} (${columns.map((c) => `"${c}"`).join(', ')}) from ${from}`;

function postgresSession(sql: postgres.Sql | postgres.TransactionSql): Session {
  return {
    kind: 'postgres',
    async query<T>(text: string, params: unknown[] = []) {
      return (await sql.unsafe(text, params as never[])) as unknown as T[];
    },
    async execute(text: string, params: unknown[] = []) {
      const result = await sql.unsafe(text, params as never[]);
      return result.count ?? 0;
    },
    async copyIn(table, columns, data) {
      const writable = await sql.unsafe(copyStatement(table, columns, 'stdin')).writable();
      const failed = once(writable, 'error').then(([error]) => {
        throw error;
      });
      const done = once(writable, 'finish');
      writable.end(data);
      await Promise.race([done, failed]);
    },
  };
}

function pgliteSession(tx: Pick<Transaction, 'query'>): Session {
  return {
    kind: 'pglite',
    async query<T>(text: string, params: unknown[] = []) {
      return (await tx.query<T>(text, params)).rows;
    },
    async execute(text: string, params: unknown[] = []) {
      const result = await tx.query(text, params);
      return result.affectedRows ?? 0;
    },
    async copyIn(table, columns, data) {
      await tx.query(copyStatement(table, columns, `'/dev/blob'`), [], { blob: new Blob([data]) });
    },
  };
}

/** Statements outside any transaction (each commits by itself): batch bookkeeping. */
export function autocommitSession(database: Database): Session {
  if (database.kind === 'postgres') return postgresSession(database.postgres!);
  return pgliteSession(database.pglite!);
}

/**
 * Runs `work` in one transaction on one connection; commits when it resolves, rolls back when it
 * throws. On PGlite the instance is locked for the duration (other callers wait).
 */
export async function inTransaction<T>(database: Database, work: (session: Session) => Promise<T>): Promise<T> {
  if (database.kind === 'postgres') {
    return (await database.postgres!.begin((tx) => work(postgresSession(tx)))) as T;
  }
  return database.pglite!.transaction((tx) => work(pgliteSession(tx)));
}
