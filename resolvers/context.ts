import type { Database } from '../db/client.js';
import type { Logger } from '../lib/logger.js';
import { AuditCollector } from './audit.js';
import { createLoaders, type Loaders } from './loaders.js';
import { CAPABILITIES, type Capabilities, type Department, type Role } from './roles.js';

export type { Department, Role };

/** Who is asking: the API key's holder, or the anonymous demo caller. */
export interface Viewer {
  role: Role;
  /** API key id; null for an anonymous caller */
  keyId: string | null;
  /** the key's name (a department system or a person) */
  name: string;
  can: Capabilities;
}

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
