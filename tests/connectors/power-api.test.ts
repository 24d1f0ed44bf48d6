import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Clock,
  createPowerApiClient,
  PowerApiAuthError,
  PowerApiError,
  type PowerApiOptions,
} from '../../connectors/power/api.js';
import { monthsBetween, pullPower } from '../../connectors/power/pull.js';
import type { Database } from '../../db/client.js';
import { enterprises } from '../../db/market.js';
import { normaliseName } from '../../lib/names.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import {
  type FakePowerApi,
  fakeAccount,
  fakeMonthItems,
  startFakePowerApi,
  usccFor,
} from '../support/fake-power-api.js';

const TOKEN = 'secret-token';

/** A clock whose sleeps return at once but move its time on, recording every wait (ms). */
function fakeClock(): Clock & { waits: number[] } {
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
      retry: { baseDelayMs: 5, maxDelayMs: 40, timeoutMs: 500, maxAttempts: 10 },
      ...extra,
    });

  it('reads a page with the bearer token', async () => {
    const page = await client(fakeClock()).fetchPage('2024-03', 2, 20);
    expect(page).toEqual({
      total: 30,
      page: 2,
      pageSize: 20,
      items: fakeMonthItems('2024-03', 30).slice(20),
    });
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
    await createPowerApiClient({
      baseUrl: api.url,
      token: TOKEN,
      retry: { baseDelayMs: 5 },
    }).fetchPage('2024-01', 1, 10);
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(990);
    expect(waited).toBeLessThan(1900);
  });

  it('backs off exponentially with full jitter, capped', async () => {
    api.inject(
      '2024-02:1',
      ...Array.from({ length: 4 }, () => ({ kind: 'status' as const, status: 503 as const })),
    );
    const clock = fakeClock();
    await client(clock, { random: () => 0.5 }).fetchPage('2024-02', 1, 10);
    // random · min(40, 5 · 2^(n−1)): 2.5, 5, 10, 20 (rounded to whole ms)
    expect(clock.waits).toEqual([3, 5, 10, 20]);
    api.inject(
      '2024-02:1',
      ...Array.from({ length: 5 }, () => ({ kind: 'status' as const, status: 502 as const })),
    );
    const capped = fakeClock();
    await client(capped, { random: () => 0.999 }).fetchPage('2024-02', 1, 10);
    expect(capped.waits).toEqual([5, 10, 20, 40, 40]);
  });

  it('retries timeouts, dropped connections and cut answers until the page arrives', async () => {
    api.inject(
      '2024-04:2',
      { kind: 'slow', ms: 2000 },
      { kind: 'stall-body', ms: 2000 },
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
    expect(api.requests.map((r) => r.outcome)).toEqual([
      'slow',
      'stall-body',
      'drop',
      'truncate',
      'cut-body',
      504,
      502,
      200,
    ]);
    expect(c.stats).toEqual({ requests: 8, retries: 7 });
    expect(reasons[0]).toMatch(/within 500 ms/);
    expect(reasons[1]).toMatch(/within 500 ms/);
    expect(reasons[2]).toMatch(/connection failed/);
    expect(reasons[3]).toMatch(/not complete JSON/);
  });

  it('fails fast on a wrong token, without retrying', async () => {
    const clock = fakeClock();
    const c = createPowerApiClient({
      baseUrl: api.url,
      token: 'wrong',
      clock,
      retry: { baseDelayMs: 5 },
    });
    const error = await c.fetchPage('2024-03', 1, 10).catch((e) => e);
    expect(error).toBeInstanceOf(PowerApiAuthError);
    expect(error.status).toBe(401);
    expect(error.message).toMatch(/refused the token/);
    expect(api.requests).toHaveLength(1);
    expect(clock.waits).toEqual([]);
  });

  it('gives up after the last attempt with a clear error', async () => {
    api.inject(
      '2024-05:1',
      ...Array.from({ length: 6 }, () => ({ kind: 'status' as const, status: 503 as const })),
    );
    const error = await client(fakeClock(), { retry: { baseDelayMs: 1, maxAttempts: 4 } })
      .fetchPage('2024-05', 1, 10)
      .catch((e) => e);
    expect(error).toBeInstanceOf(PowerApiError);
    expect(error.message).toMatch(
      /gave up on .*month=2024-05.* after 4 attempts .*last failure: HTTP 503/,
    );
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
    expect(error.message).toMatch(
      /waiting 3600000 ms more would pass the 60000 ms budget.*HTTP 429/,
    );
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
    const c = createPowerApiClient({
      baseUrl: api.url,
      token: TOKEN,
      signal: controller.signal,
      onRetry: () => controller.abort(new Error('stop')),
    });
    const started = performance.now();
    await expect(c.fetchPage('2024-07', 1, 10)).rejects.toThrow('stop');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

/** Registered enterprises for the fake accounts: i ≡ 0 (mod 3) by USCC, i ≡ 1 by name (the other bracket width), i ≡ 2 none. */
async function seedEnterprises(database: Database, accounts: number) {
  const rows = [];
  for (let i = 0; i < accounts; i++) {
    const account = fakeAccount(i);
    if (i % 3 === 2) continue;
    const otherBrackets = account.accountName
      .replace(/[（(]/, i % 2 ? '（' : '(')
      .replace(/[）)]/, i % 2 ? '）' : ')');
    const name = i % 3 === 0 ? `登记${i}有限公司` : otherBrackets;
    const uscc = i % 3 === 0 ? usccFor(i) : usccFor(100_000 + i);
    rows.push({ uscc, name, nameNorm: normaliseName(name), status: '存续', batchId: 0 });
  }
  await database.db.insert(enterprises).values(rows);
}

/** What a pull must leave in power_consumption for these months: every valid item, linked where it can be. */
function expectedRows(months: string[], accounts: (month: string) => number) {
  return months.flatMap((month) =>
    fakeMonthItems(month, accounts(month))
      .map((item, i) => ({ item, i }))
      .filter(({ i }) => i % 17 !== 16)
      .map(({ item, i }) => ({
        account_no: item.accountNo,
        month: `${month}-01`,
        kwh: item.kwh.toFixed(2),
        raw_identifier: item.uscc,
        raw_name: item.accountName,
        uscc: i % 3 === 0 ? usccFor(i) : i % 3 === 1 ? usccFor(100_000 + i) : null,
      }))
      .sort((a, b) => a.account_no.localeCompare(b.account_no)),
  );
}

async function consumption(database: Database, from: string, to: string) {
  return await database.rows(
    sql`select account_no, month::text as month, kwh::text as kwh, raw_identifier, raw_name, uscc
        from power_consumption where month between ${`${from}-01`}::date and ${`${to}-01`}::date order by month, account_no`,
  );
}

async function snapshot(database: Database) {
  return {
    consumption: await database.rows(
      sql`select *, loaded_at::text as loaded_at from power_consumption order by month, account_no`,
    ),
    pages: await database.rows(
      sql`select *, stored_at::text as stored_at from power_pull_pages order by month, page`,
    ),
    batches: await database.rows(sql`select id, status, rows_read from ingest_batches order by id`),
    quarantined: await database.rows(sql`select id from quarantined_rows order by id`),
  };
}

describe(`power pull into the database (${testDbMode()})`, () => {
  const accounts = (month: string) => 20 + Number(month.slice(5, 7)); // 21, 22, 23 … items
  let t: TestDatabase;
  let clean: TestDatabase;
  let api: FakePowerApi;
  beforeAll(async () => {
    [t, clean] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    await Promise.all([seedEnterprises(t.database, 40), seedEnterprises(clean.database, 40)]);
    api = await startFakePowerApi({ token: TOKEN, accounts });
  });
  afterEach(() => {
    api.requests.length = 0;
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
    await clean?.drop();
  });

  const client = (clock = fakeClock(), token = TOKEN) =>
    createPowerApiClient({
      baseUrl: api.url,
      token,
      clock,
      retry: { baseDelayMs: 2, maxDelayMs: 20, timeoutMs: 1000 },
    });

  it('loads exactly the expected rows under injected faults, honouring Retry-After', async () => {
    api.inject('2024-01:1', { kind: 'status', status: 429, retryAfter: '2' }, { kind: 'drop' });
    api.inject('2024-01:3', { kind: 'slow', ms: 2500 }, { kind: 'status', status: 503 });
    api.inject(
      '2024-02:2',
      { kind: 'truncate' },
      { kind: 'cut-body' },
      { kind: 'status', status: 502 },
    );
    api.inject(
      '2024-03:1',
      { kind: 'stall-body', ms: 2500 },
      { kind: 'status', status: 504 },
      { kind: 'status', status: 503, retryAfter: '1' },
    );
    const clock = fakeClock();
    const report = await pullPower(t.database, client(clock), {
      from: '2024-01',
      to: '2024-03',
      pageSize: 10,
    });

    expect(await consumption(t.database, '2024-01', '2024-03')).toEqual(
      expectedRows(['2024-01', '2024-02', '2024-03'], accounts),
    );
    expect(clock.waits[0]).toBe(2000);
    expect(clock.waits).toContain(1000);
    expect(report.retries).toBe(10);
    expect(report.requests).toBe(9 + 10);
    expect(report.months.map((m) => [m.month, m.status, m.total, m.pages, m.pagesPulled])).toEqual([
      ['2024-01', 'pulled', 21, 3, 3],
      ['2024-02', 'pulled', 22, 3, 3],
      ['2024-03', 'pulled', 23, 3, 3],
    ]);
    // one broken USCC per month (i = 16) is quarantined, i ≡ 2 (mod 3) stays unmatched
    expect(report.months.map((m) => [m.rowsRead, m.rowsQuarantined])).toEqual([
      [21, 1],
      [22, 1],
      [23, 1],
    ]);
    const batches = await t.database.rows<{ file_name: string; status: string; source: string }>(
      sql`select file_name, status, source from ingest_batches where source = 'power' order by id`,
    );
    expect(batches.map((b) => b.file_name)).toEqual(
      ['2024-01', '2024-02', '2024-03'].flatMap((m) => [1, 2, 3].map((p) => `api:${m}?page=${p}`)),
    );
    expect(new Set(batches.map((b) => b.status))).toEqual(new Set(['committed']));
    const pages = await t.database.rows(
      sql`select month::text as month, page, page_size, total from power_pull_pages order by month, page`,
    );
    expect(pages).toHaveLength(9);
    expect(pages[8]).toEqual({ month: '2024-03-01', page: 3, page_size: 10, total: 23 });
    const quarantined = await t.database.rows<{ file_name: string }>(
      sql`select file_name from quarantined_rows where source = 'power' order by id`,
    );
    expect(quarantined.map((q) => q.file_name)).toEqual([
      'api:2024-01?page=2',
      'api:2024-02?page=2',
      'api:2024-03?page=2',
    ]);
  });

  it('changes nothing when a finished range is pulled again, and --refresh does not double values', async () => {
    const before = await snapshot(t.database);
    const report = await pullPower(t.database, client(), {
      from: '2024-01',
      to: '2024-03',
      pageSize: 10,
    });
    expect(report.months.map((m) => m.status)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(api.requests).toHaveLength(0);
    expect(await snapshot(t.database)).toEqual(before);

    const refreshed = await pullPower(t.database, client(), {
      from: '2024-02',
      to: '2024-02',
      pageSize: 10,
      refresh: true,
    });
    expect(refreshed.months[0]).toMatchObject({ status: 'pulled', pagesPulled: 3, rowsRead: 22 });
    expect(api.requests).toHaveLength(3);
    expect(await consumption(t.database, '2024-01', '2024-03')).toEqual(
      expectedRows(['2024-01', '2024-02', '2024-03'], accounts),
    );
  });

  it('resumes after a crash from the next page, ending with the data of a clean pull', async () => {
    const range = { from: '2023-04', to: '2023-06', pageSize: 8 };
    await pullPower(clean.database, client(), range);
    api.requests.length = 0;

    const crash = new Error('killed after 2023-05 page 2');
    const failed = pullPower(t.database, client(), {
      ...range,
      onPage: ({ month, page }) => {
        if (month === '2023-05' && page === 2) throw crash;
      },
    });
    await expect(failed).rejects.toBe(crash);
    const stored = await t.database.rows(
      sql`select month::text as month, page from power_pull_pages where month >= '2023-04-01' and month < '2023-07-01' order by month, page`,
    );
    expect(stored).toEqual([
      { month: '2023-04-01', page: 1 },
      { month: '2023-04-01', page: 2 },
      { month: '2023-04-01', page: 3 },
      { month: '2023-05-01', page: 1 },
      { month: '2023-05-01', page: 2 },
    ]);

    api.requests.length = 0;
    const resumed = await pullPower(t.database, client(), range);
    // 24, 25 and 26 items in pages of 8: 3, 4 and 4 pages
    expect(api.requests.map((r) => `${r.month}:${r.page}`)).toEqual([
      '2023-05:3',
      '2023-05:4',
      '2023-06:1',
      '2023-06:2',
      '2023-06:3',
      '2023-06:4',
    ]);
    expect(resumed.months.map((m) => [m.month, m.status, m.pagesPulled])).toEqual([
      ['2023-04', 'skipped', 0],
      ['2023-05', 'resumed', 2],
      ['2023-06', 'pulled', 4],
    ]);
    const after = await consumption(t.database, '2023-04', '2023-06');
    expect(after).toEqual(await consumption(clean.database, '2023-04', '2023-06'));
    expect(after).toEqual(expectedRows(['2023-04', '2023-05', '2023-06'], accounts));
  });

  it('resumes after an abort in the middle of a request', async () => {
    api.inject('2023-08:2', { kind: 'slow', ms: 2000 });
    const controller = new AbortController();
    const aborting = createPowerApiClient({
      baseUrl: api.url,
      token: TOKEN,
      signal: controller.signal,
      retry: { timeoutMs: 5000 },
    });
    setTimeout(() => controller.abort(new Error('operator pressed ctrl-c')), 300);
    await expect(
      pullPower(t.database, aborting, { from: '2023-08', to: '2023-08', pageSize: 10 }),
    ).rejects.toThrow('ctrl-c');
    api.requests.length = 0;
    await pullPower(t.database, client(), { from: '2023-08', to: '2023-08', pageSize: 10 });
    expect(api.requests.map((r) => r.page)).toEqual([2, 3]);
    expect(await consumption(t.database, '2023-08', '2023-08')).toEqual(
      expectedRows(['2023-08'], accounts),
    );
  });

  it('stores a page with its progress or not at all', async () => {
    // The progress row fails after the page's rows went in: both must roll back together.
    await t.database.rows(
      sql.raw(`create function edp_test_refuse_page() returns trigger language plpgsql as $$
      begin if new.month = '2022-05-01' and new.page = 2 then raise exception 'disk full (test)'; end if; return new; end $$`),
    );
    await t.database.rows(
      sql.raw(`create trigger edp_test_refuse_page before insert on power_pull_pages
      for each row execute function edp_test_refuse_page()`),
    );
    try {
      await expect(
        pullPower(t.database, client(), { from: '2022-05', to: '2022-05', pageSize: 10 }),
      ).rejects.toThrow('disk full');
    } finally {
      await t.database.rows(sql.raw(`drop trigger edp_test_refuse_page on power_pull_pages`));
    }
    const firstPage = expectedRows(['2022-05'], accounts).filter(
      (r) => Number(r.account_no.slice(-2)) < 10,
    );
    expect(await consumption(t.database, '2022-05', '2022-05')).toEqual(firstPage);
    const batches = await t.database.rows(
      sql`select file_name, status from ingest_batches where file_name like 'api:2022-05%' order by id`,
    );
    expect(batches).toEqual([
      { file_name: 'api:2022-05?page=1', status: 'committed' },
      { file_name: 'api:2022-05?page=2', status: 'failed' },
    ]);
    api.requests.length = 0;
    await pullPower(t.database, client(), { from: '2022-05', to: '2022-05', pageSize: 10 });
    expect(api.requests.map((r) => r.page)).toEqual([2, 3]);
    expect(await consumption(t.database, '2022-05', '2022-05')).toEqual(
      expectedRows(['2022-05'], accounts),
    );
  });

  it('starts a month again when its total changed since the stored pages', async () => {
    let grown = 0;
    const growing = await startFakePowerApi({
      token: TOKEN,
      accounts: (month) => accounts(month) + grown,
    });
    try {
      const c = () =>
        createPowerApiClient({
          baseUrl: growing.url,
          token: TOKEN,
          clock: fakeClock(),
          retry: { baseDelayMs: 1 },
        });
      const stop = new Error('stop');
      await expect(
        pullPower(t.database, c(), {
          from: '2022-11',
          to: '2022-11',
          pageSize: 10,
          onPage: () => Promise.reject(stop),
        }),
      ).rejects.toBe(stop);
      grown = 5;
      growing.requests.length = 0;
      const report = await pullPower(t.database, c(), {
        from: '2022-11',
        to: '2022-11',
        pageSize: 10,
      });
      expect(growing.requests.map((r) => r.page)).toEqual([2, 1, 2, 3, 4]);
      expect(report.months[0]).toMatchObject({ total: 36, pages: 4, pagesPulled: 4 });
      expect(await consumption(t.database, '2022-11', '2022-11')).toEqual(
        expectedRows(['2022-11'], (m) => accounts(m) + 5),
      );
    } finally {
      await growing.close();
    }
  });

  it('fails fast on a wrong token and stores nothing', async () => {
    const before = await snapshot(t.database);
    const clock = fakeClock();
    await expect(
      pullPower(t.database, client(clock, 'expired'), { from: '2021-01', to: '2021-12' }),
    ).rejects.toBeInstanceOf(PowerApiAuthError);
    expect(api.requests).toHaveLength(1);
    expect(clock.waits).toEqual([]);
    expect(await snapshot(t.database)).toEqual(before);
  });

  it('rejects a malformed or reversed month range before any request', () => {
    expect(monthsBetween('2023-11', '2024-02')).toEqual([
      '2023-11',
      '2023-12',
      '2024-01',
      '2024-02',
    ]);
    expect(() => monthsBetween('2024-13', '2024-12')).toThrow(/not a month/);
    expect(() => monthsBetween('2024-03', '2024-02')).toThrow(/after/);
  });
});
