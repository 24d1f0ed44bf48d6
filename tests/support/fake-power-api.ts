import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { USCC_ALPHABET, usccCheckChar } from '../../connectors/common/uscc.js';

/**
 * A stand-in for the power company's consumption API (docs/sources.md 4b) on 127.0.0.1, serving
 * deterministic data and failing on purpose where a test says so.
 */

/** What the server does instead of answering, for one request. */
export type Fault =
  | { kind: 'status'; status: 429 | 502 | 503 | 504; retryAfter?: string }
  | { kind: 'slow'; ms: number } // answers after `ms`
  | { kind: 'stall-body'; ms: number } // sends headers and half the body, then waits `ms`
  | { kind: 'drop' } // destroys the connection without answering (ECONNRESET / socket hang up)
  | { kind: 'truncate' } // a complete HTTP answer whose JSON is cut in half
  | { kind: 'cut-body' }; // announces the full length, sends half, closes

export interface FakePowerApiOptions {
  token: string;
  /** Accounts (items) in a month (default: 23 + the month number, so months differ). */
  accounts?: (month: string) => number;
  /** The largest page size served; larger requests are capped, as real APIs do (default 1000). */
  maxPageSize?: number;
  /** Faults per `month:page`, used up one per request in order; `*` applies to every request. */
  faults?: Record<string, Fault[]>;
}

export interface LoggedRequest {
  month: string;
  page: number;
  pageSize: number;
  /** The HTTP status sent, or the fault's kind when none was. */
  outcome: number | Fault['kind'];
}

export interface FakePowerApi {
  url: string;
  requests: LoggedRequest[];
  /** Adds faults for later requests (`month:page` → faults, in order). */
  inject(key: string, ...faults: Fault[]): void;
  close(): Promise<void>;
}

/** A valid USCC for a number (the 18th character computed), e.g. for account holders. */
export function usccFor(n: number): string {
  let body = '';
  for (let v = n, i = 0; i < 8; i++, v = Math.floor(v / 31)) body = USCC_ALPHABET[v % 31] + body;
  const first17 = `913708305${body}`;
  return first17 + usccCheckChar(first17);
}

/** A USCC whose check character is wrong: a row carrying it must be quarantined. */
export const brokenUscc = (n: number): string => {
  const valid = usccFor(n);
  return valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
};

/**
 * The accounts of the fake service: every third carries a valid USCC (i ≡ 0 mod 3), the rest only
 * a name, and every 17th (i ≡ 16 mod 17) a USCC that fails its check.
 */
export function fakeAccount(i: number) {
  const bracketed = i % 2 === 0 ? `（第${i}分厂）` : `(第${i}分厂)`;
  return {
    accountNo: `37083${String(100000 + i)}`,
    accountName: `汶上县电测${i}机械有限公司${bracketed}`,
    uscc: i % 17 === 16 ? brokenUscc(i) : i % 3 === 0 ? usccFor(i) : null,
  };
}

/** The items of one month, in the order the service pages them. kwh has at most one decimal. */
export function fakeMonthItems(month: string, count: number) {
  const monthNumber = Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7));
  return Array.from({ length: count }, (_, i) => ({
    ...fakeAccount(i),
    month,
    kwh: ((i * 7919 + monthNumber * 104_729) % 10_000_000) / 10,
  }));
}

const defaultAccounts = (month: string) => 23 + Number(month.slice(5, 7));

export async function startFakePowerApi(options: FakePowerApiOptions): Promise<FakePowerApi> {
  const accounts = options.accounts ?? defaultAccounts;
  const maxPageSize = options.maxPageSize ?? 1000;
  const faults = new Map<string, Fault[]>(
    Object.entries(options.faults ?? {}).map(([k, v]) => [k, [...v]]),
  );
  const requests: LoggedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/v1/consumption') return send(res, 404, { error: 'not found' });
    const month = url.searchParams.get('month') ?? '';
    const page = Number(url.searchParams.get('page') ?? '1');
    const pageSize = Math.min(maxPageSize, Number(url.searchParams.get('pageSize') ?? '100'));
    const log: LoggedRequest = { month, page, pageSize, outcome: 200 };
    requests.push(log);
    if (req.headers.authorization !== `Bearer ${options.token}`) {
      log.outcome = 401;
      return send(res, 401, { error: 'invalid token' });
    }
    if (!/^\d{4}-\d{2}$/.test(month) || !(page >= 1) || !(pageSize >= 1)) {
      log.outcome = 400;
      return send(res, 400, { error: 'bad query' });
    }
    const all = fakeMonthItems(month, accounts(month));
    const body = JSON.stringify({
      total: all.length,
      page,
      pageSize,
      items: all.slice((page - 1) * pageSize, page * pageSize),
    });
    const fault = faults.get(`${month}:${page}`)?.shift() ?? faults.get('*')?.shift();
    if (!fault) return send(res, 200, body);
    log.outcome = fault.kind === 'status' ? fault.status : fault.kind;
    switch (fault.kind) {
      case 'status':
        return send(
          res,
          fault.status,
          { error: 'try later' },
          fault.retryAfter ? { 'retry-after': fault.retryAfter } : {},
        );
      case 'slow':
        return later(fault.ms, () => send(res, 200, body));
      case 'stall-body':
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        res.write(body.slice(0, body.length >> 1));
        return later(fault.ms, () => res.end(body.slice(body.length >> 1)));
      case 'drop':
        return req.socket.destroy();
      case 'truncate':
        return send(res, 200, body.slice(0, body.length >> 1));
      case 'cut-body':
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        res.write(body.slice(0, body.length >> 1));
        return later(5, () => req.socket.destroy());
    }
  }

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(key, ...more) {
      faults.set(key, [...(faults.get(key) ?? []), ...more]);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  if (res.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
