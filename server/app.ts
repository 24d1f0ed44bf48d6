import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { ApolloServer, type ApolloServerPlugin, HeaderMap } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { Database } from '../db/client.js';
import { currentLsn, type ReadRouter } from '../db/replicas.js';
import { currentStatementScope, inStatementScope, StatementScope } from '../db/statement-scope.js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import { type Context, createContext, type Viewer } from '../resolvers/context.js';
import { dataVersionChanged, setDataVersionTtl } from '../resolvers/data-version.js';
import { createLoaders } from '../resolvers/loaders.js';
import { schema } from '../schema/index.js';
import { auditPlugin } from './audit-plugin.js';
import { authFailureLimiter } from './auth-failures.js';
import {
  DatabaseUnavailableError,
  INTERNAL_ERROR,
  isConnectionError,
  maskErrors,
  outageLog,
} from './errors.js';
import { ExpensiveGate } from './expensive-gate.js';
import { queryLimits, RequestRefused } from './limits.js';
import { createRateLimiter } from './rate-limit.js';
import { AuthenticationError, createViewerResolver } from './viewer.js';

/** Largest request body accepted (bytes); larger ones are refused with 413. */
export const MAX_BODY_BYTES = 512 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/**
 * The request body, refused with 413 past MAX_BODY_BYTES. An oversized body is read to its end and
 * dropped (the request timeout bounds how long) so that the client, still sending, gets the 413
 * rather than a reset connection.
 */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES)
        reject(
          new HttpError(
            413,
            `请求体超过上限 ${MAX_BODY_BYTES} 字节（${MAX_BODY_BYTES / 1024} KB）：请缩短查询，或把大批数据分几次发送。`,
          ),
        );
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Runs `work`, refusing with 503 when it has not finished within `ms` (reading a slow body included).
 * The work is no longer waited for and its late answer is dropped; its statements are cancelled when
 * the response closes (the request's StatementScope).
 */
async function withTimeout<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new RequestRefused(
            503,
            'TIMEOUT',
            `请求在 ${ms / 1000} 秒内没有完成，已放弃：请少取一些（字段更少，或每页条数更小）。`,
            { connection: 'close' },
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([work(), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** A route outside GraphQL (explorer assets, dashboard): return true when handled. */
export type Route = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<boolean> | boolean;

export interface AppOptions {
  config: Config;
  database: Database;
  logger: Logger;
  /** extra routes tried before GraphQL (static pages) */
  routes?: Route[];
  /** streaming replicas that answer queries (DATABASE_READ_URLS); every read on `database` without */
  reads?: ReadRouter;
}

/**
 * The HTTP service: GraphQL at /graphql (Apollo Server over node:http), /healthz (the process
 * lives) and /readyz (the database answers). Call `start()` to listen and `stop()` to drain.
 */
export function createApp({ config, database, logger, routes = [], reads }: AppOptions) {
  const httpServer = http.createServer();
  /**
   * Who each request in flight counts against (the rate limit's key: API key, or address), by
   * request id (Apollo hands plugins a copy of the context object, not the one made here).
   */
  const callers = new Map<string, string>();
  const expensive = new ExpensiveGate(config.expensivePerKey);
  const limits = queryLimits(config, {
    // the slot is held until the request ends (answered, timed out or abandoned)
    admit: async (_cost, context) => {
      const scope = currentStatementScope();
      if (!scope) return;
      scope.defer(await expensive.enter(callers.get(context.requestId) ?? 'unknown'));
    },
  });
  const resolveViewer = createViewerResolver({ config, database, logger });
  const rateLimiter = createRateLimiter(config, logger);
  const outage = outageLog(logger);
  const authFailures = authFailureLimiter({
    perMinute: config.authFailuresPerMinute,
    burst: config.authFailureBurst,
    logger,
  });
  setDataVersionTtl(database, config.dataVersionTtlMs);
  for (const replica of reads?.replicas ?? [])
    setDataVersionTtl(replica.database, config.dataVersionTtlMs);
  /**
   * Per caller (API key, or the anonymous caller): the primary's WAL position after its last
   * mutation. Its reads go to a replica only once that replica has replayed this far.
   */
  const lastWrites = new Map<string, string>();
  const writerOf = (viewer: Viewer) => viewer.keyId ?? 'anonymous';
  /**
   * A mutation runs on the primary and reads its own result there; afterwards this process sees
   * its change at once (data version), and the caller's next reads wait for a replica that has it.
   */
  const seeOwnWrites: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      let mutation = false;
      return {
        async didResolveOperation({ operation, contextValue }) {
          mutation = operation?.operation === 'mutation';
          if (mutation) currentStatementScope()?.keep();
          if (mutation && contextValue.database !== database) {
            contextValue.database = database;
            contextValue.loaders = createLoaders(database);
          }
        },
        async willSendResponse({ contextValue }) {
          if (!mutation) return;
          dataVersionChanged(database);
          if (reads && reads.replicas.length > 0) {
            const lsn = await currentLsn(database).catch(() => undefined);
            if (lsn) lastWrites.set(writerOf(contextValue.viewer), lsn);
          }
        },
      };
    },
  };
  /**
   * An answer that lost fields to a database outage is a 503, so that clients and balancers retry;
   * one whose statements the database answered ends an outage (a key found in the key cache, or
   * an answer from cached county figures, proves nothing).
   */
  const unavailableStatus: ApolloServerPlugin<Context> = {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (
            response.body.kind === 'single' &&
            response.body.singleResult.errors?.some(
              (e) => e.extensions?.code === 'DATABASE_UNAVAILABLE',
            )
          )
            response.http.status = 503;
          else if (currentStatementScope()?.answered) outage.recovered();
        },
      };
    },
  };
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: maskErrors(logger, outage),
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // the process's own SIGTERM handler (server/index.ts) stops Apollo, the database and the rest
    stopOnTerminationSignals: false,
    validationRules: limits.validationRules,
    parseOptions: limits.parseOptions,
    // Apollo's landing page loads from a CDN, out of reach on the county network; browsers get
    // the self-hosted explorer instead (server/static.ts).
    // no @cacheControl hints are used: the default cache-control plugin would only cost a hook per resolved field
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ...limits.plugins,
      auditPlugin(schema, database, logger),
      seeOwnWrites,
      unavailableStatus,
    ],
  });

  async function ready(): Promise<boolean> {
    try {
      await Promise.race([
        database.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000)),
      ]);
      outage.recovered();
      return true;
    } catch {
      return false;
    }
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, url: URL) {
    const requestId = randomUUID();
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const raw = req.method === 'POST' ? await readBody(req) : '';
    let body: unknown = raw;
    if (raw && (headers.get('content-type') ?? '').includes('application/json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        throw new HttpError(400, '请求体不是有效的 JSON。');
      }
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = authFailures.retryAfter(address);
    if (wait > 0)
      throw new RequestRefused(
        429,
        'RATE_LIMITED',
        `此地址认证失败次数过多，请 ${wait} 秒后重试。`,
        { 'retry-after': String(wait) },
      );
    let viewer: Viewer;
    try {
      viewer = await resolveViewer(req.headers);
    } catch (error) {
      if (error instanceof AuthenticationError) authFailures.failed(address, error.message);
      throw error;
    }
    const caller = viewer.keyId ? `key:${viewer.keyId}` : `ip:${req.socket.remoteAddress}`;
    const rate = await rateLimiter.take(caller);
    callers.set(requestId, caller);
    currentStatementScope()?.defer(() => callers.delete(requestId));
    if (!rate.allowed) {
      throw new RequestRefused(
        429,
        'RATE_LIMITED',
        `请求过于频繁：每个密钥每分钟最多 ${config.rateLimitPerMinute} 次，请 ${rate.retryAfterSeconds} 秒后重试。`,
        {
          'retry-after': String(rate.retryAfterSeconds),
        },
      );
    }
    // ended while it waited for its key or its bucket (out of time, or its client left): not begun
    if (currentStatementScope()?.closed) return;
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () =>
        createContext(
          reads ? reads.reader(lastWrites.get(writerOf(viewer))) : database,
          viewer,
          logger.child({ requestId, role: viewer.role }),
          requestId,
          config.minCellFirms,
        ),
    });
    if (res.headersSent) return; // answered already: the request ran out of time
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.setHeader('x-request-id', requestId);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  httpServer.on('request', async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz') {
        // ready while the primary answers: reads fall back to it when no replica is healthy
        const ok = await ready();
        return sendJson(res, ok ? 200 : 503, {
          status: ok ? 'ready' : 'database unavailable',
          ...(reads && reads.replicas.length > 0
            ? { primary: ok ? 'ok' : 'unavailable', replicas: reads.status() }
            : {}),
        });
      }
      for (const route of routes) if (await route(req, res, url)) return;
      if (url.pathname === '/graphql' || url.pathname === '/') {
        // answered, timed out or abandoned by its client: its statements stop with it
        const scope = new StatementScope();
        res.once('close', () => {
          const cancelled = scope.end();
          if (cancelled > 0)
            logger.info(
              { cancelled, answered: res.writableFinished },
              'request ended: statements cancelled',
            );
        });
        return await withTimeout(config.requestTimeoutMs, () =>
          inStatementScope(scope, () => graphql(req, res, url)),
        );
      }
      sendJson(res, 404, { error: `没有此路径：${url.pathname}` });
    } catch (error) {
      if (res.headersSent) return void res.end();
      if (error instanceof HttpError)
        return sendJson(res, error.status, { errors: [{ message: error.message }] }, error.headers);
      if (error instanceof RequestRefused) {
        return sendJson(
          res,
          error.status,
          { errors: [{ message: error.message, extensions: { code: error.code } }] },
          error.headers,
        );
      }
      if (error instanceof AuthenticationError) {
        return sendJson(
          res,
          401,
          { errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] },
          { 'www-authenticate': 'Bearer' },
        );
      }
      if (isConnectionError(error)) {
        // the key lookup (or another step before GraphQL) found the database gone
        outage.failed(error);
        return sendJson(
          res,
          503,
          {
            errors: [
              {
                message: new DatabaseUnavailableError().message,
                extensions: { code: 'DATABASE_UNAVAILABLE' },
              },
            ],
          },
          { 'retry-after': '5' },
        );
      }
      logger.error({ err: error }, 'request failed');
      sendJson(res, 500, { errors: [{ message: INTERNAL_ERROR }] });
    }
  });

  return {
    httpServer,
    apollo,
    /** Listens on config.host:config.port (port 0 picks a free one); resolves to the base URL. */
    async start(): Promise<string> {
      await apollo.start();
      // a shared limiter that cannot connect in 2 s is not waited for: it falls back to memory
      await rateLimiter.ready?.(2000);
      // a port in use (EADDRINUSE) or not allowed (EACCES) rejects, for the caller to say so
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(config.port, config.host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      // a URL this computer can open: every interface includes loopback; IPv6 in brackets
      const host =
        config.host === '0.0.0.0' || config.host === '::'
          ? '127.0.0.1'
          : config.host.includes(':')
            ? `[${config.host}]`
            : config.host;
      return `http://${host}:${port}`;
    },
    /** Stops accepting requests, lets those in flight finish, then stops. */
    async stop(): Promise<void> {
      await apollo.stop();
      await rateLimiter.close();
      if (httpServer.listening)
        await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
