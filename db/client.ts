import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import type { PgAsyncDatabase } from 'drizzle-orm/pg-core/async/db';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { lockDataDir } from './embedded-lock.js';
import { relations } from './relations.js';
import { currentStatementScope, StatementCancelled } from './statement-scope.js';

export const MIGRATIONS_FOLDER = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'migrations',
);

/** The drizzle database, the same type whichever driver is behind it (its query result type varies: any). */
export type Db = PgAsyncDatabase<any, typeof relations>;

/**
 * An open database: drizzle on top, and the driver beneath for what drizzle does not do
 * (COPY, LISTEN). Exactly one of `pglite` and `postgres` is set.
 */
export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  pglite?: PGlite;
  postgres?: postgres.Sql;
  /** Runs raw SQL and returns its rows as objects. */
  rows<T extends Record<string, unknown>>(query: SQL): Promise<T[]>;
  /** Applies the committed migrations. */
  migrate(): Promise<void>;
  /** Statements issued through drizzle since the database was opened (for N+1 tests and benchmarks). */
  stats: { queries: number };
  /** Called with the SQL of every statement issued through drizzle. */
  onQuery?: (query: string) => void;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  /**
   * The statement timeout set on its connections (PostgreSQL, `statementTimeoutMs` when opened);
   * county-wide statements lift it (rowsWithoutTimeout).
   */
  statementTimeoutMs?: number;
  /**
   * Set on a streaming replica: the primary that takes what would be written through it (the
   * replica itself is read-only). Undefined on a primary and on PGlite.
   */
  primary?: Database;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; when absent PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory; `memory://` (or undefined) for an in-memory database. */
  dataDir?: string;
  /** what holds a PGlite data directory, named to a second process that tries to open it (embedded-lock.ts) */
  holder?: string;
  /** A PGlite data-directory tarball to start from (a migrated snapshot, for tests). */
  loadDataDir?: Blob;
  /** postgres.js pool size (default 10). */
  max?: number;
  /**
   * PostgreSQL cancels a statement running longer than this (ms; the service passes its request
   * timeout, so that an abandoned request stops its database work too). Unset: no limit (loads,
   * migrations, the CLI). PGlite runs in-process and has none.
   */
  statementTimeoutMs?: number;
  /**
   * `transaction` when connections go through a pooler in transaction mode (pgbouncer), which
   * hands each transaction any server connection: no named prepared statements and no session
   * settings sent at connect (set `jit` and `statement_timeout` on the server's role instead).
   */
  pooler?: 'transaction';
}

/** A drizzle logger that counts statements and forwards them to the database's listener. */
function queryCounter() {
  const target: { database?: Database } = {};
  const logger = {
    logQuery(query: string) {
      const database = target.database;
      if (!database) return;
      database.stats.queries += 1;
      database.onQuery?.(query);
    },
  };
  return { target, logger };
}

function wrap(
  kind: Database['kind'],
  db: Db,
  counter: ReturnType<typeof queryCounter>,
  extra: Pick<Database, 'pglite' | 'postgres' | 'migrate' | 'close'>,
): Database {
  const database: Database = {
    kind,
    db,
    stats: { queries: 0 },
    ...extra,
    async rows<T extends Record<string, unknown>>(query: SQL) {
      return (await db.execute<T>(query, 'objects')) as T[];
    },
    async ping() {
      await db.execute(sql`select 1`, 'objects');
    },
  };
  counter.target.database = database;
  return database;
}

/**
 * postgres.js connects its sockets with Nagle's algorithm on: a COPY's last small segment of each
 * write then waits for the server's delayed ACK (up to 40 ms). Its own sockets, with TCP_NODELAY
 * (one host, TCP or a Unix socket). Handed over while still connecting: postgres.js's startup message
 * waits in the socket, and a refused or dropped connection reaches postgres.js as its own socket's
 * error and close would (connect_timeout, reconnection after an outage and TLS stay postgres.js's).
 */
function noDelaySocket(options: {
  host: string[];
  port: number[];
  path?: string | false;
}): net.Socket {
  if (options.path) return net.connect({ path: options.path });
  return net.connect({ host: options.host[0], port: options.port[0], noDelay: true });
}

/**
 * The hosts and the path of a postgres:// connection string, read without `new URL` (which refuses
 * the several `host:port` pairs of a failover string such as
 * `postgres://u@db1:5432,db2:5432/edp?target_session_attrs=read-write`): `{ hosts: 'db1:5432,db2:5432',
 * path: '/edp' }`. postgres.js reads such strings itself.
 */
