/**
 * ECharts, bundled (no CDN), with only the parts the dashboard draws: bar and line charts on a
 * canvas, with grid, tooltip and legend.
 */

import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import { BarChart, LineChart } from 'echarts/charts';
import type {
  GridComponentOption,
  LegendComponentOption,
  TooltipComponentOption,
} from 'echarts/components';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { type ComposeOption, getInstanceByDom, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

use([BarChart, LineChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | GridComponentOption
  | LegendComponentOption
  | TooltipComponentOption
>;

/** The policy's grade colours: A green … D red. */
export const GRADE_COLORS = { A: '#2e7d32', B: '#1976d2', C: '#f9a825', D: '#c62828' } as const;

const FONT =
  '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Source Han Sans SC", sans-serif';

/** Draws `option` into `el`, reusing the chart already there. */
export function drawChart(el: HTMLElement, option: ChartOption) {
  const chart = getInstanceByDom(el) ?? init(el, undefined, { renderer: 'canvas' });
  chart.setOption({ textStyle: { fontFamily: FONT }, animationDuration: 300, ...option }, true);
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
 * The figures behind a chart as a table for screen readers (visually hidden): a canvas says
 * nothing to assistive technology.
 */
export function dataTable(
  caption: string,
  head: string[],
  rows: (string | number)[][],
): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'visually-hidden';
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

/** A chart container and its hidden data table, replacing what `body` held. */
export function chartBody(body: HTMLElement, table: HTMLTableElement): HTMLElement {
  body.querySelectorAll<HTMLElement>('.chart').forEach((old) => {
    getInstanceByDom(old)?.dispose();
  });
  const el = document.createElement('div');
  el.className = 'chart';
  body.replaceChildren(el, table);
  return el;
}
