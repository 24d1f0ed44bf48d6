import path from 'node:path';

/**
 * The platform's configuration, parsed once from the environment (and overrides from command-line
 * flags). Precedence: an explicit override (a CLI flag) → the environment variable → the default below.
 * The README's configuration table mirrors `DEFAULTS`.
 */
export interface Config {
  /** PostgreSQL connection string; when absent the embedded PGlite database is used. */
  databaseUrl: string | undefined;
  /** PGlite data directory (embedded mode only). */
  dataDir: string;
  /** HTTP port of the API. */
  port: number;
  /** Interface to listen on. */
  host: string;
  /** pino log level. */
  logLevel: string;
  /** Serve unauthenticated requests (as analyst) when a PostgreSQL server is configured. */
  allowAnonymous: boolean;
  /** Redis connection string for shared rate limits; in-memory limits when absent. */
  redisUrl: string | undefined;
  /** Number of enterprises of the demo set generated for an empty embedded database. */
  demoEnterprises: number;
  /** Seed of the demo set. */
  demoSeed: number;
  /** production mode: no introspection or suggestions for anonymous callers. */
  production: boolean;
}

export const DEFAULTS = {
  dataDir: './data',
  port: 4000,
  host: '0.0.0.0',
  logLevel: 'info',
  demoEnterprises: 2000,
  demoSeed: 20221224,
} as const;

function intFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative whole number, got "${value}"`);
  return n;
}

/** Reads the configuration; `overrides` (from CLI flags) win over the environment. */
export function loadConfig(overrides: Partial<Config> = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const config: Config = {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.EDP_DATA_DIR || DEFAULTS.dataDir),
    port: intFrom(env.PORT, DEFAULTS.port, 'PORT'),
    host: env.HOST || DEFAULTS.host,
    logLevel: env.LOG_LEVEL || DEFAULTS.logLevel,
    allowAnonymous: env.EDP_ALLOW_ANONYMOUS === '1' || env.EDP_ALLOW_ANONYMOUS === 'true',
    redisUrl: env.REDIS_URL || undefined,
    demoEnterprises: intFrom(env.EDP_DEMO_ENTERPRISES, DEFAULTS.demoEnterprises, 'EDP_DEMO_ENTERPRISES'),
    demoSeed: intFrom(env.EDP_DEMO_SEED, DEFAULTS.demoSeed, 'EDP_DEMO_SEED'),
    production: env.NODE_ENV === 'production',
  };
  return { ...config, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}
