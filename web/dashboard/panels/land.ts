import { gql } from '../api.js';
import { axisTooltip, chartBody, dataTable, drawChart, px } from '../charts.js';
import { escapeHtml, shown, WITHHELD } from '../format.js';
import type { Panel } from '../panel.js';

type Category = 'DEREGISTERED_HOLDER' | 'SUSPECTED_IDLE' | 'LOW_EFFICIENCY';

interface TownRow {
  town: string;
  category: Category;
  /** null: withheld as a small cell */
  cases: number | null;
  areaMu: number | null;
}

const QUERY = /* GraphQL */ `
  query DashboardLandRevitalization($year: Int!) {
    landRevitalizationByTown(year: $year) { town category cases areaMu }
  }
`;

const CATEGORIES: [Category, string, string][] = [
  ['DEREGISTERED_HOLDER', '主体注销/吊销仍占地', '#6a1b9a'],
  ['SUSPECTED_IDLE', '疑似闲置', '#ef6c00'],
  ['LOW_EFFICIENCY', '低效用地', '#c62828'],
];

const mu = (n: number) => n.toLocaleString('zh-CN', { maximumFractionDigits: 1 });

/** 存量工业用地盘活: 亩 of land on the revitalization list by town and category (clause 17). */
export const landPanel: Panel = {
  id: 'land',
  yearly: true,
  title: '存量工业用地盘活',
  subtitle: ({ year }) => `${year} 年末在用土地 · 单位：亩 · 一家企业属多个类别时分别计入`,
  async render(body, { year }) {
    const rows = (await gql<{ landRevitalizationByTown: TownRow[] }>(QUERY, { year }))
      .landRevitalizationByTown;
    if (rows.length === 0) {
      body.replaceChildren(
        Object.assign(document.createElement('p'), {
          className: 'empty',
          textContent: `${year} 年度没有需盘活的土地。`,
        }),
      );
      return 0;
    }
    const towns = [...new Set(rows.map((r) => r.town))]
      .map((town) => {
        const of = (k: Category) => rows.find((r) => r.town === town && r.category === k);
        return {
          town,
          areas: CATEGORIES.map(([k]): number | null => (of(k) ? of(k)!.areaMu : 0)),
          cases: CATEGORIES.map(([k]): number | null => (of(k) ? of(k)!.cases : 0)),
        };
      })
      // the town with most land to revitalise on top
      .sort(
        (a, b) =>
          a.areas.reduce<number>((s, x) => s + (x ?? 0), 0) -
          b.areas.reduce<number>((s, x) => s + (x ?? 0), 0),
      );
    const table = dataTable(
      `${year} 年度各乡镇盘活用地（亩）`,
      ['乡镇', ...CATEGORIES.map(([, name]) => name)],
      [...towns].reverse().map((t) => [t.town, ...t.areas.map((a) => shown(a, mu))]),
    );
    const chart = chartBody(body, table);
    const withheld = [...new Set(rows.filter((r) => r.cases === null).map((r) => r.town))];
    if (withheld.length > 0)
      body.prepend(
        Object.assign(document.createElement('p'), {
          className: 'source',
          textContent: `${withheld.join('、')}部分类别涉及企业过少，面积${WITHHELD}（图中不计）`,
        }),
      );
    drawChart(chart, {
      tooltip: axisTooltip((i) => [
        escapeHtml(towns[i].town),
        ...CATEGORIES.map(([, name], k) =>
          towns[i].areas[k] === null
            ? `${name}：${WITHHELD}（企业过少）`
            : `${name}：${mu(towns[i].areas[k]!)} 亩（${towns[i].cases[k]} 家）`,
        ),
      ]),
      legend: { top: 0, itemWidth: 12, itemHeight: 10 },
      grid: { left: 8, right: 24, top: px(28), bottom: 4, containLabel: true },
      xAxis: { type: 'value' },
      yAxis: {
        type: 'category',
        data: towns.map((t) => t.town),
        axisTick: { show: false },
        axisLabel: { interval: 0, fontSize: px(11) },
      },
      series: CATEGORIES.map(([, name, color], k) => ({
        type: 'bar' as const,
        name,
        stack: 'land',
        barMaxWidth: px(18),
        itemStyle: { color },
        data: towns.map((t) => Number((t.areas[k] ?? 0).toFixed(4))),
      })),
    });
    return towns.length;
  },
};
