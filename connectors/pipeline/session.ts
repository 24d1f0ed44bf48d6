import { once } from 'node:events';
import type { Transaction } from '@electric-sql/pglite';
import type postgres from 'postgres';
import type { Database } from '../../db/client.js';
import { BINARY_HEADER, BINARY_TRAILER } from './copy-binary.js';

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
  /** A COPY … FROM STDIN kept open while rows are produced (no other statement until it ends). */
  openCopy(table: string, columns: readonly string[], format?: CopyFormat): Promise<CopyWriter>;
  /**
   * Runs `work` under a savepoint (inside a transaction): when it throws, what it did is rolled back,
   * the error is rethrown, and the transaction can go on.
   */
  savepoint<T>(work: (session: Session) => Promise<T>): Promise<T>;
}

/**
 * COPY's text format, or its binary one (copy-binary.ts: whole rows are written; the session adds the
 * header and the trailer).
 */
export type CopyFormat = 'text' | 'binary';

/** An open COPY: whole lines of COPY text (or whole binary rows) in, with back-pressure. */
export interface CopyWriter {
  /** Sends lines (text, or its UTF-8 bytes); resolves when more may be sent and `data` may be written over. */
  write(data: string | Uint8Array): Promise<void>;
  /** Ends the COPY; resolves once the server has taken every row, rejects with its error. */
  end(): Promise<void>;
  /**
   * Abandons the COPY (the load failed while it was open): nothing of it is stored, and the
   * connection can run the statements that roll the load back. Resolves once the server gave up on it.
   */
  abort(): Promise<void>;
}

/** PGlite reads a COPY from a blob: lines are gathered up to this many characters per COPY. */
const PGLITE_COPY_CHARS = 1 << 20;

const copyStatement = (
  table: string,
  columns: readonly string[],
  from: string,
  format: CopyFormat = 'text',
) =>
  `copy ${table} (${columns.map((c) => `"${c}"`).join(', ')}) from ${from}${format === 'binary' ? ' with (format binary)' : ''}`;

function postgresSession(sql: postgres.Sql | postgres.TransactionSql): Session {
  return {
    kind: 'postgres',
    async savepoint<T>(work: (session: Session) => Promise<T>) {
      // postgres.js fails the whole transaction for any failed statement unless it ran in its own
      // savepoint scope, so the savepoint must be postgres.js's, not a SAVEPOINT statement.
      if (!('savepoint' in sql)) throw new Error('a savepoint needs a transaction');
      return (await sql.savepoint((sp) => work(postgresSession(sp)))) as T;
    },
    async query<T>(text: string, params: unknown[] = []) {
      return (await sql.unsafe(text, params as never[])) as unknown as T[];
    },
    async execute(text: string, params: unknown[] = []) {
      const result = await sql.unsafe(text, params as never[]);
      return result.count ?? 0;
    },
    async copyIn(table, columns, data) {
      const writer = await this.openCopy(table, columns);
      await writer.write(data);
      await writer.end();
    },
    async openCopy(table, columns, format = 'text') {
      const query = sql.unsafe(copyStatement(table, columns, 'stdin', format));
      // postgres.js 3.4 never settles the writable when the server rejects a COPY after the data was
      // sent (porsager/postgres#1173): the error only reaches the query's `reject`, which has already
      // resolved to the stream. Catch it there, so a rejected COPY fails here instead of hanging.
      let rejected: (error: unknown) => void = () => {};
      const serverError = new Promise<never>((_, reject) => (rejected = reject));
      const original = (query as unknown as { reject: (error: unknown) => void }).reject;
      (query as unknown as { reject: (error: unknown) => void }).reject = (error) => {
        rejected(error);
        original(error);
      };
      const writable = await query.writable();
      const failed = Promise.race([
        serverError,
        once(writable, 'error').then(([error]) => {
          throw error;
        }),
      ]);
      failed.catch(() => {}); // raced below; never left unhandled
      // Resolves once the stream has handed `data` on (postgres.js copies it into its message): the
      // caller may then fill the same buffer again.
      const write = async (data: string | Uint8Array) => {
        const written = new Promise<void>((resolve, reject) =>
          writable.write(data, (error) => (error ? reject(error) : resolve())),
        );
        await Promise.race([written, failed]);
      };
      if (format === 'binary') await write(BINARY_HEADER);
      return {
        write,
        async end() {
          if (format === 'binary') await write(BINARY_TRAILER);
          const done = once(writable, 'finish');
          writable.end();
          await Promise.race([done, failed]);
        },
        async abort() {
          // postgres.js sends CopyFail; the server answers with an error, which ends the statement.
          writable.destroy(new Error('the load failed: COPY abandoned'));
          await serverError.catch(() => {});
        },
      };
    },
  };
}

function pgliteSession(tx: Pick<Transaction, 'query'>): Session {
  let savepoints = 0;
  return {
    kind: 'pglite',
    async savepoint<T>(work: (session: Session) => Promise<T>) {
      const name = `edp_sp_${++savepoints}`;
      await tx.query(`savepoint ${name}`);
      try {
        const result = await work(this);
        await tx.query(`release savepoint ${name}`);
        return result;
      } catch (error) {
        await tx.query(`rollback to savepoint ${name}`);
        throw error;
      }
    },
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
    async openCopy(table, columns, format = 'text') {
      // Blobs, not strings: the text is copied out at once and can be collected young.
      let parts: Blob[] = [];
      let size = 0;
      const send = async () => {
        if (size === 0) return;
        // each COPY statement reads a whole binary "file"
        const blob = new Blob(
          format === 'binary' ? [BINARY_HEADER, ...parts, BINARY_TRAILER] : parts,
        );
        parts = [];
        size = 0;
        await tx.query(copyStatement(table, columns, `'/dev/blob'`, format), [], { blob });
      };
      return {
        async write(data) {
          parts.push(new Blob([data as BlobPart]));
          size += data.length;
          if (size >= PGLITE_COPY_CHARS) await send();
        },
        end: send,
        async abort() {
          // nothing was sent since the last whole COPY statement
          parts = [];
          size = 0;
        },
      };
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
export async function inTransaction<T>(
  database: Database,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  if (database.kind === 'postgres') {
    return (await database.postgres!.begin((tx) => work(postgresSession(tx)))) as T;
  }
  return database.pglite!.transaction((tx) => work(pgliteSession(tx)));
}
