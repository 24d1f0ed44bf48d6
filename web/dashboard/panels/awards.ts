import type { AwardSummaryRow } from '../../../resolvers/awards/engine.js';
import { gql } from '../api.js';
import { axisTooltip, chartBody, dataTable, drawChart } from '../charts.js';
import { escapeHtml, integer, wan } from '../format.js';
import type { Panel } from '../panel.js';

const QUERY = /* GraphQL */ `
  query DashboardAwards($asOf: Date!) {
    awardSummary(asOf: $asOf) { ruleSet clause code title candidates totalAmountYuan unpricedCandidates }
  }
`;

/** A line of awardSummary as the query above selects it (every field of the resolver's row). */
type Summary = AwardSummaryRow;

/** 奖励候选与金额 by clause of the policy, as of a date (docs/awards.md). */
export const awardsPanel: Panel = {
  id: 'awards',
  title: '政策奖励候选企业与金额（按条款）',
  subtitle: ({ asOf }) => `截至 ${asOf} · 汶政发〔2022〕9号 · 金额单位：万元`,
  async render(body, { asOf }) {
    const { awardSummary } = await gql<{ awardSummary: Summary[] }>(QUERY, { asOf });
    const clauses = [...new Set(awardSummary.map((s) => `${s.ruleSet}|${s.clause}`))].map((id) => {
      const items = awardSummary.filter((s) => `${s.ruleSet}|${s.clause}` === id);
      return {
        label: `第${items[0].clause}条`,
        items,
        candidates: items.reduce((n, s) => n + s.candidates, 0),
        amount: items.reduce((n, s) => n + s.totalAmountYuan, 0),
        unpriced: items.reduce((n, s) => n + s.unpricedCandidates, 0),
      };
    });
    const table = dataTable(
      `截至 ${asOf} 的奖励候选`,
      ['条款', '奖励项目', '候选企业（家）', '金额（元）', '金额另定（家）'],
      awardSummary.map((s) => [
        `第${s.clause}条`,
        s.title,
        s.candidates,
        integer(s.totalAmountYuan),
        s.unpricedCandidates,
      ]),
    );
    drawChart(chartBody(body, table), {
      tooltip: axisTooltip((i) => {
        const c = clauses[i];
        const lines = c.items
          .filter((s) => s.candidates > 0)
          .map(
            (s) =>
              `${escapeHtml(s.title)}：${s.candidates} 家，${s.unpricedCandidates === s.candidates ? '金额另定' : wan(s.totalAmountYuan)}`,
          );
        return [
          `<b>${c.label}</b>：${c.candidates} 家，${wan(c.amount)}`,
          ...(lines.length ? lines : ['暂无候选企业']),
        ];
      }),
      legend: { top: 0, itemWidth: 12, itemHeight: 10 },
      grid: { left: 8, right: 8, top: 28, bottom: 4, containLabel: true },
      xAxis: {
        type: 'category',
        data: clauses.map((c) => c.label),
        axisLabel: { interval: 0, fontSize: 11 },
      },
      yAxis: [
        { type: 'value', name: '万元', nameGap: 8 },
        { type: 'value', name: '家', nameGap: 8, minInterval: 1, splitLine: { show: false } },
      ],
      series: [
        {
          type: 'bar',
          name: '奖励金额',
          barMaxWidth: 26,
          itemStyle: { color: '#ef6c00' },
          label: {
            show: true,
            position: 'top',
            fontSize: 10,
            formatter: ({ value }) => (Number(value) > 0 ? String(value) : ''),
          },
          data: clauses.map((c) => Number((c.amount / 1e4).toFixed(2))),
        },
        {
          type: 'line',
          name: '候选企业',
          yAxisIndex: 1,
          symbolSize: 7,
          itemStyle: { color: '#6a1b9a' },
          data: clauses.map((c) => c.candidates),
        },
      ],
    });
    return clauses.filter((c) => c.candidates > 0).length;
  },
};
