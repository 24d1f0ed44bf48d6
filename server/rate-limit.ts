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

/**
 * Buckets in Redis under `prefix`. When Redis does not answer, requests are let through and a
 * warning logged: an outage of the limiter must not take the API down with it.
 */
export function redisRateLimiter(
  options: BucketOptions & { url: string; prefix: string; logger: Logger },
): RateLimiter {
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    lazyConnect: false,
  });
  redis.on('error', (err) => options.logger.warn({ err }, 'redis (rate limits) error'));
  redis.defineCommand('edpTakeToken', { numberOfKeys: 1, lua: TAKE_SCRIPT });
  const take = (redis as unknown as { edpTakeToken: TakeCommand }).edpTakeToken.bind(redis);
  const rate = String(perMs(options));
  return {
    async take(caller) {
      try {
        const [allowed, wait] = await take(options.prefix + caller, rate, String(options.burst));
        return verdict(allowed === 1, wait);
      } catch (err) {
        options.logger.warn({ err }, 'rate limit not checked: redis did not answer');
        return verdict(true, 0);
      }
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
