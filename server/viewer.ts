import type { IncomingHttpHeaders } from 'node:http';
import type { Config } from '../lib/config.js';
import { viewerFor, type Viewer } from '../resolvers/context.js';

/** A request that cannot be served as anyone: answered 401 with this message. */
export class AuthenticationError extends Error {
  readonly status = 401;
}

/**
 * Who the request is from (interface.md, authentication). Without a key: the embedded demo serves
 * an analyst; with DATABASE_URL anonymous calls are refused unless EDP_ALLOW_ANONYMOUS=1.
 */
export async function resolveViewer(headers: IncomingHttpHeaders, config: Config): Promise<Viewer> {
  const header = headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AuthenticationError('The Authorization header must be "Bearer <key>".');
    throw new AuthenticationError('Unknown or revoked API key.');
  }
  if (!config.databaseUrl || config.allowAnonymous) return viewerFor('analyst');
  throw new AuthenticationError('An API key is required: send "Authorization: Bearer <key>" (ask an administrator for a key).');
}

/** Whether anonymous callers are served, for the start-up banner. */
export const anonymousAllowed = (config: Config) => !config.databaseUrl || config.allowAnonymous;