export function connectionTarget(url: string): { hosts: string; path: string } {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]*)([^?#]*)/i.exec(url);
  return { hosts: match?.[1] ?? '', path: match?.[2] ?? '' };
}

/** True when PostgreSQL's SQLSTATE `state` is anywhere in the error's causes (drizzle wraps the driver's error). */
export function hasSqlState(error: unknown, state: string): boolean {
  for (let e: any = error; e; e = e.cause) if (e.code === state) return true;
  return false;
}

/**
 * PostgreSQL's query_canceled (57014) anywhere in the error's causes: a statement cancelled by
 * statement_timeout or by its request's end, or refused before it started (StatementCancelled).
 */
export const isQueryCanceled = (error: unknown): boolean => hasSqlState(error, '57014');

/**
 * Why the database named by `databaseUrl` (the embedded one when absent) could not be opened, in
 * the words of the person who set it up; null for an error that is not about reaching it.
 */
export function databaseErrorMessage(error: unknown, databaseUrl?: string): string | null {
  const where = databaseUrl
    ? `数据库 ${connectionTarget(databaseUrl).hosts || '本机'}`
    : '内置数据库';
  for (let e: any = error; e; e = e.cause) {
    const code = e.code ?? e.errno;
    switch (code) {
      case 'ECONNREFUSED':
        return `无法连接${where}：连接被拒绝。请确认 PostgreSQL 正在运行，且「DATABASE_URL」的主机与端口正确。`;
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return `无法连接${where}：找不到主机「${e.hostname ?? ''}」。请检查「DATABASE_URL」的主机名。`;
      case 'ETIMEDOUT':
      case 'CONNECT_TIMEOUT':
        return `无法连接${where}：连接超时。请检查网络，以及「DATABASE_URL」的主机与端口。`;
      case '28P01':
      case '28000':
        return `无法登录${where}：用户名或密码不对（「DATABASE_URL」中的用户与密码）。`;
      case '3D000':
        return `${where}上没有「DATABASE_URL」所写的库：请先创建它（「createdb」），或改正库名。`;
    }
  }
  return null;
}

/** Statements with at most this many parameters are prepared (named) on each connection. */
const PREPARE_MAX_PARAMETERS = 100;

/**
 * drizzle hands postgres.js its statements unnamed: each one with parameters then costs two round
 * trips (Parse/Describe, wait for the parameter types, then Bind/Execute). Named, postgres.js keeps
 * them per connection and a repeated statement is one round trip. Only statements of a bounded
 * shape are named (at most PREPARE_MAX_PARAMETERS parameters: `in (…)` lists of other lengths stay
 * unnamed), so that the statements kept per connection stay few. Transactions (ingest) are untouched.
 */
function preparing(client: postgres.Sql): postgres.Sql {
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key !== 'unsafe') return Reflect.get(target, key, receiver);
      return (
        query: string,
        parameters: postgres.ParameterOrJSON<never>[] = [],
        options: postgres.UnsafeQueryOptions = {},
      ) =>
        target.unsafe(
          query,
          parameters,
          parameters.length <= PREPARE_MAX_PARAMETERS ? { ...options, prepare: true } : options,
        );
    },
  });
}

/** What drizzle gets back from `unsafe` for a statement of a request that has ended: its refusal. */
function refused(): postgres.PendingQuery<never> {
  const refusal = Object.assign(Promise.reject(new StatementCancelled()), {
    values: () => refusal,
  });
  return refusal as never;
}

/**
 * Each statement drizzle issues is kept by the request that issued it (db/statement-scope.ts), which
 * cancels it when the request ends; a statement issued after that is refused without being sent.
 * Statements inside a transaction (writes; shared county work) are not kept: a transaction ends by
 * itself, under the connection's statement timeout.
 */
function scoped(client: postgres.Sql): postgres.Sql {
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key !== 'unsafe') return Reflect.get(target, key, receiver);
      return (...args: Parameters<postgres.Sql['unsafe']>) => {
        const scope = currentStatementScope();
        if (!scope) return target.unsafe(...args);
        if (scope.closed) return refused();
        const pending = target.unsafe(...args);
        // the native then: postgres.js's own would start the query before drizzle picks its format
        scope.track(
          pending,
          (done) =>
            void Promise.prototype.then.call(
              pending,
              () => done(true),
              () => done(false),
            ),
        );
        return pending;
      };
    },
  });
}

/**
 * PGlite runs one statement at a time and cannot stop one that has started: a request's statements
 * wait here for their turn, and one whose request has ended by then is refused without running.
 */
function scopedPglite(client: PGlite): PGlite {
  let turn: Promise<unknown> = Promise.resolve();
  return new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (key !== 'query') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: Parameters<PGlite['query']>) => {
        const scope = currentStatementScope();
        if (!scope) return target.query(...args);
        const run = turn.then(() =>
          scope.closed ? Promise.reject(new StatementCancelled()) : target.query(...args),
        );
        turn = run.then(
          () => scope.noteAnswer(),
          () => {},
        );
        return run;
      };
    },
  });
}

