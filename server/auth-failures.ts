import type { Logger } from '../lib/logger.js';

/** How often the failures of one address are written to the log (at most once per window). */
const LOG_WINDOW_MS = 60_000;

/**
 * Failed authentications per client address: a token bucket of `burst` failures refilled at
 * `perMinute` a minute. An address whose bucket is empty is refused (429) before its key is looked
 * up, so guessing keys costs the database nothing and yields nothing. Failures are logged sampled:
 * the first of an address, then at most once a minute with the count since the last line.
 * The buckets live in this process (per instance); addresses are the TCP peer, never a header.
 */
export function authFailureLimiter(
  options: { perMinute: number; burst: number; logger: Logger },
  now: () => number = Date.now,
) {
  const rate = options.perMinute / 60_000;
  const buckets = new Map<string, { tokens: number; at: number }>();
  const logged = new Map<string, { at: number; failures: number; refused: number }>();
  const refill = (address: string, t: number) => {
    const b = buckets.get(address) ?? { tokens: options.burst, at: t };
    b.tokens = Math.min(options.burst, b.tokens + (t - b.at) * rate);
    b.at = t;
    return b;
  };
  const forget = (t: number) => {
    if (buckets.size > 10_000)
      for (const [k, b] of buckets)
        if (b.tokens + (t - b.at) * rate >= options.burst) buckets.delete(k);
    if (logged.size > 10_000)
      for (const [k, l] of logged) if (t - l.at >= LOG_WINDOW_MS) logged.delete(k);
  };
  const sample = (address: string, kind: 'failures' | 'refused', reason: string) => {
    const t = now();
    const l = logged.get(address);
    if (l && t - l.at < LOG_WINDOW_MS) {
      l[kind]++;
      return;
    }
    const counts = l ? { failures: l.failures, refused: l.refused } : { failures: 0, refused: 0 };
    counts[kind]++;
    options.logger.warn(
      {
        address,
        ...counts,
        reason,
        sampled: `at most one line per address per ${LOG_WINDOW_MS / 1000} s`,
      },
      'failed authentication',
    );
    logged.set(address, { at: t, failures: 0, refused: 0 });
  };
  return {
    /** Seconds to wait when the address has spent its failures, else 0. */
    retryAfter(address: string): number {
      if (options.perMinute === 0) return 0;
      const t = now();
      const b = refill(address, t);
      buckets.set(address, b);
      if (b.tokens >= 1) return 0;
      sample(address, 'refused', 'too many failed authentications');
      return Math.max(1, Math.ceil((1 - b.tokens) / rate / 1000));
    },
    /** Records one failed authentication of the address. */
    failed(address: string, reason: string): void {
      const t = now();
      forget(t);
      if (options.perMinute > 0) {
        const b = refill(address, t);
        b.tokens = Math.max(0, b.tokens - 1);
        buckets.set(address, b);
      }
      sample(address, 'failures', reason);
    },
  };
}

export type AuthFailureLimiter = ReturnType<typeof authFailureLimiter>;
