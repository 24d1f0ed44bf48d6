import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { AuditCollector } from './audit.js';
import { createLoaders, type Loaders } from './loaders.js';
import { CAPABILITIES, type Department, type Role, type Viewer } from './roles.js';

export type { Department, Role, Viewer };

/** Everything a resolver may use for one request. Created fresh per request: loaders never outlive it. */
export interface Context {
  database: Database;
  viewer: Viewer;
  loaders: Loaders;
  logger: Logger;
  requestId: string;
  /** sensitive reads of this request, written to audit_log once when it ends */
  audit: AuditCollector;
}

export function viewerFor(role: Role, keyId: string | null = null, name = 'anonymous'): Viewer {
  return { role, keyId, name, can: CAPABILITIES[role] };
}

export function createContext(
  database: Database,
  viewer: Viewer,
  logger: Logger,
  requestId: string,
): Context {
  return {
    database,
    viewer,
    loaders: createLoaders(database),
    logger,
    requestId,
    audit: new AuditCollector(),
  };
}
