import pino from 'pino';
import type { Database } from '../../db/client.js';
import { type Config, loadConfig } from '../../lib/config.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { type AppOptions, createApp } from '../../server/app.js';

export interface TestApp {
  url: string;
  config: Config;
  /** POSTs a GraphQL operation; returns the HTTP status and the parsed body. */
  gql<T = any>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** A logger that keeps its JSON lines in `lines` (level and msg of each), for tests that read the log. */
export function capturingLogger(): {
  logger: Logger;
  lines: { level: number; msg: string; [k: string]: unknown }[];
} {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  );
  return { logger, lines };
}

/** The real HTTP service on a free port of 127.0.0.1, over the given database. */
export async function startTestApp(
  database: Database,
  env: Record<string, string | undefined> = {},
  options: Partial<Pick<AppOptions, 'reads' | 'logger'>> = {},
): Promise<TestApp> {
  const config = loadConfig({ port: 0, host: '127.0.0.1' }, { ...env });
  const app = createApp({
    ...options,
    config,
    database,
    logger: options.logger ?? createLogger(process.env.TEST_LOG_LEVEL || 'silent'),
  });
  const url = await app.start();
  return {
    url,
    config,
    async gql(query, variables, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      return { status: res.status, body };
    },
    stop: () => app.stop(),
  };
}
