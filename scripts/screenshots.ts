/**
 * `npm run screenshots`: the README's pictures of the explorer and the dashboard, taken in Debian's
 * chromium from the service running in this process, written to docs/images/: the explorer and the
 * dashboard at 1366×768 (explorer.png, dashboard.png), the dashboard at 1920×1080 too
 * (dashboard-1920.png).
 *
 * Data: the PostgreSQL database of DATABASE_URL as it is; otherwise a fresh in-memory database
 * with the demo county (EDP_DEMO_ENTERPRISES enterprises, default 2,000) loaded through the
 * connectors, as `npm start` does. The browser is EDP_CHROMIUM (default /usr/bin/chromium).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { openDatabase } from '../db/client.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { createApp } from '../server/app.js';
import { loadDemoIfEmpty } from '../server/demo.js';
import { loadWebRoutes } from '../server/static.js';
import { ensureWebBuilt } from './build-web.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'docs', 'images');

async function main() {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'edp-screenshots-'));
  const config = loadConfig({ port: 0, host: '127.0.0.1', dataDir: scratch });
  const logger = createLogger(process.env.LOG_LEVEL || 'warn');
  const database = await openDatabase({ databaseUrl: config.databaseUrl });
  const browser = await chromium.launch({
    executablePath: process.env.EDP_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
  let app: ReturnType<typeof createApp> | undefined;
  try {
    await database.migrate();
    if (!config.databaseUrl) {
      process.stdout.write(`loading the demo county (${config.demoEnterprises} enterprises)…\n`);
      await loadDemoIfEmpty(database, config, logger);
    }
    app = createApp({
      config,
      database,
      logger,
      routes: await ensureWebBuilt().then(() => loadWebRoutes({ database, logger })),
    });
    const url = await app.start();
    mkdirSync(OUT, { recursive: true });
    const context = await browser.newContext({
      viewport: { width: 1366, height: 768 },
      locale: 'zh-CN',
      deviceScaleFactor: 1,
    });
    const page = await context.newPage();

    // the explorer with its example profile run once
    await page.goto(`${url}/graphql`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor({ timeout: 60_000 });
    await page.waitForTimeout(1500); // schema loaded, example in place
    await page.getByRole('button', { name: /execute query/i }).click();
    await page.locator('.graphiql-response').getByText('"data"').waitFor({ timeout: 60_000 });
    await page.screenshot({ path: path.join(OUT, 'explorer.png') });

    const written = [path.join(OUT, 'explorer.png')];
    for (const [viewport, name] of [
      [{ width: 1366, height: 768 }, 'dashboard.png'],
      [{ width: 1920, height: 1080 }, 'dashboard-1920.png'],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.goto(`${url}/dashboard`);
      await page.locator('#dashboard[data-state="ready"]').waitFor({ timeout: 120_000 });
      await page.waitForTimeout(1000); // chart animations end
      await page.screenshot({ path: path.join(OUT, name) });
      written.push(path.join(OUT, name));
    }
    process.stdout.write(`wrote ${written.map((f) => path.relative(ROOT, f)).join(', ')}\n`);
  } finally {
    await browser.close();
    await app?.stop();
    await database.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`screenshots: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
