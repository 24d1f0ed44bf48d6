import type { Browser, Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterprises } from '../../db/market.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import {
  launchBrowser,
  type RecordedPage,
  recordedPage,
  screenshot,
  startWebApp,
} from './support.js';

/** Monaco renders spaces as no-break spaces. */
const textOf = async (locator: Locator) => (await locator.innerText()).replace(/\u00a0/g, ' ');

const ENTERPRISE = {
  uscc: '91370830MA3C4E0012',
  name: '汶上县示例精密机械有限公司',
  town: '中都街道',
  industryCode: 'C3484',
};

describe(`the explorer works offline (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: Awaited<ReturnType<typeof startWebApp>>;
  let browser: Browser;
  let explorer: RecordedPage;

  beforeAll(async () => {
    t = await createTestDatabase();
    await t.database.db.insert(enterprises).values({
      ...ENTERPRISE,
      nameNorm: ENTERPRISE.name,
      status: '存续',
      industrySection: 'C',
      industryDivision: 'C34',
      batchId: 1,
    });
    app = await startWebApp(t.database);
    browser = await launchBrowser();
    explorer = await recordedPage(browser);
    await explorer.page.goto(`${app.url}/graphql`);
    // the query editor is Monaco, loaded in lazy chunks with its workers
    await explorer.page
      .locator('.graphiql-query-editor .monaco-editor')
      .waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await t?.drop();
  });

  it('is served at the GraphQL address to browsers, with caching, compression and a same-origin CSP', async () => {
    const page = await fetch(`${app.url}/graphql`, {
      headers: { accept: 'text/html', 'accept-encoding': 'br, gzip' },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/https?:|\*|blob:|unsafe-eval/);
    const html = await page.text();
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    expect(html).not.toMatch(/https?:\/\//); // nothing from another host

    const etag = page.headers.get('etag')!;
    const again = await fetch(`${app.url}/graphql`, {
      headers: { accept: 'text/html', 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(
      (await fetch(`${app.url}/dashboard/`, { redirect: 'manual' })).headers.get('location'),
    ).toBe('/dashboard');

    const script = /src="(assets\/explorer-[^"]+\.js)"/.exec(html)![1];
    const asset = await fetch(`${app.url}/${script}`, { headers: { 'accept-encoding': 'br' } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-encoding')).toBe('br');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const plain = await fetch(`${app.url}/${script}`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(Number(plain.headers.get('content-length'))).toBeGreaterThan(
      Number(asset.headers.get('content-length') ?? 0),
    );
    expect((await fetch(`${app.url}/assets/..%2Fmanifest.json`)).status).toBe(404);

    // GraphQL requests are unchanged
    const gql = await fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await gql.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('loads with every request to the service itself, preloaded with the enterprise-profile example', async () => {
    const { page, requests } = explorer;
    await expect
      .poll(() => textOf(page.locator('.graphiql-query-editor')), { timeout: 15_000 })
      .toContain('enterprise(uscc: $uscc)');
    await expect
      .poll(() => textOf(page.locator('.graphiql-editor-tool')))
      .toContain(ENTERPRISE.uscc);
    // the headers editor holds the API-key template
    await page.locator('.graphiql-editor-tools button', { hasText: 'Headers' }).click();
    await expect
      .poll(() => textOf(page.locator('.graphiql-editor-tool')))
      .toContain('"Authorization": "Bearer <your API key>"');
    await page.locator('.graphiql-editor-tools button', { hasText: 'Variables' }).click();
    const origin = new URL(app.url).origin;
    expect(requests.length).toBeGreaterThan(3);
    expect(requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    // Monaco's workers come from the service too (a worker starts once the editor has settled)
    await expect
      .poll(() => requests.some((url) => /\/assets\/graphql\.worker-[^/]+\.js$/.test(url)), {
        timeout: 15_000,
      })
      .toBe(true);
    expect(requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
  });

  it('runs a query typed into the editor and shows its result', async () => {
    const { page } = explorer;
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.press('Delete');
    await page.keyboard.type(`query Typed { enterprise(uscc: "${ENTERPRISE.uscc}") { name town`, {
      delay: 5,
    });
    await expect
      .poll(() => textOf(page.locator('.graphiql-query-editor')))
      .toContain('query Typed');
    // the autocomplete list opens when its suggestions arrive, maybe after a first Escape
    await page.waitForTimeout(800);
    await expect
      .poll(async () => {
        await page.keyboard.press('Escape');
        return page.locator('.suggest-widget.visible').count();
      })
      .toBe(0);
    // GraphiQL reads the operation name from the edited document after a short debounce
    await page.waitForTimeout(500);
    await page.keyboard.press('ControlOrMeta+Enter');
    const result = page.locator('.graphiql-response');
    await expect.poll(() => textOf(result), { timeout: 15_000 }).toContain(ENTERPRISE.name);
    expect(await result.innerText()).toContain(ENTERPRISE.town);
    await screenshot(page, 'explorer');
  });

  it('lists Enterprise in the documentation pane', async () => {
    const { page } = explorer;
    await page.getByRole('button', { name: /documentation explorer/i }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Query', { exact: true }).first().click();
    await expect.poll(() => docs.innerText()).toContain('Enterprise');
    await docs.getByText('Enterprise', { exact: true }).first().click();
    await expect.poll(() => docs.innerText()).toContain('统一社会信用代码');
  });

  it('logged no errors in the browser', () => {
    expect(explorer.errors).toEqual([]);
  });
});
