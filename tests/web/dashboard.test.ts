import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestManifest } from '../../connectors/pipeline/ingest.js';
import { FIRST_YEAR, LAST_YEAR } from '../../demo/county.js';
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
/** the panels that show one year's figures (the others: awards as of a date, data freshness) */
const YEARLY_PANELS = ['grades', 'clusters', 'top-mu-tax', 'land'];
/** The office screens the dashboard is read on. */
const SCREENS = [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
];
/** a year before the demo's data */
const NO_DATA_YEAR = FIRST_YEAR - 2;
/** The CJK fonts the page names for office PCs (Windows, macOS, Linux). */
const CJK_FONTS = ['Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC'];

/**
 * What is wrong with the charts' text as drawn (SVG text in the page): a label outside its chart
 * (clipped by the panel), or two labels overlapping. A label's box is its drawn width by its font
 * size (the box ECharts lays labels out with), centred where the browser drew it.
 */
const labelProblems = (page: Page) =>
  page.evaluate(() => {
    const problems: string[] = [];
    for (const chart of Array.from(document.querySelectorAll<HTMLElement>('.chart'))) {
      const panel = chart.closest('[data-panel]')?.getAttribute('data-panel');
      const frame = chart.getBoundingClientRect();
      const boxes = Array.from(chart.querySelectorAll('svg text'))
        .filter((t) => {
          const style = getComputedStyle(t);
          return (
            t.textContent?.trim() &&
            style.display !== 'none' &&
            style.visibility !== 'hidden' &&
            Number(style.opacity) > 0
          );
        })
        .map((t) => {
          const r = t.getBoundingClientRect();
          const size = Number.parseFloat(getComputedStyle(t).fontSize);
          const middle = r.top + r.height / 2;
          return {
            text: t.textContent,
            left: r.left,
            right: r.right,
            top: middle - size / 2,
            bottom: middle + size / 2,
          };
        });
      for (const b of boxes)
        if (
          b.left < frame.left - 1 ||
          b.right > frame.right + 1 ||
          b.top < frame.top - 1 ||
          b.bottom > frame.bottom + 1
        )
          problems.push(`${panel}: 「${b.text}」 outside its chart`);
      boxes.forEach((a, i) => {
        for (const b of boxes.slice(i + 1)) {
          const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (x > 0.5 && y > 0.5) problems.push(`${panel}: 「${a.text}」 overlaps 「${b.text}」`);
        }
      });
      if (boxes.length === 0) problems.push(`${panel}: no text drawn`);
    }
    return problems;
  });

/** Where across a chart the pointer looks for its plot, from the edge inwards. */
const SWEEP = {
  left: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4],
  middle: [0.55, 0.5, 0.6, 0.45, 0.65],
  right: [0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6],
};

/**
 * Hovers a chart at height `fy` (a fraction), as near its `side` as the plot reaches (the first
 * point of the sweep that shows a tooltip); the tooltip's box once it has settled, and its text.
 */
