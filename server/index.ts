import { connectionTarget, databaseErrorMessage, openDatabase } from '../db/client.js';
import { openReadRouter } from '../db/replicas.js';
import { anonymousAllowed, loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { createApp } from './app.js';
import { exposureLines } from './banner.js';
import { loadDemoIfEmpty } from './demo.js';
import { loadWebRoutes } from './static.js';

/**
 * `npm start`: the API on the embedded database (migrated, demo data loaded when empty), or on
 * the PostgreSQL server named by DATABASE_URL (migrated, never given demo data by itself).
 */
async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // a request given up after EDP_REQUEST_TIMEOUT_MS also has its statement cancelled (PostgreSQL)
  if (config.databaseReadUrls.length > 0 && !config.databaseUrl)
    throw new Error('DATABASE_READ_URLS 需要同时设置 DATABASE_URL（只读副本属于该主库）');
  const connection = {
    statementTimeoutMs: config.requestTimeoutMs,
    pooler: config.poolerMode,
  };
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    holder: `npm start（服务 http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}）`,
    ...connection,
  });
  await database.migrate();
  const reads =
    config.databaseReadUrls.length > 0
      ? await openReadRouter(database, config.databaseReadUrls, connection, {
          maxLagMs: config.maxReplicaLagMs,
          onChange: (replica) =>
            logger.warn(
              { replica },
              replica.healthy ? 'replica rejoined reads' : 'replica left out of reads',
            ),
        })
      : undefined;
  const loaded = config.databaseUrl ? null : await loadDemoIfEmpty(database, config, logger);

  // the explorer and dashboard bundle: built by `npm install` and, when stale, before `npm start`
  const routes = await loadWebRoutes({
    database,
    logger,
    exampleFromDatabase: anonymousAllowed(config),
  });
  const app = createApp({ config, database, logger, routes, reads });
  const url = await app.start();
  const where = config.databaseUrl
    ? `PostgreSQL (${connectionTarget(config.databaseUrl).hosts})`
    : `embedded PGlite in ${config.dataDir}`;
  const lines = [
    '',
    '  汶上县企业大数据平台 — county enterprise data platform',
    `  GraphQL:   ${url}/graphql   (explorer: open it in a browser)`,
    `  Dashboard: ${url}/dashboard`,
    `  Database:  ${where}`,
    ...(reads
      ? [
          `  Replicas:  ${reads.replicas.map((r) => r.name).join(', ')} (reads; writes on the primary)`,
        ]
      : []),
    ...(loaded ? [`  Demo data: ${loaded}`] : []),
    ...exposureLines({
      host: config.host,
      port: Number(new URL(url).port),
      anonymous: anonymousAllowed(config),
    }),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  logger.info({ url, database: database.kind }, 'listening');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await app.stop();
      await reads?.close();
      await database.close();
    } finally {
      clearTimeout(force);
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/** Why the service did not start, as the person starting it can act on it. */
function startupMessage(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { port?: number };
  if (e?.code === 'EADDRINUSE')
    return `端口 ${e.port ?? ''} 已被占用：另一个程序（也许是另一份 npm start）正在使用。请先停止它，或设置「PORT」换一个端口。`;
  if (e?.code === 'EACCES' && e.port !== undefined)
    return `无权使用端口 ${e.port}：1024 以下的端口需要管理员权限。请设置「PORT」为 1024 以上的端口。`;
  return (
    databaseErrorMessage(error, process.env.DATABASE_URL || undefined) ??
    (error instanceof Error ? error.message : String(error))
  );
}

main().catch((error) => {
  process.stderr.write(`edp：无法启动：${startupMessage(error)}\n`);
  process.exit(1);
});
