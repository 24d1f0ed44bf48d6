import type { IncomingHttpHeaders } from 'node:http';
import type { Database } from '../db/client.js';
import { anonymousAllowed, type Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import { type Viewer, viewerFor } from '../resolvers/context.js';
import { findApiKey, lastUsedRecorder } from '../resolvers/keys.js';
import { isRole } from '../resolvers/roles.js';

/** A request that cannot be served as anyone: answered 401 with this message. */
export class AuthenticationError extends Error {
  readonly status = 401;
}

/**
 * Who a request is from (docs/interface.md, authentication): `Authorization: Bearer <key>` names an API
 * key, looked up on every request (one indexed lookup, so a revoked key is refused at once). Without
 * a key: the embedded demo serves an analyst; with DATABASE_URL anonymous calls are refused unless
 * EDP_ALLOW_ANONYMOUS=1. A malformed, unknown or revoked key is always refused, never downgraded
 * to anonymous.
 */
export function createViewerResolver({
  config,
  database,
  logger,
}: {
  config: Config;
  database: Database;
  logger: Logger;
}) {
  const recordUse = lastUsedRecorder(database, logger);
  return async function resolveViewer(headers: IncomingHttpHeaders): Promise<Viewer> {
    const header = headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S{1,200})\s*$/i.exec(header);
      if (!match) throw new AuthenticationError('The Authorization header must be "Bearer <key>".');
      const key = await findApiKey(database, match[1]);
      if (!key)
        throw new AuthenticationError(
          'Unknown API key: check that the whole key was copied (ask an administrator for a new one).',
        );
      if (key.revokedAt)
        throw new AuthenticationError(
          `This API key (${key.prefix}…, "${key.name}") was revoked; ask an administrator for a new one.`,
        );
      if (!isRole(key.role)) {
        logger.error({ keyId: key.id, role: key.role }, 'API key with an unknown role');
        throw new AuthenticationError(
          `This API key has the unknown role "${key.role}"; ask an administrator to replace it.`,
        );
      }
      recordUse(key.id);
      return viewerFor(key.role, String(key.id), key.name);
    }
    if (anonymousAllowed(config)) return viewerFor('analyst');
    throw new AuthenticationError(
      'An API key is required: send "Authorization: Bearer <key>" (ask an administrator for a key).',
    );
  };
}

export type ViewerResolver = ReturnType<typeof createViewerResolver>;