/**
 * The target_session_attrs to hand postgres.js: `read-write` (what pg_auto_failover's
 * `pg_autoctl show uri` writes) becomes `primary`. postgres.js judges `read-write` by
 * default_transaction_read_only alone, which a hot standby reports as off, so it would settle on a
 * standby and every write would fail; `primary` (not in hot standby) is what libpq's `read-write`
 * means there.
 */
function targetSessionAttrs(url: string): { target_session_attrs?: 'primary' } {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
  const wanted =
    new URLSearchParams(query).get('target_session_attrs') ?? process.env.PGTARGETSESSIONATTRS;
  return wanted === 'read-write' ? { target_session_attrs: 'primary' } : {};
}

/** Lifts the connection's statement timeout for the rest of the transaction. */
export const NO_STATEMENT_TIMEOUT = sql`set local statement_timeout = 0`;

/**
 * Runs a county-wide statement (a year's evaluation, which every later request reads from the
 * cache) without the statement timeout the service sets on its connections (its request timeout):
 * a request that gives up must not cancel work the next requests wait for, and at a city's size
 * (200,000 enterprises) that work takes longer than one request may wait. One statement more
 * (`SET LOCAL` in a transaction, which a transaction pooler allows) where a timeout is set.
 */
export async function rowsWithoutTimeout<T extends Record<string, unknown>>(
  database: Database,
  query: SQL,
): Promise<T[]> {
  if (!database.statementTimeoutMs) return database.rows<T>(query);
  return database.db.transaction(async (tx) => {
    await tx.execute(NO_STATEMENT_TIMEOUT);
    return (await tx.execute<T>(query, 'objects')) as T[];
  });
}

/** Opens PostgreSQL when `databaseUrl` is given, else PGlite (in `dataDir`, or in memory). */
export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  if (options.databaseUrl) {
    const pooled = options.pooler === 'transaction';
    const client = postgres(options.databaseUrl, {
      max: options.max ?? 10,
      prepare: !pooled,
      // A pooler in transaction mode hands the server back at the end of the first of several
      // queries sent back to back on one connection, and the others' answers are lost: one at a time.
      ...(pooled ? { max_pipeline: 0 } : {}),
      onnotice: () => {},
      // numeric and bigint come back as strings: money stays exact until the API decides.
      connect_timeout: 10,
      ...targetSessionAttrs(options.databaseUrl),
      // After a failed connection postgres.js waits before the next attempt, growing to 20 s by
      // default: during an outage every request would wait that long for its DATABASE_UNAVAILABLE.
      // At most 1 s, so that callers are told at once and the service is back within a second.
      backoff: (retries: number) => (0.5 + Math.random() / 2) * Math.min(3 ** retries / 100, 1),
      // No JIT compilation: the county-wide statements (the evaluation of a year over 20,000
      // enterprises) cross its cost threshold and spent ~200 ms of their ~1 s compiling
      // expressions that run once; nothing here runs long enough to repay it.
      // (a transaction pooler refuses startup parameters it does not know)
      connection: pooled
        ? {}
        : {
            jit: 'off',
            ...(options.statementTimeoutMs
              ? { statement_timeout: Math.round(options.statementTimeoutMs) }
              : {}),
          },
      // Several hosts (failover) keep postgres.js's own sockets.
      ...(connectionTarget(options.databaseUrl).hosts.includes(',')
        ? {}
        : { socket: noDelaySocket as never }),
    });
    const counter = queryCounter();
    const db = drizzlePostgres({
      client: pooled ? scoped(client) : preparing(scoped(client)),
      relations,
      logger: counter.logger,
    }) as unknown as Db;
    const database = wrap('postgres', db, counter, {
      postgres: client,
      migrate: async () => {
        await migratePostgres(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
      },
      close: () => client.end({ timeout: 5 }),
    });
    if (options.statementTimeoutMs) database.statementTimeoutMs = options.statementTimeoutMs;
    return database;
  }
  const dataDir = options.dataDir && options.dataDir !== 'memory://' ? options.dataDir : undefined;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // one process at a time on an embedded database's files: a second one is refused, naming the first
  const release = dataDir ? lockDataDir(dataDir, options.holder) : () => {};
  // Imported here, not at the top: PGlite's module alone adds ~40 MB to a process's memory, which a
  // process on a PostgreSQL server (the service, a large load) never needs.
  const [{ PGlite }, { drizzle: drizzlePglite }, { migrate: migratePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const client = await PGlite.create({ dataDir, loadDataDir: options.loadDataDir }).catch(
    (error) => {
      release();
      throw error;
    },
  );
  const counter = queryCounter();
  const db = drizzlePglite({
    client: scopedPglite(client),
    relations,
    logger: counter.logger,
  }) as unknown as Db;
  return wrap('pglite', db, counter, {
    pglite: client,
    migrate: async () => {
      await migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
    },
    close: async () => {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  });
}
