import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../lib/logger.js';

/** An error a caller can act on: its message reaches the client as it is. */
export class UserInputError extends GraphQLError {
  constructor(message: string) {
    super(message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

/** The database did not answer: the client is told so (and may retry), not given a stack trace. */
export class DatabaseUnavailableError extends GraphQLError {
  constructor() {
    super('The database is not answering at the moment; try again shortly.', {
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
]);

/** True for errors that mean the database connection is gone (postgres.js codes and PostgreSQL SQLSTATEs). */
export function isConnectionError(error: unknown): boolean {
  for (let e: any = error; e; e = e.cause) {
    if (CONNECTION_CODES.has(e.code) || CONNECTION_CODES.has(e.errno)) return true;
  }
  return false;
}

/**
 * Apollo's formatError: errors meant for the client (GraphQLErrors thrown on purpose, validation
 * errors) pass; anything unexpected is logged in full and masked.
 */
export function maskErrors(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // Follow originalError to the root: graphql may be loaded twice (ESM and CJS), so GraphQLError is
    // recognised by name rather than instanceof.
    let root: any = error;
    while (root?.originalError) root = root.originalError;
    if (isConnectionError(root)) {
      logger.warn({ err: root, path: formatted.path }, 'database unavailable');
      return {
        message: new DatabaseUnavailableError().message,
        path: formatted.path,
        extensions: { code: 'DATABASE_UNAVAILABLE' },
      };
    }
    if (root?.name === 'GraphQLError') return formatted;
    const code = formatted.extensions?.code;
    if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
    logger.error({ err: root, path: formatted.path }, 'internal error');
    return {
      message: 'Internal server error',
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
