import path from 'node:path';

/**
 * The platform's configuration, parsed once from the environment (and overrides from command-line
 * flags). Precedence: an explicit override (a CLI flag) → the environment variable → the default below.
 * The README's configuration table mirrors `DEFAULTS`.
 */
export interface Config {
  /** PostgreSQL connection string; when absent the embedded PGlite database is used. */
  databaseUrl: string | undefined;
  /** Streaming replicas of `databaseUrl` that answer queries (DATABASE_READ_URLS, comma-separated). */
  databaseReadUrls: string[];
  /** A replica lagging more than this many ms behind its primary is left out of reads. */
  maxReplicaLagMs: number;
  /** `transaction` when the database URLs point at a pooler in transaction mode (pgbouncer). */
  poolerMode: 'transaction' | undefined;
  /** PGlite data directory (embedded mode only). */
  dataDir: string;
  /** HTTP port of the API. */
  port: number;
  /**
   * Interface to listen on. Without HOST: `127.0.0.1` (this computer only) while anonymous callers
   * are served as analysts, `0.0.0.0` (every interface) when every request needs a key.
   */
  host: string;
  /** pino log level. */
  logLevel: string;
  /** Serve unauthenticated requests (as analyst) when a PostgreSQL server is configured. */
  allowAnonymous: boolean;
  /** Redis connection string for shared rate limits; in-memory limits when absent. */
  redisUrl: string | undefined;
  /** Bearer token for the power company's API (`edp pull power`), so that it stays out of process listings. */
  powerToken: string | undefined;
  /** Number of enterprises of the demo set generated for an empty embedded database. */
  demoEnterprises: number;
  /** Seed of the demo set. */
  demoSeed: number;
  /** production mode: no introspection or suggestions for anonymous callers. */
  production: boolean;
  /** Requests per minute per API key (per address for anonymous callers), refilled evenly. */
  rateLimitPerMinute: number;
  /** Requests a key may make at once before the per-minute rate applies (token bucket size). */
  rateLimitBurst: number;
  /** Failed authentications per minute per client address before it is refused (429) without a key lookup. */
  authFailuresPerMinute: number;
  /** Failed authentications an address may make at once before the per-minute rate applies. */
  authFailureBurst: number;
  /** Key prefix of the shared rate-limit buckets in Redis. */
  redisPrefix: string;
  /** A request not answered within this many milliseconds is answered 503. */
  requestTimeoutMs: number;
  /** Deepest selection nesting accepted. */
  maxDepth: number;
  /** Most aliases in one operation. */
  maxAliases: number;
  /** Most directives in one operation. */
  maxDirectives: number;
  /** Most lexical tokens in one document. */
  maxTokens: number;
  /** Highest estimated cost of one operation (schema/cost.ts: a county-wide field 4,500, list arguments and `first` multiply). */
  maxCost: number;
  /** A request whose estimated cost is at least this is expensive (a county-wide field costs 4,500). */
  expensiveCost: number;
  /** Expensive requests one caller (API key, or address without one) may run at once; 0 = no limit. */
  expensivePerKey: number;
  /** The service reuses the data version (which keys cached county evaluations) for this many ms; 0 = read it on every request. */
  dataVersionTtlMs: number;
  /** `edp ingest`: a CSV line longer than this many bytes refuses the whole file. */
  ingestMaxLineBytes: number;
  /** `edp ingest`: a cell longer than this many characters quarantines its row. */
  ingestMaxCellChars: number;
  /** The service reuses a looked-up API key for this many ms; 0 = look it up on every request. */
  keyCacheMs: number;
  /**
   * Small-cell suppression: a by-town, by-industry or by-cluster figure over fewer firms than this
   * is withheld from roles below analyst (docs/security.md); 0 or 1 = off.
   */
  minCellFirms: number;
}

