import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestManifest } from '../../connectors/pipeline/ingest.js';
import { LAST_YEAR } from '../../demo/county.js';
import { generateDemo } from '../../demo/generate.js';
import { createApiKey } from '../../resolvers/keys.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import {
  launchBrowser,
  type RecordedPage,
  recordedPage,
  screenshot,
  startWebApp,
} from './support.js';

/** The smallest demo county (the generator's minimum), loaded through the real connectors. */
const DEMO_ENTERPRISES = 300;
const YEAR = LAST_YEAR;
/** the last day of 汶政发〔2022〕9号 */
const AS_OF = '2025-12-23';
const PANELS = ['grades', 'clusters', 'top-mu-tax', 'awards', 'freshness', 'land'];
const CHART_PANELS = PANELS.filter((p) => p !== 'freshness');

/** The rows of the (visually hidden) table that carries a chart's figures. */
const tableRows = (page: Page, panel: string) =>
  page
    .locator(`[data-panel="${panel}"] table tbody tr`)
    .evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td'), (c) => c.textContent ?? '')),
    );

async function gql(url: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: any; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data;
}

describe(`the county dashboard (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: Awaited<ReturnType<typeof startWebApp>>;
  let browser: Browser;
  let dashboard: RecordedPage;
  let demoDir: string | undefined;

  beforeAll(async () => {
    t = await createTestDatabase();
    demoDir = mkdtempSync(path.join(os.tmpdir(), 'edp-web-demo-'));
    await generateDemo(demoDir, { enterprises: DEMO_ENTERPRISES });
    await ingestManifest(t.database, demoDir);
    app = await startWebApp(t.database);
    browser = await launchBrowser();
    dashboard = await recordedPage(browser);
    await dashboard.page.goto(`${app.url}/dashboard?year=${YEAR}&asOf=${AS_OF}`);
    await dashboard.page.locator('#dashboard[data-state="ready"]').waitFor({ timeout: 60_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await t?.drop();
    if (demoDir) rmSync(demoDir, { recursive: true, force: true });
  });

  it('draws every panel with data, on one 1366×768 screen', async () => {
    const { page } = dashboard;
    await screenshot(page, 'dashboard');
    for (const panel of PANELS) {
      const section = page.locator(`[data-panel="${panel}"]`);
      expect(await section.getAttribute('data-state'), panel).toBe('ready');
      expect(Number(await section.getAttribute('data-count')), panel).toBeGreaterThan(0);
      const box = (await section.boundingBox())!;
      expect(box.y + box.height, panel).toBeLessThanOrEqual(768);
      expect(box.x + box.width, panel).toBeLessThanOrEqual(1366);
    }
    for (const panel of CHART_PANELS) {
      const canvas = page.locator(`[data-panel="${panel}"] canvas`).first();
      const box = (await canvas.boundingBox())!;
      expect(box.width, panel).toBeGreaterThan(200);
      expect(box.height, panel).toBeGreaterThan(150);
    }
    expect(await page.locator('h1').innerText()).toContain('领导驾驶舱');
  });

  it('draws the land to revitalise by town and category as the API sums it', async () => {
    const api = await gql(
      app.url,
      `query($year: Int!) { landRevitalizationByTown(year: $year) { town category areaMu } }`,
      { year: YEAR },
    );
    const rows = await tableRows(dashboard.page, 'land');
    const head = await dashboard.page
      .locator('[data-panel="land"] table thead th')
      .allTextContents();
    const CATEGORIES = ['DEREGISTERED_HOLDER', 'SUSPECTED_IDLE', 'LOW_EFFICIENCY'];
    expect(head).toEqual(['乡镇', '主体注销/吊销仍占地', '疑似闲置', '低效用地']);
    const byTown = new Map<string, number[]>();
    for (const r of api.landRevitalizationByTown as {
      town: string;
      category: string;
      areaMu: number;
    }[]) {
      const areas = byTown.get(r.town) ?? [0, 0, 0];
      areas[CATEGORIES.indexOf(r.category)] += r.areaMu;
      byTown.set(r.town, areas);
    }
    expect(rows.map((r) => r[0]).sort()).toEqual([...byTown.keys()].sort());
    // each town's 亩 in each category, as drawn (one decimal)
    for (const r of rows) {
      const drawn = r.slice(1).map((c) => Number(c.replace(/,/g, '')));
      byTown.get(r[0])!.forEach((area, k) => {
        expect(Math.abs(drawn[k] - area), `${r[0]} ${CATEGORIES[k]}`).toBeLessThanOrEqual(0.0501);
      });
    }
    // the demo has land of every category to revitalise
    for (let k = 0; k < 3; k++)
      expect(
        rows.some((r) => Number(r[k + 1].replace(/,/g, '')) > 0),
        CATEGORIES[k],
      ).toBe(true);
    expect(await dashboard.page.locator('[data-panel="land"] h2').innerText()).toBe(
      '存量工业用地盘活',
    );
  });

  it('shows the figures the API gives', async () => {
    const { page } = dashboard;
    const api = await gql(
      app.url,
      `query($year: Int!, $asOf: Date!) {
        countyAggregates(year: $year) { byTown { label grades { evaluated d } } }
        enterprises(first: 20, filter: { year: $year }, orderBy: { field: MU_AVERAGE_TAX_YUAN, year: $year }) { nodes { name metrics(year: $year) { muAverageTaxYuan } } }
        muAverageTaxLeaders(year: $year, first: 20) { name muAverageTaxYuan }
        awardSummary(asOf: $asOf) { title candidates }
        dataFreshness { source latestBatchId rows latestBatchQuarantined quarantined unmatched }
      }`,
      { year: YEAR, asOf: AS_OF },
    );

    const towns = await tableRows(page, 'grades');
    const expectedTowns = api.countyAggregates.byTown
      .map((g: { label: string; grades: { evaluated: number; d: number }[] }) => [
        g.label,
        g.grades.reduce((s, x) => s + x.evaluated, 0),
        g.grades.reduce((s, x) => s + x.d, 0),
      ])
      .filter((g: [string, number]) => g[1] > 0);
    expect(towns.map((r) => [r[0], Number(r[1]), Number(r[5])]).sort()).toEqual(
      expectedTowns.sort(),
    );
    // nothing is published in the demo: the panel says its grades are the live evaluation
    expect(await page.locator('[data-panel="grades"] .source').innerText()).toBe(
      `等级来源：实时评价（${YEAR}年度尚未公示评价结果，随数据更新而变化）`,
    );

    const ranked = api.enterprises.nodes.filter(
      (n: { metrics: { muAverageTaxYuan: number | null } }) => n.metrics.muAverageTaxYuan !== null,
    );
    const top = await tableRows(page, 'top-mu-tax');
    // the leader board (aggregates scope) agrees with the profile-scoped ordering of enterprises
    expect(api.muAverageTaxLeaders.map((n: { name: string }) => n.name)).toEqual(
      ranked.map((n: { name: string }) => n.name),
    );
    expect(top.map((r) => r[1])).toEqual(ranked.map((n: { name: string }) => n.name));
    expect(top.length).toBe(Math.min(20, ranked.length));

    const awards = await tableRows(page, 'awards');
    expect(awards.map((r) => r[1])).toEqual(
      api.awardSummary.map((s: { title: string }) => s.title),
    );
    expect(awards.reduce((n, r) => n + Number(r[2]), 0)).toBe(
      api.awardSummary.reduce((n: number, s: { candidates: number }) => n + s.candidates, 0),
    );

    const freshness = await tableRows(page, 'freshness');
    expect(freshness).toHaveLength(9);
    for (const f of api.dataFreshness as {
      source: string;
      latestBatchId: string;
      rows: number;
      latestBatchQuarantined: number;
      quarantined: number;
      unmatched: number;
    }[]) {
      const cells = await page
        .locator(`[data-panel="freshness"] tr[data-source="${f.source}"] td`)
        .allInnerTexts();
      const number = (text: string) => Number(text.replace(/,/g, ''));
      expect(cells[3], f.source).toBe(`#${f.latestBatchId}`);
      expect(number(cells[4]), f.source).toBe(f.rows);
      expect(cells[5].split(' / ').map(number), f.source).toEqual([
        f.latestBatchQuarantined,
        f.quarantined,
      ]);
      expect(number(cells[6]), f.source).toBe(f.unmatched);
    }
    // the demo delivers quarantined and unmatched rows on purpose
    expect(api.dataFreshness.some((f: { quarantined: number }) => f.quarantined > 0)).toBe(true);
    expect(api.dataFreshness.some((f: { unmatched: number }) => f.unmatched > 0)).toBe(true);
    const tax = await page
      .locator('[data-panel="freshness"] tr[data-source="tax-payments"] td')
      .allInnerTexts();
    expect(tax.slice(0, 2)).toEqual(['税务局', '实缴税款']);
  });

  it('opens the quarantined rows behind a batch’s count, and behind a source’s', async () => {
    const { page } = dashboard;
    const { dataFreshness } = await gql(
      app.url,
      `{ dataFreshness { source latestBatchId latestBatchQuarantined quarantined } }`,
    );
    const f = dataFreshness.find(
      (x: { latestBatchQuarantined: number }) => x.latestBatchQuarantined > 0,
    );
    expect(f, 'the demo quarantines rows of some latest batch').toBeTruthy();
    const links = page.locator(
      `[data-panel="freshness"] tr[data-source="${f.source}"] .count-link`,
    );
    const drawer = page.locator('dialog#quarantine');
    const shown = async (filter: string) => {
      const { quarantinedRows } = await gql(
        app.url,
        `{ quarantinedRows(${filter}, first: 100) { totalCount edges { node { rowNumber reasons } } } }`,
      );
      await page.locator('dialog#quarantine[data-state="ready"]').waitFor();
      const rows = await drawer
        .locator('table.quarantine tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => Array.from(tr.querySelectorAll('td'), (c) => c.textContent ?? '')),
        );
      expect(rows.map((r) => [Number(r[2]), r[3]])).toEqual(
        quarantinedRows.edges.map((e: { node: { rowNumber: number; reasons: string[] } }) => [
          e.node.rowNumber,
          e.node.reasons.join('；'),
        ]),
      );
      expect(await drawer.locator('.note').innerText()).toContain(
        `共 ${quarantinedRows.totalCount} 行`,
      );
      return quarantinedRows.totalCount;
    };
    await links.first().click();
    expect(await drawer.locator('h3').innerText()).toContain(`批次 #${f.latestBatchId}`);
    expect(await shown(`batchId: "${f.latestBatchId}"`)).toBe(f.latestBatchQuarantined);
    await screenshot(page, 'dashboard-quarantine');
    await drawer.locator('button', { hasText: '关闭' }).click();
    await links.last().click();
    expect(await drawer.locator('h3').innerText()).toContain('全部批次（当前未解决）');
    expect(await shown(`source: "${f.source}"`)).toBe(f.quarantined);
    await drawer.locator('button', { hasText: '关闭' }).click();
    expect(await drawer.isVisible()).toBe(false);
  });

  it('made every request to the service itself and logged no errors', () => {
    const origin = new URL(app.url).origin;
    expect(dashboard.requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    expect(dashboard.requests.some((url) => url.endsWith('/graphql'))).toBe(true);
    expect(dashboard.errors).toEqual([]);
  });

  it('offers only the evaluated years and picks the latest when none is asked for', async () => {
    const { evaluableYears } = await gql(app.url, '{ evaluableYears }');
    // the demo's years have ended and their data is in; the current year and 2021 are not offered
    expect(evaluableYears.length).toBeGreaterThan(0);
    expect(evaluableYears).toContain(YEAR);
    expect(evaluableYears).not.toContain(new Date().getFullYear());
    const { page, context } = await recordedPage(browser);
    await page.goto(`${app.url}/dashboard`);
    await page.locator('#dashboard[data-state="ready"]').waitFor({ timeout: 60_000 });
    const options = await page
      .locator('#year option')
      .evaluateAll((os) => os.map((o) => Number((o as HTMLOptionElement).value)));
    expect(options).toEqual(evaluableYears);
    expect(Number(await page.locator('#year').inputValue())).toBe(evaluableYears[0]);
    expect(new URL(page.url()).searchParams.get('year')).toBe(String(evaluableYears[0]));
    await context.close();
  });

  it('with a dashboard key: every panel draws from aggregates alone', async () => {
    const { key } = await createApiKey(t.database, { name: '县领导驾驶舱', role: 'dashboard' });
    const { page, context, errors } = await recordedPage(browser);
    await page.goto(`${app.url}/dashboard?year=${YEAR}&asOf=${AS_OF}`);
    await page.locator('#dashboard[data-state="ready"]').waitFor({ timeout: 60_000 });
    await page.locator('#key-button').click();
    await page.locator('#key-input').fill(key);
    await page.locator('#key-form button[type="submit"]').click();
    await expect
      .poll(() => page.evaluate(() => window.localStorage.getItem('edp.dashboard.apiKey')))
      .toBe(key);
    await page.locator('#dashboard[data-state="ready"]').waitFor({ timeout: 60_000 });
    for (const panel of PANELS) {
      expect(await page.locator(`[data-panel="${panel}"]`).getAttribute('data-state'), panel).toBe(
        'ready',
      );
    }
    // a wrong key is refused: every panel asks for a key
    await page.locator('#key-button').click();
    await page.locator('#key-input').fill('edp_not-a-key');
    await page.locator('#key-form button[type="submit"]').click();
    await expect.poll(() => page.locator('[data-panel="grades"] .error').count()).toBe(1);
    expect(await page.locator('[data-panel="grades"] .error').innerText()).toContain(
      '需要 API 密钥',
    );
    // the browser logs refused requests (403/401) as console errors; nothing else may appear
    expect(errors.filter((e) => !/status of 40[13]/.test(e))).toEqual([]);
    await context.close();
  });
});
