import type { IncomingHttpHeaders } from 'node:http';
import type { Database } from '../db/client.js';
import { anonymousAllowed, type Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import { type Viewer, viewerFor } from '../resolvers/context.js';
import { cachedKeyFinder, lastUsedRecorder } from '../resolvers/keys.js';
import { isRole } from '../resolvers/roles.js';

/** A request that cannot be served as anyone: answered 401 with this message. */
export class AuthenticationError extends Error {
  readonly status = 401;
}

/**
 * Who a request is from (docs/interface.md, authentication): `Authorization: Bearer <key>` names an API
 * key, looked up once per `keyCacheMs` (cachedKeyFinder: a key revoked in this process is refused at
 * once, in another one within that time). Without
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
  const findApiKey = cachedKeyFinder(database, config.keyCacheMs);
  return async function resolveViewer(headers: IncomingHttpHeaders): Promise<Viewer> {
    const header = headers.authorization;
    if (header) {
      const match = /^Bearer\s+(\S{1,200})\s*$/i.exec(header);
      if (!match) throw new AuthenticationError('Authorization 请求头须为 "Bearer <密钥>"。');
      const key = await findApiKey(match[1]);
      if (!key)
        throw new AuthenticationError(
          '未知的 API 密钥：请检查是否完整复制了密钥（或向管理员申请新密钥）。',
        );
      if (key.revokedAt)
        throw new AuthenticationError(
          `该 API 密钥（${key.prefix}…，「${key.name}」）已被吊销，请向管理员申请新密钥。`,
        );
      if (!isRole(key.role)) {
        logger.error({ keyId: key.id, role: key.role }, 'API key with an unknown role');
        throw new AuthenticationError(`该 API 密钥的角色「${key.role}」未知，请管理员更换。`);
      }
      recordUse(key.id);
      return viewerFor(key.role, String(key.id), key.name);
    }
    if (anonymousAllowed(config)) return viewerFor('analyst');
    throw new AuthenticationError(
      '需要 API 密钥：请发送 "Authorization: Bearer <密钥>"（向管理员申请密钥）。',
    );
  };
}

export type ViewerResolver = ReturnType<typeof createViewerResolver>;
