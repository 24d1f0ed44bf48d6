import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { isQueryCanceled } from '../db/client.js';
import { currentStatementScope } from '../db/statement-scope.js';
import { UserInputError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { clerkMessage, isEngineMessage } from './error-messages.js';

/**
 * The GraphQL code (extensions.code) of each domain error a caller can act on (lib/errors.ts);
 * their messages reach the client as they are. The first class the error is an instance of wins.
 */
const DOMAIN_CODES: readonly [new (...args: never[]) => Error, string][] = [
  [UserInputError, 'BAD_USER_INPUT'],
];

/** The client-facing code of a domain error, or undefined for any other error. */
export function domainCode(error: unknown): string | undefined {
  return DOMAIN_CODES.find(([type]) => error instanceof type)?.[1];
}

/** The database did not answer: the client is told so (and may retry), not given a stack trace. */
export class DatabaseUnavailableError extends GraphQLError {
  constructor() {
    super('数据库暂时没有响应，请稍后重试。', {
      extensions: { code: 'DATABASE_UNAVAILABLE' },
    });
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  '57P01',
  '57P03',
  // a write that reached a primary being demoted (pg_auto_failover's switchover): read-only until
  // its connections close and the next ones find the new primary
  '25006',
]);

/**
 * True for errors that mean the database connection is gone (postgres.js codes, PostgreSQL
 * SQLSTATEs, an embedded database that was closed).
 */
export function isConnectionError(error: unknown): boolean {
  for (let e: any = error; e; e = e.cause) {
    if (CONNECTION_CODES.has(e.code) || CONNECTION_CODES.has(e.errno)) return true;
    if (e.message === 'PGlite is closed') return true;
  }
  return false;
}

/** An outage with no failed request for this long is over: the next failure starts a new one. */
const OUTAGE_QUIET_MS = 60_000;

/**
 * The log of database outages: one error line when requests start failing, one line with the
 * count of failed requests when the database answers again; nothing per request in between.
 */
export function outageLog(logger: Logger, now: () => number = Date.now) {
  let since: number | null = null;
  let last = 0;
  let failed = 0;
  const end = () => {
    if (since === null) return;
    logger.warn(
      { failedRequests: failed, outageMs: last - since },
      'database answering again after an outage',
    );
    since = null;
    failed = 0;
  };
  return {
    failed(err: unknown) {
      const t = now();
      if (since !== null && t - last > OUTAGE_QUIET_MS) end();
      last = t;
      failed++;
      if (since !== null) return;
      since = t;
      logger.error(
        { err },
        'database unavailable: requests are answered DATABASE_UNAVAILABLE (503) until it answers again; logged once per outage',
      );
    },
    /** The database answered. */
    recovered: end,
  };
}

export type OutageLog = ReturnType<typeof outageLog>;

/** What a client is told of an unexpected error (logged in full, masked here). */
export const INTERNAL_ERROR =
  '服务内部错误，已记录；请稍后重试，或把请求编号（x-request-id）告诉管理员。';

/**
 * An error of the GraphQL engine or Apollo Server (validation, syntax, a malformed request) in
 * Chinese, its English original kept in `extensions.originalMessage` for developers.
 */
function translated(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!isEngineMessage(formatted.message)) return formatted;
  return {
    ...formatted,
    message: clerkMessage(formatted.message),
    extensions: { ...formatted.extensions, originalMessage: formatted.message },
  };
}

/**
 * Apollo's formatError: domain errors (lib/errors.ts) get their code, errors meant for the client
 * (GraphQLErrors thrown on purpose, validation errors) pass; anything unexpected is logged in full
 * and masked.
 */
export function maskErrors(logger: Logger, outage: OutageLog = outageLog(logger)) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // Follow originalError to the root: graphql may be loaded twice (ESM and CJS), so GraphQLError is
    // recognised by name rather than instanceof.
    let root: any = error;
    while (root?.originalError) root = root.originalError;
    if (isConnectionError(root)) {
      outage.failed(root);
      return {
        message: new DatabaseUnavailableError().message,
        path: formatted.path,
        extensions: { code: 'DATABASE_UNAVAILABLE' },
      };
    }
    if (currentStatementScope()?.closed && isQueryCanceled(root)) {
      // the request has ended (out of time, or its client left) and its statements were cancelled:
      // nobody reads this answer, and it is no fault to log
      return {
        message: '请求已结束（超时或客户端已断开），其查询已取消。',
        path: formatted.path,
        extensions: { code: 'REQUEST_ENDED' },
      };
    }
    const domain = domainCode(root);
    if (domain) return { ...formatted, extensions: { ...formatted.extensions, code: domain } };
    if (root?.name === 'GraphQLError') return translated(formatted);
    const code = formatted.extensions?.code;
    if (code && code !== 'INTERNAL_SERVER_ERROR') return translated(formatted);
    logger.error({ err: root, path: formatted.path }, 'internal error');
    return {
      message: INTERNAL_ERROR,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
