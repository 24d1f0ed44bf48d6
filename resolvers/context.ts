import type { Database } from '../db/client.js';
import { DEFAULTS } from '../lib/config.js';
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
  /** figures by town, industry or cluster over fewer firms are withheld from roles below analyst */
  minCellFirms: number;
}

export function viewerFor(role: Role, keyId: string | null = null, name = 'anonymous'): Viewer {
  return { role, keyId, name, can: CAPABILITIES[role] };
}

export function createContext(
  database: Database,
  viewer: Viewer,
  logger: Logger,
  requestId: string,
  minCellFirms: number = DEFAULTS.minCellFirms,
): Context {
  return {
    database,
    viewer,
    loaders: createLoaders(database),
    logger,
    requestId,
    audit: new AuditCollector(),
    minCellFirms,
  };
}
