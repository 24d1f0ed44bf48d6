import { Redis } from 'ioredis';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';

/** The verdict on one request. */
export interface RateVerdict {
  allowed: boolean;
  /** whole seconds until one request is allowed again (0 when allowed) */
  retryAfterSeconds: number;
}

/** A per-caller token bucket: `burst` requests at once, refilled at `perMinute` a minute. */
export interface RateLimiter {
  take(caller: string): Promise<RateVerdict>;
  /** Resolves once the limiter can answer from its store (Redis connected), or after `ms` at most. */
  ready?(ms: number): Promise<void>;
  close(): Promise<void>;
}

interface BucketOptions {
  perMinute: number;
  burst: number;
}

const perMs = ({ perMinute }: BucketOptions) => perMinute / 60_000;
const verdict = (allowed: boolean, waitMs: number): RateVerdict => ({
  allowed,
  retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(waitMs / 1000)),
});

/** Buckets in this process's memory: right for one instance; several instances need Redis. */
export function memoryRateLimiter(
  options: BucketOptions,
  now: () => number = Date.now,
): RateLimiter {
  const rate = perMs(options);
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    async take(caller) {
      const t = now();
      if (buckets.size > 10_000) {
        // forget callers whose bucket has refilled: they are indistinguishable from new ones
        for (const [k, b] of buckets)
          if (b.tokens + (t - b.at) * rate >= options.burst) buckets.delete(k);
      }
      const b = buckets.get(caller) ?? { tokens: options.burst, at: t };
      b.tokens = Math.min(options.burst, b.tokens + (t - b.at) * rate);
      b.at = t;
      buckets.set(caller, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return verdict(true, 0);
      }
      return verdict(false, (1 - b.tokens) / rate);
    },
    async close() {},
  };
}

/**
 * The same bucket in Redis, shared by every instance: read, refill, take and write in one Lua
 * script, so concurrent requests cannot both spend the last token. Time is Redis's own clock.
 */
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return { allowed, wait }
`;

type TakeCommand = (key: string, rate: string, burst: string) => Promise<[number, number]>;

/** How long Redis may take to answer one command before the request goes on without it. */
export const REDIS_COMMAND_TIMEOUT_MS = 150;
/** After a failure, Redis is left alone this long (the breaker is open) and buckets are kept in memory. */
export const REDIS_BREAKER_OPEN_MS = 5000;

/**
 * Buckets in Redis under `prefix`, shared by every instance. Redis must never slow the API down or
 * lift the limit: a command not answered within REDIS_COMMAND_TIMEOUT_MS, or Redis not connected,
 * opens a breaker for REDIS_BREAKER_OPEN_MS during which this instance counts in its own memory
 * (the same limits, per instance), then Redis is tried again. Each opening and closing is logged once.
 */
export function redisRateLimiter(
  options: BucketOptions & { url: string; prefix: string; logger: Logger },
  now: () => number = Date.now,
): RateLimiter {
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 0,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    connectTimeout: 1000,
    // a command while disconnected fails at once instead of waiting in a queue
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  });
  const fallback = memoryRateLimiter(options, now);
  let openUntil = 0;
  let open = false;
  let quietErrors = false;
  redis.on('error', (err) => {
    // a Redis that is down reports each reconnection attempt: one line per outage is enough
    if (quietErrors) return;
    quietErrors = true;
    options.logger.warn({ err }, 'redis (rate limits) error');
  });
  redis.on('ready', () => {
    quietErrors = false;
    if (open) {
      open = false;
      openUntil = 0;
      options.logger.warn('redis (rate limits) answering again: buckets shared again');
    }
  });
  const trip = (err: unknown) => {
    openUntil = now() + REDIS_BREAKER_OPEN_MS;
    if (open) return;
    open = true;
    options.logger.warn(
      { err },
      `redis (rate limits) not answering: limits counted in this instance's memory, Redis tried again every ${REDIS_BREAKER_OPEN_MS / 1000} s`,
    );
  };
  redis.defineCommand('edpTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  const take = (redis as unknown as { edpTakeToken: TakeCommand }).edpTakeToken.bind(redis);
  const rate = String(perMs(options));
  return {
    async take(caller) {
      if (now() < openUntil) return fallback.take(caller);
      if (redis.status !== 'ready') {
        trip(new Error(`redis connection ${redis.status}`));
        return fallback.take(caller);
      }
      try {
        const [allowed, wait] = await take(options.prefix + caller, rate, String(options.burst));
        if (open) {
          open = false;
          options.logger.warn('redis (rate limits) answering again: buckets shared again');
        }
        return verdict(allowed === 1, wait);
      } catch (err) {
        trip(err);
        return fallback.take(caller);
      }
    },
    async ready(ms) {
      if (redis.status === 'ready') return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          redis.off('ready', done);
          resolve();
        }
        redis.once('ready', done);
      });
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * Redis buckets when REDIS_URL is set, else in memory; limits from EDP_RATE_LIMIT_PER_MINUTE (0 turns
 * the limit off) and EDP_RATE_LIMIT_BURST.
 */
export function createRateLimiter(config: Config, logger: Logger): RateLimiter {
  if (config.rateLimitPerMinute === 0)
    return { take: async () => verdict(true, 0), close: async () => {} };
  const options = { perMinute: config.rateLimitPerMinute, burst: config.rateLimitBurst };
  return config.redisUrl
    ? redisRateLimiter({ ...options, url: config.redisUrl, prefix: config.redisPrefix, logger })
    : memoryRateLimiter(options);
}
