import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { Database } from '../../db/client.js';
import { loadConfig } from '../../lib/config.js';
import { createLogger } from '../../lib/logger.js';
import { ensureWebBuilt } from '../../scripts/build-web.js';
import { createApp } from '../../server/app.js';
import { loadWebRoutes } from '../../server/static.js';

/** Debian's chromium (apt-get install chromium); never a downloaded browser build. */
export const CHROMIUM = process.env.EDP_CHROMIUM || '/usr/bin/chromium';
/** Screenshots and other test output (gitignored). */
export const ARTIFACTS = path.resolve('test-artifacts');

/** The service with its web pages, in this process, on a free port of 127.0.0.1. */
export async function startWebApp(
  database: Database,
  env: Record<string, string | undefined> = {},
) {
  const config = loadConfig({ port: 0, host: '127.0.0.1' }, { ...env });
  const logger = createLogger(process.env.TEST_LOG_LEVEL || 'silent');
  await ensureWebBuilt();
  const routes = await loadWebRoutes({ database, logger });
  const app = createApp({ config, database, logger, routes });
  const url = await app.start();
  return { url, stop: () => app.stop() };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
    ],
  });
}

export interface RecordedPage {
  context: BrowserContext;
  page: Page;
  /** every URL the page asked for, in order (documents, scripts, workers, fetches) */
  requests: string[];
  /** console errors, uncaught exceptions and failed requests */
  errors: string[];
}

/** A fresh browser context (1366×768 unless asked) whose requests and errors are recorded from the start. */
export async function recordedPage(
  browser: Browser,
  viewport = { width: 1366, height: 768 },
): Promise<RecordedPage> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const requests: string[] = [];
  const errors: string[] = [];
  context.on('request', (request) => requests.push(request.url()));
  context.on('requestfailed', (request) =>
    errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  // Workers' requests (importScripts, fetch) reach the context too, through their own target.
  context.on('weberror', (error) => errors.push(`uncaught: ${error.error().message}`));
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { context, page, requests, errors };
}

/** Writes a screenshot to test-artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
