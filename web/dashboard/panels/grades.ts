import { gql } from '../api.js';
import { chartBody, dataTable, drawChart, GRADE_COLORS, px } from '../charts.js';
import type { Panel } from '../panel.js';

interface Grades {
  population: 'ABOVE_SCALE' | 'BELOW_SCALE';
  evaluated: number;
  a: number;
  b: number;
  c: number;
  d: number;
}

const QUERY = /* GraphQL */ `
  query DashboardGrades($year: Int!) {
    countyAggregates(year: $year) {
      gradesStatus gradesRunId
      byTown { key label suppressed grades { population evaluated a b c d } }
    }
  }
`;

const GRADES = [
  ['a', 'A 优先发展类', GRADE_COLORS.A],
  ['b', 'B 支持发展类', GRADE_COLORS.B],
  ['c', 'C 提升发展类', GRADE_COLORS.C],
  ['d', 'D 限制发展类', GRADE_COLORS.D],
] as const;

/** Which evaluation the grades are: the published run (公示 or 正式) or the live one. */
export function gradeSourceText(year: number, status: string, runId: string | null): string {
  if (status === 'final') return `等级来源：${year}年度正式评价结果（第${runId}号）`;
  if (status === 'notice') return `等级来源：${year}年度公示中的评价结果（第${runId}号）`;
  return `等级来源：实时评价（${year}年度尚未公示评价结果，随数据更新而变化）`;
}

/** 各乡镇亩产效益等级分布: enterprises per grade (规上 and 规下 together), by town. */
export const gradesPanel: Panel = {
  id: 'grades',
  yearly: true,
  title: '各乡镇亩产效益评价等级分布',
  subtitle: ({ year }) => `${year} 年度 · 规上与规下参评企业 · 单位：家`,
  async render(body, { year }) {
    const data = await gql<{
      countyAggregates: {
        gradesStatus: string;
        gradesRunId: string | null;
        byTown: {
          key: string | null;
          label: string | null;
          suppressed: boolean;
          /** null: withheld as a small cell (too few firms) */
          grades: Grades[] | null;
        }[];
      };
    }>(QUERY, { year });
    const townName = (t: { key: string | null; label: string | null }) =>
      t.label ?? t.key ?? '未填乡镇';
    const withheld = data.countyAggregates.byTown.filter((t) => t.suppressed).map(townName);
    const towns = data.countyAggregates.byTown
      .flatMap((t) => (t.grades === null ? [] : [{ ...t, grades: t.grades }]))
      .map((t) => {
        const sum = (k: 'evaluated' | 'a' | 'b' | 'c' | 'd') =>
          t.grades.reduce((s, g) => s + g[k], 0);
        return {
          name: townName(t),
          evaluated: sum('evaluated'),
          a: sum('a'),
          b: sum('b'),
          c: sum('c'),
          d: sum('d'),
        };
      })
      .filter((t) => t.evaluated > 0)
      // the town with most evaluated enterprises on top
      .sort((x, y) => x.evaluated - y.evaluated);
    const { gradesStatus, gradesRunId } = data.countyAggregates;
    const source = Object.assign(document.createElement('p'), {
      className: 'source',
      textContent: gradeSourceText(year, gradesStatus, gradesRunId),
    });
    source.dataset.status = gradesStatus;
    if (withheld.length > 0) source.textContent += `；${withheld.join('、')}涉及企业过少，不单列`;
    if (towns.length === 0) {
      body.replaceChildren(
        source,
        Object.assign(document.createElement('p'), {
          className: 'empty',
          textContent: `${year} 年度没有参评企业。`,
        }),
      );
      return 0;
    }
    const table = dataTable(
      `${year} 年度各乡镇等级分布（家）`,
      ['乡镇', '参评', 'A', 'B', 'C', 'D'],
      [...towns].reverse().map((t) => [t.name, t.evaluated, t.a, t.b, t.c, t.d]),
    );
    const chart = chartBody(body, table);
    body.prepend(source);
    drawChart(chart, {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0, itemWidth: 12, itemHeight: 10 },
      grid: { left: 8, right: 24, top: px(28), bottom: 4, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: {
        type: 'category',
        data: towns.map((t) => t.name),
        axisTick: { show: false },
        axisLabel: { interval: 0, fontSize: px(11) },
      },
      series: GRADES.map(([key, name, color]) => ({
        type: 'bar' as const,
        name,
        stack: 'grade',
        barMaxWidth: px(18),
        itemStyle: { color },
        data: towns.map((t) => t[key]),
      })),
    });
    return towns.length;
  },
};
