/**
 * ECharts, bundled (no CDN), with only the parts the dashboard draws: bar charts with grid, tooltip
 * and legend, drawn as SVG so that every label is text in the page (readable by tests and by the
 * browser's find, and sharp when printed). No line charts: none of the dashboard's axes is a time
 * sequence (clauses, clusters, towns and enterprises are categories), and a line between two
 * categories would read as a trend that does not exist.
 */

import type { BarSeriesOption } from 'echarts/charts';
import { BarChart } from 'echarts/charts';
import type {
  GridComponentOption,
  LegendComponentOption,
  TooltipComponentOption,
} from 'echarts/components';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { type ComposeOption, getInstanceByDom, init, use } from 'echarts/core';
import { LabelLayout } from 'echarts/features';
import { SVGRenderer } from 'echarts/renderers';

use([BarChart, GridComponent, LegendComponent, TooltipComponent, LabelLayout, SVGRenderer]);

export type ChartOption = ComposeOption<
  BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/** The policy's grade colours: A green … D red. */
export const GRADE_COLORS = { A: '#2e7d32', B: '#1976d2', C: '#f9a825', D: '#c62828' } as const;

/** From this window width (px) on, a wall screen (1920×1080): text and bars a quarter larger. */
export const WIDE_SCREEN = 1600;

/** Whether the window is a wide screen now. */
export const wideScreen = () => window.innerWidth >= WIDE_SCREEN;

/** A size in px for a 1366-wide screen, scaled for a wide one (the CSS does the same). */
export const px = (size: number) => Math.round(size * (wideScreen() ? 1.25 : 1));

/** Labels on bars never cover one another: one that would is left out (its figure is in the tooltip). */
export const HIDE_OVERLAP = { hideOverlap: true } as const;

/**
 * Draws `option` into `el`, reusing the chart already there. The charts' text takes the page's font
 * stack (dashboard.css: the CJK fonts of office PCs); tooltips stay inside the chart, so no panel
 * edge clips them. `el.dataset.series` names the series types drawn (the page's tests read it).
 */
export function drawChart(el: HTMLElement, option: ChartOption) {
  const chart = getInstanceByDom(el) ?? init(el, undefined, { renderer: 'svg' });
  const tooltip = option.tooltip as TooltipComponentOption | undefined;
  chart.setOption(
    {
      textStyle: { fontFamily: getComputedStyle(document.body).fontFamily, fontSize: px(12) },
      animationDuration: 300,
      ...option,
      tooltip: tooltip && {
        confine: true,
        className: 'chart-tooltip',
        // long award titles wrap rather than widen the tooltip past the chart
        extraCssText: 'max-width: 340px; white-space: normal;',
        // shown at once where it is read, not glided across the panel from the last point
        transitionDuration: 0,
        ...tooltip,
      },
    },
    true,
  );
  const series = [option.series ?? []].flat() as { type?: string }[];
  el.dataset.series = series.map((s) => s.type).join(' ');
  return chart;
}

/** An axis tooltip whose lines (HTML: escape data) describe the category at `index`. */
export function axisTooltip(lines: (index: number) => string[]): TooltipComponentOption {
  return {
    trigger: 'axis',
    axisPointer: { type: 'shadow' },
    formatter: (params: unknown) =>
      lines((params as { dataIndex: number }[])[0].dataIndex).join('<br>'),
  };
}

/** Resizes every chart inside `root` (the window changed size). */
export function resizeCharts(root: HTMLElement) {
  root.querySelectorAll<HTMLElement>('.chart').forEach((el) => {
    getInstanceByDom(el)?.resize();
  });
}

/**
 * The figures behind a chart as a table for screen readers (visually hidden): a chart says
 * little to assistive technology.
 */
export function dataTable(
  caption: string,
  head: string[],
  rows: (string | number)[][],
): HTMLTableElement {
  const table = document.createElement('table');
  table.createCaption().textContent = caption;
  const headRow = table.createTHead().insertRow();
  for (const h of head) headRow.appendChild(document.createElement('th')).textContent = h;
  const body = table.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const cell of row) tr.insertCell().textContent = String(cell);
  }
  return table;
}

/**
 * A chart container and its data table, hidden, replacing what `body` held. The table sits in a
 * 1 px box of its own: a table grows to fit its rows whatever height it is given, and would make
 * the panel scroll.
 */
export function chartBody(body: HTMLElement, table: HTMLTableElement): HTMLElement {
  disposeCharts(body);
  const el = document.createElement('div');
  el.className = 'chart';
  const hidden = document.createElement('div');
  hidden.className = 'visually-hidden';
  hidden.append(table);
  body.replaceChildren(el, hidden);
  return el;
}

/** Releases the charts inside `root` before its content is replaced. */
export function disposeCharts(root: HTMLElement) {
  root.querySelectorAll<HTMLElement>('.chart').forEach((old) => {
    getInstanceByDom(old)?.dispose();
  });
}
