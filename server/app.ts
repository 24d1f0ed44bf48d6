import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Database } from '../db/client.js';
import type { Config } from '../lib/config.js';
import type { Logger } from '../lib/logger.js';
import { createContext, type Context } from '../resolvers/context.js';
import { schema } from '../schema/index.js';
import { maskErrors } from './errors.js';
import { AuthenticationError, resolveViewer } from './viewer.js';

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

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `Request body larger than ${MAX_BODY_BYTES} bytes.`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** A route outside GraphQL (explorer assets, dashboard): return true when handled. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<boolean> | boolean;

export interface AppOptions {
  config: Config;
  database: Database;
  logger: Logger;
  /** extra routes tried before GraphQL (static pages) */
  routes?: Route[];
}

/**
 * The HTTP service: GraphQL at /graphql (Apollo Server over node:http), /healthz (the process
 * lives) and /readyz (the database answers). Call `start()` to listen and `stop()` to drain.
 */
export function createApp({ config, database, logger, routes = [] }: AppOptions) {
  const httpServer = http.createServer();
  const apollo = new ApolloServer<Context>({
    schema,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    formatError: maskErrors(logger),
    csrfPrevention: true,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer })],
  });

  async function ready(): Promise<boolean> {
    try {
      await Promise.race([database.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000))]);
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
        throw new HttpError(400, 'The request body is not valid JSON.');
      }
    }
    const viewer = await resolveViewer(req.headers, config);
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
      context: async () => createContext(database, viewer, logger.child({ requestId, role: viewer.role }), requestId),
    });
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
        const ok = await ready();
        return sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'database unavailable' });
      }
      for (const route of routes) if (await route(req, res, url)) return;
      if (url.pathname === '/graphql' || url.pathname === '/') return await graphql(req, res, url);
      sendJson(res, 404, { error: `No such path: ${url.pathname}` });
    } catch (error) {
      if (error instanceof HttpError) return sendJson(res, error.status, { errors: [{ message: error.message }] }, error.headers);
      if (error instanceof AuthenticationError) {
        return sendJson(res, 401, { errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] }, { 'www-authenticate': 'Bearer' });
      }
      logger.error({ err: error }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error' }] });
      else res.end();
    }
  });

  return {
    httpServer,
    apollo,
    /** Listens on config.host:config.port (port 0 picks a free one); resolves to the base URL. */
    async start(): Promise<string> {
      await apollo.start();
      await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
      const address = httpServer.address();
      const port = typeof address === 'object' && address ? address.port : config.port;
      const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
      return `http://${host}:${port}`;
    },
    /** Stops accepting requests, lets those in flight finish, then stops. */
    async stop(): Promise<void> {
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}
