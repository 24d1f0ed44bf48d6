import type { Database } from '../db/client.js';
import { sharedWork } from '../db/statement-scope.js';

/**
 * Process-wide results per database, keyed by a scope (e.g. method and year) and the data version:
 * a new version replaces the scope's older entry, a failed computation is forgotten, and at most
 * `max` entries are kept per database. For county-wide results that hold no per-user data.
 */
export class VersionedCache<T> {
  private readonly caches = new WeakMap<Database, Map<string, Promise<T>>>();

  constructor(private readonly max = 6) {}

  /**
   * The entry for (scope, version) when it is cached or being computed; undefined otherwise. The
   * version is read only when this database has a cache at all (a cold database costs no statement).
   */
  async peek(
    database: Database,
    scope: string,
    version: () => Promise<string>,
  ): Promise<T | undefined> {
    const cache = this.caches.get(database);
    return cache ? cache.get(`${scope}|${await version()}`) : undefined;
  }

  /** The entry for (scope, version), computed once. */
  get(database: Database, scope: string, version: string, compute: () => Promise<T>): Promise<T> {
    let cache = this.caches.get(database);
    if (!cache) this.caches.set(database, (cache = new Map()));
    const key = `${scope}|${version}`;
    let entry = cache.get(key);
    if (!entry) {
      for (const k of cache.keys()) if (k.startsWith(`${scope}|`)) cache.delete(k); // an older data version
      // shared by every request of this data version: not cancelled when the one that started it ends
      entry = sharedWork(compute);
      cache.set(key, entry);
      const stored = entry;
      const map = cache;
      entry.catch(() => map.get(key) === stored && map.delete(key));
      while (cache.size > this.max) cache.delete(cache.keys().next().value!);
    }
    return entry;
  }
}
