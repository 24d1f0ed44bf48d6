import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPowerApiClient, PowerApiAuthError, PowerApiError, type Clock, type PowerApiOptions } from '../../connectors/power/api.js';
import { fakeMonthItems, startFakePowerApi, type FakePowerApi } from '../support/fake-power-api.js';

const TOKEN = 'secret-token';

/** A clock whose sleeps return at once but move its time on, recording every wait (ms). */
export function fakeClock(): Clock & { waits: number[] } {
  let offset = 0;
  const waits: number[] = [];
  return {
    waits,
    now: () => Date.now() + offset,
    async sleep(ms) {
      waits.push(ms);
      offset += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

describe('power company API client', () => {
  let api: FakePowerApi;
  beforeAll(async () => {
    api = await startFakePowerApi({ token: TOKEN, accounts: () => 30 });
  });
  afterEach(() => {
    api.requests.length = 0;
  });
  afterAll(() => api?.close());

  const client = (clock: Clock, extra: Partial<PowerApiOptions> = {}) =>
    createPowerApiClient({
      baseUrl: api.url,
      token: TOKEN,
      clock,
      retry: { baseDelayMs: 5, maxDelayMs: 40, timeoutMs: 150, maxAttempts: 10 },
      ...extra,
    });

  it('reads a page with the bearer token', async () => {
    const page = await client(fakeClock()).fetchPage('2024-03', 2, 20);
    expect(page).toEqual({ total: 30, page: 2, pageSize: 20, items: fakeMonthItems('2024-03', 30).slice(20) });
  });

  it('honours Retry-After in seconds', async () => {
    api.inject('2024-01:1', { kind: 'status', status: 429, retryAfter: '7' });
    const clock = fakeClock();
    const c = client(clock);
    const page = await c.fetchPage('2024-01', 1, 10);
    expect(page.items).toHaveLength(10);
    expect(clock.waits).toEqual([7000]);
    expect(api.requests.map((r) => r.outcome)).toEqual([429, 200]);
    expect(c.stats).toEqual({ requests: 2, retries: 1 });
  });

  it('honours Retry-After as an HTTP date', async () => {
    const at = new Date(Date.now() + 5000).toUTCString();
    api.inject('2024-01:1', { kind: 'status', status: 503, retryAfter: at });
    const clock = fakeClock();
    await client(clock).fetchPage('2024-01', 1, 10);
    expect(clock.waits).toHaveLength(1);
    // HTTP dates have whole seconds: the wait is what is left until that second.
    expect(clock.waits[0]).toBeGreaterThan(3900);
    expect(clock.waits[0]).toBeLessThanOrEqual(5000);
  });

  it('really waits Retry-After on the system clock', async () => {
    api.inject('2024-01:1', { kind: 'status', status: 429, retryAfter: '1' });
    const started = performance.now();
    await createPowerApiClient({ baseUrl: api.url, token: TOKEN, retry: { baseDelayMs: 5 } }).fetchPage('2024-01', 1, 10);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(990);
    expect(waited).toBeLessThan(1900);
  });

  it('backs off exponentially with full jitter, capped', async () => {
    api.inject('2024-02:1', ...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 503 as const })));
    const clock = fakeClock();
    await client(clock, { random: () => 0.5 }).fetchPage('2024-02', 1, 10);
    // random · min(40, 5 · 2^(n−1)): 2.5, 5, 10, 20 (rounded to whole ms)
    expect(clock.waits).toEqual([3, 5, 10, 20]);
    api.inject('2024-02:1', ...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 502 as const })));
    const capped = fakeClock();
    await client(capped, { random: () => 0.999 }).fetchPage('2024-02', 1, 10);
    expect(capped.waits).toEqual([5, 10, 20, 40, 40]);
  });

  it('retries timeouts, dropped connections and cut answers until the page arrives', async () => {
    api.inject(
      '2024-04:2',
      { kind: 'slow', ms: 600 },
      { kind: 'stall-body', ms: 600 },
      { kind: 'drop' },
      { kind: 'truncate' },
      { kind: 'cut-body' },
      { kind: 'status', status: 504 },
      { kind: 'status', status: 502 },
    );
    const reasons: string[] = [];
    const c = client(fakeClock(), { onRetry: (e) => reasons.push(e.reason) });
    const page = await c.fetchPage('2024-04', 2, 10);
    expect(page.items).toEqual(fakeMonthItems('2024-04', 30).slice(10, 20));
    expect(api.requests.map((r) => r.outcome)).toEqual(['slow', 'stall-body', 'drop', 'truncate', 'cut-body', 504, 502, 200]);
    expect(c.stats).toEqual({ requests: 8, retries: 7 });
    expect(reasons[0]).toMatch(/within 150 ms/);
    expect(reasons[1]).toMatch(/within 150 ms/);
    expect(reasons[2]).toMatch(/connection failed/);
    expect(reasons[3]).toMatch(/not complete JSON/);
  });

  it('fails fast on a wrong token, without retrying', async () => {
    const clock = fakeClock();
    const c = createPowerApiClient({ baseUrl: api.url, token: 'wrong', clock, retry: { baseDelayMs: 5 } });
    const error = await c.fetchPage('2024-03', 1, 10).catch((e) => e);
    expect(error).toBeInstanceOf(PowerApiAuthError);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/refused the token/);
    expect(api.requests).toHaveLength(1);
    expect(clock.waits).toEqual([]);
  });

  it('gives up after the last attempt with a clear error', async () => {
    api.inject('2024-05:1', ...Array.from({ length: 6 }, () => ({ kind: 'status' as const, status: 503 as const })));
    const error = await client(fakeClock(), { retry: { baseDelayMs: 1, maxAttempts: 4 } })
      .fetchPage('2024-05', 1, 10)
      .catch((e) => e);
    expect(error).toBeInstanceOf(PowerApiError);
    expect(error.message).toMatch(/gave up on .*month=2024-05.* after 4 attempts .*last failure: HTTP 503/);
    expect(error.attempts).toBe(4);
    expect(api.requests).toHaveLength(4);
  });

  it('gives up at once when Retry-After is beyond the time budget', async () => {
    api.inject('2024-06:1', { kind: 'status', status: 429, retryAfter: '3600' });
    const clock = fakeClock();
    const error = await client(clock, { retry: { maxTotalMs: 60_000 } })
      .fetchPage('2024-06', 1, 10)
      .catch((e) => e);
    expect(error).toBeInstanceOf(PowerApiError);
    expect(error.message).toMatch(/waiting 3600000 ms more would pass the 60000 ms budget.*HTTP 429/);
    expect(clock.waits).toEqual([]);
    expect(api.requests).toHaveLength(1);
  });

  it('does not retry other client errors', async () => {
    const error = await client(fakeClock(), { baseUrl: `${api.url}/wrong` })
      .fetchPage('2024-03', 1, 10)
      .catch((e) => e);
    expect(error).toBeInstanceOf(PowerApiError);
    expect(error.status).toBe(404);
    expect(error.attempts).toBe(1);
  });

  it('stops waiting when cancelled', async () => {
    api.inject('2024-07:1', { kind: 'status', status: 429, retryAfter: '30' });
    const controller = new AbortController();
    const c = createPowerApiClient({ baseUrl: api.url, token: TOKEN, signal: controller.signal, onRetry: () => controller.abort(new Error('stop')) });
    const started = performance.now();
    await expect(c.fetchPage('2024-07', 1, 10)).rejects.toThrow('stop');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
