import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';

/**
 * The power company's consumption API (docs/sources.md 4b):
 * `GET {base}/api/v1/consumption?month=YYYY-MM&page=N&pageSize=M` with `Authorization: Bearer {token}`.
 * The service is slow and flaky, so every request has a timeout and transient failures are retried
 * with exponential backoff and full jitter, honouring Retry-After.
 */

/**
 * One consumption record as the API sends it: `{accountNo, accountName, uscc|null, month, kwh}`
 * (kwh = 用电量 in 千瓦时). Fields are not trusted here: the loading pipeline validates them and
 * quarantines what is wrong, with the raw record.
 */
export type PowerApiItem = Record<string, unknown>;

/** One page of a month's consumption; `total` is the month's item count over all pages. */
export interface PowerApiPage {
  total: number;
  page: number;
  pageSize: number;
  items: PowerApiItem[];
}

/** When and how often a request is retried. All times in milliseconds. */
export interface RetryPolicy {
  /** Attempts per request, the first included (default 8). */
  maxAttempts: number;
  /** Backoff base: the n-th retry waits a random time in [0, min(maxDelayMs, baseDelayMs·2^(n−1))) (default 500). */
  baseDelayMs: number;
  /** Backoff cap (default 30 000). */
  maxDelayMs: number;
  /** Time budget per request over all its attempts and waits, Retry-After included (default 300 000). */
  maxTotalMs: number;
  /** Timeout of one attempt, from sending the request to the last byte of the answer (default 30 000). */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxTotalMs: 300_000,
  timeoutMs: 30_000,
};

/** Time as the client sees it; tests pass a fake one to measure waits without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // Rejects with the signal's own reason, as fetch does, rather than a generic AbortError.
  sleep: (ms, signal) =>
    delay(ms, undefined, { signal }).catch((error) =>
      Promise.reject(signal?.aborted ? signal.reason : error),
    ),
};

/** A retry about to happen: what failed, and how long the client waits before the next attempt. */
export interface RetryEvent {
  url: string;
  attempt: number;
  reason: string;
  waitMs: number;
  /** True when the wait is the server's Retry-After rather than the client's backoff. */
  retryAfter: boolean;
}

export interface PowerApiOptions {
  /** e.g. `https://api.example.gov.cn` (a trailing slash is fine). */
  baseUrl: string;
  token: string;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  /** Source of jitter in [0, 1) (default Math.random). */
  random?: () => number;
  /** Cancels the request in flight and any wait. */
  signal?: AbortSignal;
  onRetry?: (event: RetryEvent) => void;
}

/** The API refused or failed in a way the caller has to look at; `status` is the last HTTP status, if any. */
export class PowerApiError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly attempts: number,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PowerApiError';
  }
}

/** 401/403: the token is wrong or has expired. Never retried. */
export class PowerApiAuthError extends PowerApiError {
  constructor(url: string, status: number) {
    super(
      `the power company's API refused the token (HTTP ${status}) for ${url}: check --token`,
      url,
      1,
      status,
    );
    this.name = 'PowerApiAuthError';
  }
}

/** A failure worth another attempt. */
class Transient extends Error {
  constructor(
    readonly reason: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(reason);
  }
}

const RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);

const pageSchema = z.object({
  total: z.number().int().nonnegative(),
  page: z.number().int().positive(),
  pageSize: z.number().int().positive(),
  items: z.array(z.record(z.string(), z.unknown())),
});

/**
 * Retry-After as milliseconds from now: delta-seconds (`120`) or an HTTP date
 * (`Wed, 21 Oct 2026 07:28:00 GMT`, never negative); undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The deepest `code` in an error's cause chain (undici wraps socket errors in `TypeError: fetch failed`). */
function errorCode(error: unknown): string | undefined {
  let code: string | undefined;
  for (let e: any = error; e; e = e.cause) if (typeof e.code === 'string') code = e.code;
  return code;
}

function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: any = error; e; e = e.cause)
    parts.push(e.code ? `${e.message} (${e.code})` : String(e.message ?? e));
  return parts.join(': ');
}