export const DEFAULTS = {
  dataDir: './data',
  port: 4000,
  /** HOST when every request needs an API key. */
  host: '0.0.0.0',
  /** HOST while anonymous callers are served as analysts: this computer only. */
  anonymousHost: '127.0.0.1',
  logLevel: 'info',
  demoEnterprises: 2000,
  demoSeed: 20221224,
  rateLimitPerMinute: 1200,
  rateLimitBurst: 200,
  authFailuresPerMinute: 30,
  authFailureBurst: 20,
  redisPrefix: 'edp:rate:',
  requestTimeoutMs: 10_000,
  maxDepth: 10,
  maxAliases: 30,
  maxDirectives: 20,
  maxTokens: 5000,
  maxCost: 50_000,
  expensiveCost: 4_500,
  expensivePerKey: 2,
  dataVersionTtlMs: 1000,
  keyCacheMs: 5000,
  maxReplicaLagMs: 5000,
  ingestMaxLineBytes: 1 << 20,
  ingestMaxCellChars: 4096,
  minCellFirms: 3,
} as const;

/** A setting the service cannot start with: the variable, what it must be, what it was. */
export class ConfigError extends Error {
  constructor(name: string, must: string, value: string) {
    super(`环境变量「${name}」${must}，收到「${value}」。`);
    this.name = 'ConfigError';
  }
}

function intFrom(
  value: string | undefined,
  fallback: number,
  name: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max)
    throw new ConfigError(
      name,
      max === Number.MAX_SAFE_INTEGER ? '须为非负整数' : `须为 0 到 ${max} 之间的整数`,
      value,
    );
  return n;
}

function poolerMode(value: string | undefined): 'transaction' | undefined {
  if (!value || value === 'session' || value === 'off') return undefined;
  if (value === 'transaction') return 'transaction';
  throw new ConfigError('EDP_POOLER_MODE', '须为「transaction」或「session」', value);
}

/** A connection string with its password hidden, for a message. */
export const withoutPassword = (url: string) =>
  url.replace(/^([^:/]+:\/\/[^:@/]*:)[^@/]*@/, '$1***@');

/**
 * A PostgreSQL connection string as postgres.js reads it: postgres:// or postgresql://, hosts (a
 * failover string names several, `db1:5432,db2:5432`) and a numeric port where one is given.
 */