async function tooltipAt(page: Page, panel: string, side: keyof typeof SWEEP, fy: number) {
  const chart = (await page.locator(`[data-panel="${panel}"] .chart`).boundingBox())!;
  const tooltip = page.locator(`[data-panel="${panel}"] .chart-tooltip`);
  for (const fx of SWEEP[side]) {
    await page.mouse.move(chart.x + chart.width * fx, chart.y + chart.height * fy);
    const shown = await tooltip.waitFor({ state: 'visible', timeout: 250 }).then(
      () => true,
      () => false,
    );
    if (!shown) continue;
    // it slides to its place: read its box until it stays put
    let box = (await tooltip.boundingBox())!;
    for (let settled = 0; settled < 3; ) {
      await page.waitForTimeout(60);
      const next = (await tooltip.boundingBox())!;
      settled = next.x === box.x && next.y === box.y ? settled + 1 : 0;
      box = next;
    }
    const text = await tooltip.innerText();
    await page.mouse.move(0, 0);
    await tooltip.waitFor({ state: 'hidden' });
    return { box, text };
  }
  throw new Error(`${panel}: no tooltip at the ${side} of the chart, at ${fy} of its height`);
}

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
      const drawing = page.locator(`[data-panel="${panel}"] .chart svg`).first();
      const box = (await drawing.boundingBox())!;
      expect(box.width, panel).toBeGreaterThan(200);
      expect(box.height, panel).toBeGreaterThan(150);
    }
    expect(await page.locator('h1').innerText()).toContain('领导驾驶舱');
  });

  for (const screen of SCREENS) {
    describe(`at ${screen.width}×${screen.height}: charts that cannot mislead`, () => {
      let shown: RecordedPage;
      beforeAll(async () => {
        shown = await recordedPage(browser, screen);
        await shown.page.goto(`${app.url}/dashboard?year=${YEAR}&asOf=${AS_OF}`);
        await shown.page.locator('#dashboard[data-state="ready"]').waitFor({ timeout: 60_000 });
        await shown.page.waitForTimeout(1000); // the charts' animations end
        await screenshot(shown.page, `dashboard-${screen.width}`);
      });
      afterAll(() => shown?.context.close());

      it('fits every panel on the screen, each chart drawn', async () => {
        const { page } = shown;
        for (const panel of PANELS) {
          const section = page.locator(`[data-panel="${panel}"]`);
          expect(await section.getAttribute('data-state'), panel).toBe('ready');
          const box = (await section.boundingBox())!;
          expect(box.y + box.height, panel).toBeLessThanOrEqual(screen.height);
          expect(box.x + box.width, panel).toBeLessThanOrEqual(screen.width);
        }
        expect(await page.locator('.chart').count()).toBe(CHART_PANELS.length);
        // nothing in a panel overflows it: no scroll bar in any chart's panel
        const overflow = await page
          .locator('[data-panel] .body')
          .evaluateAll((bodies) =>
            bodies.map((b) => [
              b.parentElement?.dataset.panel,
              b.scrollHeight - b.clientHeight,
              b.scrollWidth - b.clientWidth,
            ]),
          );
        for (const [panel, down, across] of overflow)
          if (panel !== 'freshness') expect([panel, down, across]).toEqual([panel, 0, 0]);
      });

      it('draws bars only: no line joins clauses, clusters, towns or enterprises', async () => {
        const series = await shown.page
          .locator('.chart')
          .evaluateAll((charts) =>
            charts.map((c) => [
              c.closest('[data-panel]')?.getAttribute('data-panel'),
              c.dataset.series,
            ]),
          );
        expect(Object.fromEntries(series)).toEqual({
          grades: 'bar bar bar bar',
          clusters: 'bar bar',
          'top-mu-tax': 'bar',
          awards: 'bar bar',
          land: 'bar bar bar',
        });
        // the awards' two measures on two axes of their own: 家 and 万元
        const axisNames = await shown.page
          .locator('[data-panel="awards"] svg text')
          .allTextContents();
        expect(axisNames).toContain('候选企业（家）');
        expect(axisNames).toContain('奖励金额（万元）');
        // the clusters' percentages say what they are
        const clusterText = await shown.page
          .locator('[data-panel="clusters"] svg text')
          .allTextContents();
        expect(clusterText.some((t) => /^目标完成度 \d+\.\d%$/.test(t))).toBe(true);
        expect(clusterText).toContain('未设目标');
        // every cluster's name drawn whole, on one line (not 汽车零部 / 件)
        const { countyAggregates } = await gql(
          app.url,
          'query($year: Int!) { countyAggregates(year: $year) { byCluster { key label } } }',
          { year: YEAR },
        );
        for (const c of countyAggregates.byCluster as { key: string | null; label: string }[])
          if (c.key !== null) expect(clusterText, c.label).toContain(c.label);
        // every leader's name shown beside its bar (none skipped to make room)
        const leaderNames = (
          await shown.page.locator('[data-panel="top-mu-tax"] svg text').allTextContents()
        ).filter((t) => !/^[\d.,]+$/.test(t));
        expect(leaderNames).toHaveLength(
          await shown.page.locator('[data-panel="top-mu-tax"] table tbody tr').count(),
        );
      });

      it('lays out labels inside their charts, none over another', async () => {
        expect(await labelProblems(shown.page)).toEqual([]);
      });

      it('keeps tooltips inside the screen and their panel: left, middle, right and low', async () => {
        const { page } = shown;
        for (const panel of CHART_PANELS) {
          const section = (await page.locator(`[data-panel="${panel}"]`).boundingBox())!;
          // left, middle and right, and low: where a wide tooltip would be flipped or pushed out
          for (const [side, fy] of [
            ['left', 0.5],
            ['middle', 0.5],
            ['right', 0.5],
            ['middle', 0.78],
          ] as const) {
            const { box, text } = await tooltipAt(page, panel, side, fy);
            const where = `${panel} at the ${side}, ${fy} down`;
            expect(text.length, where).toBeGreaterThan(0);
            expect(box.x, where).toBeGreaterThanOrEqual(Math.max(0, section.x - 1));
            expect(box.y, where).toBeGreaterThanOrEqual(Math.max(0, section.y - 1));
            expect(box.x + box.width, where).toBeLessThanOrEqual(
              Math.min(screen.width, section.x + section.width + 1),
            );
            expect(box.y + box.height, where).toBeLessThanOrEqual(
              Math.min(screen.height, section.y + section.height + 1),
            );
          }
        }
        // the awards' tooltip carries its clause's breakdown by award
        const { text } = await tooltipAt(page, 'awards', 'right', 0.5);
        expect(text.split('\n').length).toBeGreaterThan(1);
      });

      it('names the CJK fonts of office PCs, and draws its text in one', async () => {
        const { page, context } = shown;
        const families = await page.evaluate(() => ({
          body: getComputedStyle(document.body).fontFamily,
          charts: Array.from(document.querySelectorAll('.chart svg text')).map(
            (t) => getComputedStyle(t).fontFamily,
          ),
        }));
        expect(families.charts.length).toBeGreaterThan(0);
        for (const family of [families.body, ...new Set(families.charts)])
          for (const font of CJK_FONTS) expect(family).toContain(font);
        // the fonts the browser drew with: a CJK one (here Noto Sans CJK SC), none other
        const cdp = await context.newCDPSession(page);
        await cdp.send('DOM.enable');
        await cdp.send('CSS.enable');
        const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
        for (const selector of [
          'h1',
          '[data-panel="grades"] .chart svg text',
          'table.freshness td',
        ]) {
          const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
          const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
          expect(fonts.length, selector).toBeGreaterThan(0);
          for (const f of fonts)
            expect(f.familyName, selector).toMatch(
              /CJK|YaHei|PingFang|Hiragino|Source Han|WenQuanYi/,
            );
        }
        await cdp.detach();
      });

      it('writes the award date as 年-月-日 and shows the key field’s whole placeholder', async () => {
        const { page, context, errors } = await recordedPage(browser, screen);
        await page.goto(`${app.url}/dashboard?year=${YEAR}&asOf=${AS_OF}`);
        await page.locator('#dashboard[data-state="ready"]').waitFor({ timeout: 60_000 });
        // the field shows the date as written (not 12/23/2025 as a date input in English would)
        const date = page.locator('#as-of');
        expect(await date.inputValue()).toBe(AS_OF);
        expect(await date.getAttribute('type')).toBe('text');
        // a date that does not exist is refused, and the awards stay as they were
        await date.fill('2025-02-30');
        await date.press('Enter');
        await date.blur();
        expect(await date.evaluate((d) => (d as HTMLInputElement).validity.valid)).toBe(false);
        expect(await page.locator('[data-panel="awards"] .subtitle').innerText()).toContain(
          `截至 ${AS_OF}`,
        );
        await date.fill('2025-06-30');
        await date.blur();
        await expect
          .poll(() => page.locator('[data-panel="awards"] .subtitle').innerText())
          .toContain('截至 2025-06-30');
        await page.locator('#dashboard[data-state="ready"]').waitFor();
        expect(new URL(page.url()).searchParams.get('asOf')).toBe('2025-06-30');
        // the key field: its placeholder fits its width
        await page.locator('#key-button').click();
        const fits = await page.locator('#key-input').evaluate((input) => {
          const field = input as HTMLInputElement;
          const style = getComputedStyle(field);
          const probe = document.createElement('span');
          probe.style.font = style.font;
          probe.style.whiteSpace = 'pre';
          probe.textContent = field.placeholder;
          document.body.append(probe);
          const needed = probe.getBoundingClientRect().width;
          probe.remove();
          const room =
            field.clientWidth -
            Number.parseFloat(style.paddingLeft) -
            Number.parseFloat(style.paddingRight);
          return { needed, room };
        });
        expect(fits.needed).toBeLessThanOrEqual(fits.room);
        expect(errors).toEqual([]);
        await context.close();
      });

      it('says a year without data has none, and offers only the years with data', async () => {
        const { evaluableYears } = await gql(app.url, '{ evaluableYears }');
        expect(evaluableYears).not.toContain(NO_DATA_YEAR);
        const { page, context, errors } = await recordedPage(browser, screen);
        await page.goto(`${app.url}/dashboard?year=${NO_DATA_YEAR}&asOf=${AS_OF}`);
        await page.locator('#dashboard[data-state="ready"]').waitFor({ timeout: 60_000 });
        await page.waitForTimeout(1000); // the awards chart's animation ends
        await screenshot(page, `dashboard-${screen.width}-no-data`);
        for (const panel of YEARLY_PANELS) {
          const section = page.locator(`[data-panel="${panel}"]`);
          expect(await section.getAttribute('data-state'), panel).toBe('no-data');
          const text = await section.locator('.no-data').innerText();
          expect(text, panel).toContain(`${NO_DATA_YEAR} 年度没有数据`);
          expect(text, panel).toContain(`税务局 ${NO_DATA_YEAR} 年实缴税款数据未入库`);
          expect(text, panel).toContain(`有数据的年度：${evaluableYears.join('、')} 年`);
          // no empty or zero chart
          expect(await section.locator('.chart').count(), panel).toBe(0);
        }
        for (const panel of ['awards', 'freshness'])
          expect(await page.locator(`[data-panel="${panel}"]`).getAttribute('data-state')).toBe(
            'ready',
          );
        // the picker: the evaluated years to choose from; the year asked for shown, not choosable
        const options = await page
          .locator('#year option')
          .evaluateAll((os) =>
            (os as HTMLOptionElement[]).map((o) => [Number(o.value), o.disabled, o.textContent]),
          );
        expect(options.filter(([, disabled]) => !disabled).map(([y]) => y)).toEqual(evaluableYears);
        expect(options.filter(([, disabled]) => disabled)).toEqual([
          [NO_DATA_YEAR, true, `${NO_DATA_YEAR} 年（无数据）`],
        ]);
        expect(await page.locator('#year').inputValue()).toBe(String(NO_DATA_YEAR));
        expect(await page.locator('#status').innerText()).toBe(`${NO_DATA_YEAR} 年度没有数据`);
        // choosing a year with data draws it, and the year without data is no longer listed
        await page.locator('#year').selectOption(String(evaluableYears[0]));
        await expect
          .poll(() => page.locator('[data-panel="grades"]').getAttribute('data-state'))
          .toBe('ready');
        expect(await page.locator('#year option[disabled]').count()).toBe(0);
        expect(errors).toEqual([]);
        await context.close();
      });
    });
  }

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