export interface PowerApiClient {
  /** One page of one month (`YYYY-MM`), retried as the policy says. */
  fetchPage(month: string, page: number, pageSize: number): Promise<PowerApiPage>;
  /** Requests made so far (every attempt counts) and how many of them were retries. */
  readonly stats: { requests: number; retries: number };
}

export function createPowerApiClient(options: PowerApiOptions): PowerApiClient {
  const policy = { ...DEFAULT_RETRY, ...options.retry };
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const stats = { requests: 0, retries: 0 };
  const base = options.baseUrl.replace(/\/+$/, '');
  if (!URL.canParse(base))
    throw new PowerApiError(`not a URL: "${options.baseUrl}"`, options.baseUrl, 0);

  /** One attempt: a page, or a Transient to retry, or a PowerApiError to give up on. */
  async function attempt(url: string): Promise<PowerApiPage> {
    stats.requests += 1;
    const timeout = AbortSignal.timeout(policy.timeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    let body: string;
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
        signal,
      });
      body = await response.text();
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (timeout.aborted) throw new Transient(`no complete answer within ${policy.timeoutMs} ms`);
      const code = errorCode(error);
      // A name that does not resolve will not start resolving on the next attempt.
      if (code === 'ENOTFOUND' || !(error instanceof TypeError || code)) throw error;
      throw new Transient(`connection failed: ${describe(error)}`);
    }
    if (response.status === 401 || response.status === 403)
      throw new PowerApiAuthError(url, response.status);
    if (RETRY_STATUSES.has(response.status)) {
      throw new Transient(
        `HTTP ${response.status}`,
        response.status,
        parseRetryAfter(response.headers.get('retry-after'), clock.now()),
      );
    }
    if (!response.ok)
      throw new PowerApiError(
        `HTTP ${response.status} from ${url}: ${body.slice(0, 200)}`,
        url,
        0,
        response.status,
      );
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      // Usually a connection cut mid-answer that still looked complete to HTTP.
      throw new Transient(
        `the answer is not complete JSON (${body.length} bytes)`,
        response.status,
      );
    }
    const parsed = pageSchema.safeParse(json);
    if (!parsed.success) {
      throw new PowerApiError(
        `unexpected answer from ${url}: ${z.prettifyError(parsed.error)}`,
        url,
        0,
        response.status,
      );
    }
    return parsed.data;
  }

  async function fetchPage(month: string, page: number, pageSize: number): Promise<PowerApiPage> {
    const url = `${base}/api/v1/consumption?month=${encodeURIComponent(month)}&page=${page}&pageSize=${pageSize}`;
    const started = clock.now();
    for (let n = 1; ; n++) {
      let failure: Transient;
      try {
        const answer = await attempt(url);
        if (answer.page !== page) {
          throw new PowerApiError(
            `asked for page ${page} of ${month} and got page ${answer.page}`,
            url,
            n,
            200,
          );
        }
        return answer;
      } catch (error) {
        if (error instanceof PowerApiError) {
          Object.assign(error, { attempts: n });
          throw error;
        }
        if (!(error instanceof Transient)) throw error;
        failure = error;
      }
      const elapsed = clock.now() - started;
      const giveUp = (why: string) =>
        new PowerApiError(
          `gave up on ${url} after ${n} attempt${n === 1 ? '' : 's'} in ${(elapsed / 1000).toFixed(1)} s (${why}); last failure: ${failure.reason}`,
          url,
          n,
          failure.status,
        );
      if (n >= policy.maxAttempts) throw giveUp(`at most ${policy.maxAttempts} attempts`);
      const backoff = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
      const waitMs = Math.round(failure.retryAfterMs ?? backoff);
      if (elapsed + waitMs > policy.maxTotalMs) {
        throw giveUp(`waiting ${waitMs} ms more would pass the ${policy.maxTotalMs} ms budget`);
      }
      options.onRetry?.({
        url,
        attempt: n,
        reason: failure.reason,
        waitMs,
        retryAfter: failure.retryAfterMs !== undefined,
      });
      stats.retries += 1;
      await clock.sleep(waitMs, options.signal);
    }
  }

  return { fetchPage, stats };
}
