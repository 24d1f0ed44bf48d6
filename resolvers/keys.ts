import { createHash, randomBytes } from 'node:crypto';
import { asc, eq, like, sql } from 'drizzle-orm';
import { type ApiKeyRow, apiKeys } from '../db/auth.js';
import type { Database } from '../db/client.js';
import { sharedWork } from '../db/statement-scope.js';
import type { Logger } from '../lib/logger.js';
import type { Role } from './roles.js';

/** Every key starts with this, so a leaked one is easy to recognise in logs and code. */
export const KEY_MARK = 'edp_';
/** Characters of a key kept for display: the mark and eight more (about 48 bits). */
const PREFIX_LENGTH = KEY_MARK.length + 8;

/** sha-256 of a key, in hex: the only form a key is stored in. */
export const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/** A new key: the mark and 32 random bytes in base64url (43 characters). */
export const generateKey = () => KEY_MARK + randomBytes(32).toString('base64url');

export interface CreatedKey {
  id: number;
  name: string;
  role: Role;
  prefix: string;
  /** the key itself: shown once, never stored */
  key: string;
}

/** Creates a key for `name` with `role`; the returned `key` is the only time it is seen. */
export async function createApiKey(
  database: Database,
  input: { name: string; role: Role },
): Promise<CreatedKey> {
  const name = input.name.trim();
  if (!name) throw new Error('密钥需要名称（持有它的部门系统或人员）。');
  const key = generateKey();
  const prefix = key.slice(0, PREFIX_LENGTH);
  const [row] = await database.db
    .insert(apiKeys)
    .values({ name, role: input.role, keyHash: hashKey(key), prefix })
    .returning({ id: apiKeys.id });
  return { id: row.id, name, role: input.role, prefix, key };
}

/** Every key, oldest first, revoked ones included. */
export async function listApiKeys(database: Database): Promise<ApiKeyRow[]> {
  return await database.db.select().from(apiKeys).orderBy(asc(apiKeys.id));
}

/**
 * Revokes the key with this id or display prefix (at least 6 characters of it). Throws when none or
 * several keys match. A service in this process refuses the key from its next request on (its key
 * cache is cleared); one in another process within its `EDP_KEY_CACHE_MS` (cachedKeyFinder).
 */
export async function revokeApiKey(database: Database, idOrPrefix: string): Promise<ApiKeyRow> {
  const ref = idOrPrefix.trim();
  const byId = /^\d+$/.test(ref) && Number(ref) <= 2147483647;
  if (!byId && ref.length < 6)
    throw new Error(`"${ref}" 既不是密钥编号，也不是至少 6 个字符的密钥前缀。`);
  const matches = await database.db
    .select()
    .from(apiKeys)
    .where(byId ? eq(apiKeys.id, Number(ref)) : like(apiKeys.prefix, `${ref}%`));
  if (matches.length === 0) throw new Error(`没有编号或前缀为 "${ref}" 的 API 密钥。`);
  if (matches.length > 1)
    throw new Error(
      `"${ref}" 匹配 ${matches.length} 个密钥（${matches.map((k) => `${k.id} ${k.prefix}`).join('、')}），请给出编号。`,
    );
  const [row] = await database.db
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
    .where(eq(apiKeys.id, matches[0].id))
    .returning();
  keyCaches.get(database)?.clear();
  return row;
}

/** The key row for a presented key (revoked or not), or null when no key has that hash: one indexed lookup. */
export async function findApiKey(database: Database, key: string): Promise<ApiKeyRow | null> {
  return await findByHash(database, hashKey(key));
}

async function findByHash(database: Database, keyHash: string): Promise<ApiKeyRow | null> {
  const [row] = await database.db
    .select()
    .from(apiKeys)
    .where(eq(apiKeys.keyHash, keyHash))
    .limit(1);
  return row ?? null;
}

interface CachedKey {
  at: number;
  row: Promise<ApiKeyRow | null>;
}

/** Per database: sha-256 of a key → its row as last looked up (revokeApiKey clears it). */
const keyCaches = new WeakMap<Database, Map<string, CachedKey>>();

/** Keys kept at most; past that the cache starts over (a county has a few dozen keys). */
const MAX_CACHED_KEYS = 10_000;

/**
 * findApiKey with the rows of known keys (active or revoked) reused for `ttlMs` (0: looked up on
 * every request), so that a key's requests cost no lookup each. Requests that arrive together
 * share one lookup. An unknown key is never kept: a key created a moment ago in another process
 * is found on its first request. A key revoked in this process (revokeApiKey) is refused at once;
 * revoked in another one (the CLI, another instance), within `ttlMs`.
 */
export function cachedKeyFinder(database: Database, ttlMs: number) {
  let cache = keyCaches.get(database);
  if (!cache) keyCaches.set(database, (cache = new Map()));
  const keys = cache;
  return (key: string): Promise<ApiKeyRow | null> => {
    if (ttlMs <= 0) return findApiKey(database, key);
    const keyHash = hashKey(key);
    const now = Date.now();
    const cached = keys.get(keyHash);
    if (cached && now - cached.at < ttlMs) return cached.row;
    if (keys.size >= MAX_CACHED_KEYS) keys.clear();
    // other requests with the same key wait on this lookup: not cancelled when this request ends
    const entry: CachedKey = { at: now, row: sharedWork(() => findByHash(database, keyHash)) };
    keys.set(keyHash, entry);
    const forget = () => {
      if (keys.get(keyHash) === entry) keys.delete(keyHash);
    };
    entry.row.then((row) => row || forget(), forget);
    return entry.row;
  };
}

/**
 * Records keys' last use without a write per request: at most one update per key per `intervalMs`
 * (default 60 s) from this process, and the statement itself skips rows written less than that
 * ago, so several instances together still write about once a minute. Fire and forget.
 */
export function lastUsedRecorder(database: Database, logger: Logger, intervalMs = 60_000) {
  const written = new Map<number, number>();
  const seconds = Math.floor(intervalMs / 1000);
  async function touch(keyId: number) {
    try {
      await database.db
        .update(apiKeys)
        .set({ lastUsedAt: sql`now()` })
        .where(
          sql`${apiKeys.id} = ${keyId} and (${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} < now() - make_interval(secs => ${seconds}))`,
        );
    } catch (err) {
      logger.warn({ err, keyId }, 'could not record the key’s last use');
    }
  }
  return (keyId: number) => {
    const now = Date.now();
    if (now - (written.get(keyId) ?? 0) < intervalMs) return;
    written.set(keyId, now);
    // bookkeeping, not the request's work: not cancelled when the request ends
    void sharedWork(() => touch(keyId));
  };
}