function databaseUrlFrom(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  const m = /^postgres(?:ql)?:\/\/(?:[^@/?#]*@)?([^/?#]*)/i.exec(value);
  const hostsOk =
    m?.[1] === '' ||
    m?.[1].split(',').every((h) => /^(\[[0-9a-f:.]+\]|[^:\s]+)(:\d{1,5})?$/i.test(h));
  if (!m || !hostsOk)
    throw new ConfigError(
      name,
      '须为 PostgreSQL 连接串，写作「postgres://用户:密码@主机:端口/库名」',
      withoutPassword(value),
    );
  return value;
}

/** Reads the configuration; `overrides` (from CLI flags) win over the environment. */
export function loadConfig(
  overrides: Partial<Config> = {},
  env: NodeJS.ProcessEnv = process.env,
): Config {
  const config: Config = {
    databaseUrl: databaseUrlFrom(env.DATABASE_URL, 'DATABASE_URL'),
    databaseReadUrls: (env.DATABASE_READ_URLS ?? '')
      .split(/,(?=\s*postgres)/i)
      .map((url) => url.trim())
      .filter(Boolean)
      .map((url) => databaseUrlFrom(url, 'DATABASE_READ_URLS')!),
    maxReplicaLagMs: intFrom(
      env.EDP_MAX_REPLICA_LAG_MS,
      DEFAULTS.maxReplicaLagMs,
      'EDP_MAX_REPLICA_LAG_MS',
    ),
    poolerMode: poolerMode(env.EDP_POOLER_MODE),
    dataDir: path.resolve(env.EDP_DATA_DIR || DEFAULTS.dataDir),
    port: intFrom(env.PORT, DEFAULTS.port, 'PORT', 65535),
    host: env.HOST || '',
    logLevel: env.LOG_LEVEL || DEFAULTS.logLevel,
    allowAnonymous: env.EDP_ALLOW_ANONYMOUS === '1' || env.EDP_ALLOW_ANONYMOUS === 'true',
    redisUrl: env.REDIS_URL || undefined,
    powerToken: env.EDP_POWER_TOKEN || undefined,
    demoEnterprises: intFrom(
      env.EDP_DEMO_ENTERPRISES,
      DEFAULTS.demoEnterprises,
      'EDP_DEMO_ENTERPRISES',
    ),
    demoSeed: intFrom(env.EDP_DEMO_SEED, DEFAULTS.demoSeed, 'EDP_DEMO_SEED'),
    production: env.NODE_ENV === 'production',
    rateLimitPerMinute: intFrom(
      env.EDP_RATE_LIMIT_PER_MINUTE,
      DEFAULTS.rateLimitPerMinute,
      'EDP_RATE_LIMIT_PER_MINUTE',
    ),
    rateLimitBurst: intFrom(
      env.EDP_RATE_LIMIT_BURST,
      DEFAULTS.rateLimitBurst,
      'EDP_RATE_LIMIT_BURST',
    ),
    authFailuresPerMinute: intFrom(
      env.EDP_AUTH_FAILURES_PER_MINUTE,
      DEFAULTS.authFailuresPerMinute,
      'EDP_AUTH_FAILURES_PER_MINUTE',
    ),
    authFailureBurst: intFrom(
      env.EDP_AUTH_FAILURE_BURST,
      DEFAULTS.authFailureBurst,
      'EDP_AUTH_FAILURE_BURST',
    ),
    redisPrefix: env.EDP_REDIS_PREFIX || DEFAULTS.redisPrefix,
    requestTimeoutMs: intFrom(
      env.EDP_REQUEST_TIMEOUT_MS,
      DEFAULTS.requestTimeoutMs,
      'EDP_REQUEST_TIMEOUT_MS',
    ),
    maxDepth: intFrom(env.EDP_MAX_DEPTH, DEFAULTS.maxDepth, 'EDP_MAX_DEPTH'),
    maxAliases: intFrom(env.EDP_MAX_ALIASES, DEFAULTS.maxAliases, 'EDP_MAX_ALIASES'),
    maxDirectives: intFrom(env.EDP_MAX_DIRECTIVES, DEFAULTS.maxDirectives, 'EDP_MAX_DIRECTIVES'),
    maxTokens: intFrom(env.EDP_MAX_TOKENS, DEFAULTS.maxTokens, 'EDP_MAX_TOKENS'),
    maxCost: intFrom(env.EDP_MAX_COST, DEFAULTS.maxCost, 'EDP_MAX_COST'),
    expensiveCost: intFrom(env.EDP_EXPENSIVE_COST, DEFAULTS.expensiveCost, 'EDP_EXPENSIVE_COST'),
    expensivePerKey: intFrom(
      env.EDP_EXPENSIVE_PER_KEY,
      DEFAULTS.expensivePerKey,
      'EDP_EXPENSIVE_PER_KEY',
    ),
    dataVersionTtlMs: intFrom(
      env.EDP_DATA_VERSION_TTL_MS,
      DEFAULTS.dataVersionTtlMs,
      'EDP_DATA_VERSION_TTL_MS',
    ),
    ingestMaxLineBytes: intFrom(
      env.EDP_MAX_LINE_BYTES,
      DEFAULTS.ingestMaxLineBytes,
      'EDP_MAX_LINE_BYTES',
    ),
    ingestMaxCellChars: intFrom(
      env.EDP_MAX_CELL_CHARS,
      DEFAULTS.ingestMaxCellChars,
      'EDP_MAX_CELL_CHARS',
    ),
    keyCacheMs: intFrom(env.EDP_KEY_CACHE_MS, DEFAULTS.keyCacheMs, 'EDP_KEY_CACHE_MS'),
    minCellFirms: intFrom(env.EDP_MIN_CELL_FIRMS, DEFAULTS.minCellFirms, 'EDP_MIN_CELL_FIRMS'),
  };
  const merged: Config = {
    ...config,
    ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
  };
  // Decided after the overrides: whether callers without a key are served decides the default.
  if (!merged.host) merged.host = anonymousAllowed(merged) ? DEFAULTS.anonymousHost : DEFAULTS.host;
  return merged;
}

/**
 * Whether requests without an API key are served (as analyst): always on the embedded database
 * (the demo), with DATABASE_URL only when EDP_ALLOW_ANONYMOUS is on.
 */
export const anonymousAllowed = (config: Pick<Config, 'databaseUrl' | 'allowAnonymous'>) =>
  !config.databaseUrl || config.allowAnonymous;
