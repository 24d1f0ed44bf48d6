import { gql } from '../api.js';
import { axisTooltip, chartBody, dataTable, drawChart, HIDE_OVERLAP, px } from '../charts.js';
import { escapeHtml, integer, percent, shown, yi } from '../format.js';
import type { Panel } from '../panel.js';

const QUERY = /* GraphQL */ `
  query DashboardClusters($year: Int!) {
    countyAggregates(year: $year) {
      byCluster { key label enterprises revenueYuan taxPaidYuan muAverageTaxYuan }
      clusterTargets { cluster nameZh chainZh revenueYuan targetRevenueYuan shareReached targetLabel targetYear }
    }
  }
`;

interface Group {
  key: string | null;
  label: string | null;
  enterprises: number;
  /** null: withheld as a small cell */
  revenueYuan: number | null;
  taxPaidYuan: number | null;
  muAverageTaxYuan: number | null;
}
interface Target {
  cluster: string;
  nameZh: string;
  chainZh: string;
  revenueYuan: number | null;
  targetRevenueYuan: number;
  shareReached: number | null;
  targetLabel: string;
  targetYear: number;
}

/** the year of the policy's cluster targets (汶政发〔2022〕9号) */
const TARGET_YEAR = 2026;

const toYi = (yuan: number | null) => (yuan === null ? null : Number((yuan / 1e8).toFixed(2)));

/** 产业集群 totals of the year beside the policy's targets (汶政发〔2022〕9号 一(二)). */
export const clustersPanel: Panel = {
  id: 'clusters',
  yearly: true,
  title: `产业集群营业收入与 ${TARGET_YEAR} 年目标`,
  subtitle: ({ year }) =>
    `${year} 年度营业收入 · 目标完成度 = 营业收入 ÷ ${TARGET_YEAR} 年目标（汶政发〔2022〕9号）`,
  async render(body, { year }) {
    const data = await gql<{ countyAggregates: { byCluster: Group[]; clusterTargets: Target[] } }>(
      QUERY,
      { year },
    );
    const groups = data.countyAggregates.byCluster.filter((g) => g.key !== null);
    const targets = new Map(data.countyAggregates.clusterTargets.map((t) => [t.cluster, t]));
    const table = dataTable(
      `${year} 年度产业集群与目标`,
      ['集群', '企业数', '营业收入', '实缴税款', `${TARGET_YEAR} 年目标`, '完成度'],
      groups.map((g) => {
        const t = targets.get(g.key!);
        return [
          g.label ?? g.key!,
          g.enterprises,
          shown(g.revenueYuan, yi),
          shown(g.taxPaidYuan, yi),
          t ? `${t.targetLabel}（${yi(t.targetRevenueYuan)}）` : '—',
          t ? shown(t.shareReached, percent) : '未设目标',
        ];
      }),
    );
    drawChart(chartBody(body, table), {
      tooltip: axisTooltip((i) => {
        const g = groups[i];
        const t = targets.get(g.key!);
        return [
          `<b>${escapeHtml(g.label ?? g.key!)}</b>${t ? `（${escapeHtml(t.chainZh)}）` : ''}`,
          `企业：${integer(g.enterprises)} 家`,
          `营业收入：${shown(g.revenueYuan, yi)}`,
          `实缴税款：${shown(g.taxPaidYuan, yi)}`,
          `亩均税收：${g.muAverageTaxYuan === null ? '—' : `${integer(g.muAverageTaxYuan)} 元/亩`}`,
          ...(t
            ? [
                `${t.targetYear} 年目标：${escapeHtml(t.targetLabel)}（${yi(t.targetRevenueYuan)}），完成 ${shown(t.shareReached, percent)}`,
              ]
            : [`${TARGET_YEAR} 年目标：未设`]),
        ];
      }),
      legend: { top: 0, itemWidth: 12, itemHeight: 10 },
      grid: { left: 8, right: 8, top: px(26), bottom: px(24), containLabel: true },
      // clusters as rows: their names are read whole, not broken across lines
      yAxis: {
        type: 'category',
        inverse: true,
        data: groups.map((g) => g.label ?? g.key!),
        axisTick: { show: false },
        axisLabel: { interval: 0, fontSize: px(11) },
      },
      xAxis: {
        type: 'value',
        name: '营业收入（亿元）',
        nameLocation: 'middle',
        nameGap: px(22),
        boundaryGap: [0, '20%'],
        axisLabel: { hideOverlap: true },
      },
      series: [
        {
          type: 'bar',
          name: `${year} 年营业收入`,
          barMaxWidth: px(12),
          itemStyle: { color: '#1565c0' },
          label: {
            show: true,
            position: 'right',
            fontSize: px(10),
            formatter: ({ dataIndex }) => {
              const t = targets.get(groups[dataIndex].key!);
              return t ? `目标完成度 ${shown(t.shareReached, percent)}` : '未设目标';
            },
          },
          labelLayout: HIDE_OVERLAP,
          data: groups.map((g) => toYi(g.revenueYuan)),
        },
        {
          type: 'bar',
          name: `${TARGET_YEAR} 年目标`,
          barMaxWidth: px(12),
          itemStyle: { color: '#b0bec5' },
          data: groups.map((g) => {
            const t = targets.get(g.key!);
            return t ? toYi(t.targetRevenueYuan) : '-';
          }),
        },
      ],
    });
    return groups.filter((g) => g.enterprises > 0).length;
  },
};
