import type { MuTaxLeader } from '../../../resolvers/leaders.js';
import { gql } from '../api.js';
import { axisTooltip, chartBody, dataTable, drawChart, HIDE_OVERLAP, px } from '../charts.js';
import { escapeHtml, integer } from '../format.js';
import type { Panel } from '../panel.js';

const QUERY = /* GraphQL */ `
  query DashboardTopMuTax($year: Int!) {
    muAverageTaxLeaders(year: $year, first: 20) { rank uscc name town muAverageTaxYuan }
  }
`;

/**
 * A leader as the query above selects it: the ranking alone, which the dashboard role reads (tax
 * paid and land in use are department figures it may not read).
 */
type Row = Pick<MuTaxLeader, 'rank' | 'uscc' | 'name' | 'town' | 'muAverageTaxYuan'>;

/** 汶上县某某有限公司 → 某某: room for twenty names beside the bars */
const shortName = (name: string) =>
  name
    .replace(/^(山东省?|济宁市?|汶上县)+/, '')
    .replace(/(股份|集团)?有限(责任)?公司$/, '')
    .replace(/[（(].*?[)）]/g, '');

/** 亩均税收前 20 名: enterprises of the year ordered by 实缴税款 ÷ 在用土地 (元/亩). */
export const topTaxPanel: Panel = {
  id: 'top-mu-tax',
  yearly: true,
  title: '亩均税收前 20 名企业',
  subtitle: ({ year }) => `${year} 年度 · 实缴税款 ÷ 在用土地 · 单位：万元/亩`,
  async render(body, { year }) {
    // an aggregate view (the dashboard role reads it): enterprises without a figure are not ranked
    const rows = (await gql<{ muAverageTaxLeaders: Row[] }>(QUERY, { year })).muAverageTaxLeaders;
    if (rows.length === 0) {
      body.replaceChildren(
        Object.assign(document.createElement('p'), {
          className: 'empty',
          textContent: `${year} 年度没有可计算亩均税收的企业。`,
        }),
      );
      return 0;
    }
    const table = dataTable(
      `${year} 年度亩均税收前 20 名`,
      ['名次', '企业', '乡镇', '亩均税收（元/亩）'],
      rows.map((r) => [r.rank, r.name, r.town ?? '', integer(r.muAverageTaxYuan)]),
    );
    const shown = [...rows].reverse(); // best at the top of a horizontal bar chart
    drawChart(chartBody(body, table), {
      tooltip: axisTooltip((i) => {
        const r = shown[i];
        return [
          `${r.rank}. ${escapeHtml(r.name)}`,
          `乡镇：${escapeHtml(r.town ?? '—')}`,
          `亩均税收：${integer(r.muAverageTaxYuan)} 元/亩`,
        ];
      }),
      grid: { left: 8, right: 48, top: 8, bottom: 4, containLabel: true },
      xAxis: {
        type: 'value',
        boundaryGap: [0, '12%'],
        axisLabel: { hideOverlap: true, formatter: (v: number) => String(v) },
      },
      yAxis: {
        type: 'category',
        data: shown.map((r) => shortName(r.name)),
        axisTick: { show: false },
        // every name shown (none skipped to make room), cut to the column's width
        axisLabel: { interval: 0, fontSize: px(11), width: px(110), overflow: 'truncate' },
      },
      series: [
        {
          type: 'bar',
          name: '亩均税收',
          barMaxWidth: px(14),
          itemStyle: { color: '#00838f' },
          label: {
            show: true,
            position: 'right',
            fontSize: px(10),
            formatter: ({ value }) => Number(value).toFixed(2),
          },
          labelLayout: HIDE_OVERLAP,
          data: shown.map((r) => Number((r.muAverageTaxYuan / 1e4).toFixed(2))),
        },
      ],
    });
    return rows.length;
  },
};