describe(`the county dashboard before any data is loaded (${testDbMode()})`, () => {
  let t: TestDatabase;
  let app: Awaited<ReturnType<typeof startWebApp>>;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestDatabase();
    app = await startWebApp(t.database);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await t?.drop();
  });

  it('says no year has data yet, instead of drawing empty charts', async () => {
    const { evaluableYears } = await gql(app.url, '{ evaluableYears }');
    expect(evaluableYears).toEqual([]);
    const { page, context, errors } = await recordedPage(browser);
    await page.goto(`${app.url}/dashboard`);
    await page.locator('#dashboard[data-state="ready"]').waitFor({ timeout: 60_000 });
    await screenshot(page, 'dashboard-empty');
    const year = Number(await page.locator('#year').inputValue());
    expect(year).toBe(new Date().getFullYear() - 1);
    expect(await page.locator('#year option').allTextContents()).toEqual([`${year} 年（无数据）`]);
    for (const panel of YEARLY_PANELS) {
      const section = page.locator(`[data-panel="${panel}"]`);
      expect(await section.getAttribute('data-state'), panel).toBe('no-data');
      const text = await section.locator('.no-data').innerText();
      expect(text, panel).toContain(`${year} 年度没有数据`);
      expect(text, panel).toContain('目前没有任何年度的数据');
      expect(await section.locator('.chart').count(), panel).toBe(0);
    }
    expect(await page.locator('[data-panel="freshness"]').getAttribute('data-state')).toBe('ready');
    // no award candidates: said, not a chart of zeros
    const awards = page.locator('[data-panel="awards"]');
    expect(await awards.locator('.chart').count()).toBe(0);
    expect(await awards.locator('.empty').innerText()).toMatch(
      /^截至 \d{4}-\d{2}-\d{2} 没有奖励候选企业。$/,
    );
    expect(errors).toEqual([]);
    await context.close();
  });
});
