import type { AwardSummaryRow } from '../../../resolvers/awards/engine.js';
import { gql } from '../api.js';
import {
  axisTooltip,
  chartBody,
  dataTable,
  disposeCharts,
  drawChart,
  HIDE_OVERLAP,
  px,
} from '../charts.js';
import { escapeHtml, integer, twoDecimals, wan } from '../format.js';
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
  yearly: false,
  title: '政策奖励候选企业与金额（按条款）',
  subtitle: ({ asOf }) => `截至 ${asOf} · 汶政发〔2022〕9号 · 按条款汇总`,
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
    if (clauses.every((c) => c.candidates === 0)) {
      // no candidate under any clause (nothing loaded yet, or a date before the policy): said, not
      // drawn as a chart of zeros
      disposeCharts(body);
      body.replaceChildren(
        Object.assign(document.createElement('p'), {
          className: 'empty',
          textContent: `截至 ${asOf} 没有奖励候选企业。`,
        }),
      );
      return 0;
    }
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
    // Clauses are separate provisions, not a sequence: bars only, and each measure on its own
    // axis in its own grid (家 on the left, 万元 on the right), never two units on one plot.
    const categoryAxis = (gridIndex: number) => ({
      type: 'category' as const,
      gridIndex,
      inverse: true,
      data: clauses.map((c) => c.label),
      axisTick: { show: false },
      axisLabel: { show: gridIndex === 0, interval: 0, fontSize: px(11) },
    });
    const valueAxis = (gridIndex: number, name: string) => ({
      type: 'value' as const,
      gridIndex,
      name,
      nameLocation: 'middle' as const,
      nameGap: px(22),
      minInterval: 1,
      splitNumber: 3,
      // room for the figure at the end of the longest bar
      boundaryGap: [0, '25%'] as [number, string],
      axisLabel: { fontSize: px(10), hideOverlap: true },
    });
    const barLabel = (formatter: (i: number) => string) => ({
      show: true,
      position: 'right' as const,
      fontSize: px(10),
      formatter: ({ dataIndex }: { dataIndex: number }) => formatter(dataIndex),
    });
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
          `<b>${c.label}</b>：${c.candidates} 家，${wan(c.amount)}${c.unpriced ? `（另有 ${c.unpriced} 家金额另定）` : ''}`,
          ...(lines.length ? lines : ['暂无候选企业']),
        ];
      }),
      grid: [
        { left: px(44), right: '56%', top: 4, bottom: px(30) },
        { left: '50%', right: px(44), top: 4, bottom: px(30) },
      ],
      yAxis: [categoryAxis(0), categoryAxis(1)],
      xAxis: [valueAxis(0, '候选企业（家）'), valueAxis(1, '奖励金额（万元）')],
      series: [
        {
          type: 'bar',
          name: '候选企业',
          xAxisIndex: 0,
          yAxisIndex: 0,
          barMaxWidth: px(16),
          itemStyle: { color: '#6a1b9a' },
          label: barLabel((i) => integer(clauses[i].candidates)),
          labelLayout: HIDE_OVERLAP,
          data: clauses.map((c) => c.candidates),
        },
        {
          type: 'bar',
          name: '奖励金额',
          xAxisIndex: 1,
          yAxisIndex: 1,
          barMaxWidth: px(16),
          itemStyle: { color: '#ef6c00' },
          label: barLabel((i) => {
            const c = clauses[i];
            if (c.amount === 0) return c.unpriced ? '金额另定' : '';
            return twoDecimals(c.amount / 1e4);
          }),
          labelLayout: HIDE_OVERLAP,
          data: clauses.map((c) => Number((c.amount / 1e4).toFixed(2))),
        },
      ],
    });
    return clauses.filter((c) => c.candidates > 0).length;
  },
};
