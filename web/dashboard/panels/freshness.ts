import { gql } from '../api.js';
import { dateTime, daysSince, integer, labelOf } from '../format.js';
import type { Panel } from '../panel.js';
import { openQuarantine } from '../quarantine-drawer.js';

const QUERY = /* GraphQL */ `
  query DashboardFreshness {
    dataFreshness { source latestBatchId latestBatchAt committedBatches rows latestBatchQuarantined quarantined unmatched }
  }
`;

interface Freshness {
  source: string;
  latestBatchId: string | null;
  latestBatchAt: string | null;
  committedBatches: number;
  rows: number;
  latestBatchQuarantined: number;
  quarantined: number;
  unmatched: number;
}

/** A source older than this (days) is flagged: departments deliver monthly. */
const STALE_DAYS = 45;

function cell(row: HTMLTableRowElement, text: string, className = '') {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
}

/** A count that opens the drawer of its rows (nothing to open for 0). */
function countLink(count: number, title: string, open: () => void): Node {
  if (count === 0) return document.createTextNode(integer(count));
  const link = document.createElement('button');
  link.type = 'button';
  link.className = 'count-link';
  link.title = title;
  link.textContent = integer(count);
  link.addEventListener('click', open);
  return link;
}

/** 隔离行: the latest batch's count opens that batch's rows, the cumulative count the source's. */
function quarantineCell(row: HTMLTableRowElement, f: Freshness) {
  const td = row.insertCell();
  td.className = f.quarantined > 0 ? 'num warn' : 'num';
  td.append(
    countLink(f.latestBatchQuarantined, '查看最近批次的隔离行', () =>
      openQuarantine({ source: f.source, batchId: f.latestBatchId ?? undefined }),
    ),
    ' / ',
    countLink(f.quarantined, '查看此数据当前的隔离行（重新导入或更正后已被取代的不再列出）', () =>
      openQuarantine({ source: f.source }),
    ),
  );
}

/** 数据新鲜度: each department's latest batch and its quarantined and unmatched rows. */
export const freshnessPanel: Panel = {
  id: 'freshness',
  yearly: false,
  title: '各部门数据更新情况',
  subtitle: () =>
    `最近入库批次 · 隔离行（最近批次/当前未解决，点击查看）· 未匹配记录 · 超过 ${STALE_DAYS} 天未更新标黄`,
  async render(body) {
    const { dataFreshness } = await gql<{ dataFreshness: Freshness[] }>(QUERY);
    const table = document.createElement('table');
    table.className = 'freshness';
    const head = table.createTHead().insertRow();
    for (const h of ['部门', '数据', '最近入库', '批次', '记录数', '隔离行', '未匹配'])
      head.appendChild(document.createElement('th')).textContent = h;
    const tbody = table.createTBody();
    for (const f of dataFreshness) {
      const label = labelOf(f.source) ?? { name: f.source, department: '—' };
      const row = tbody.insertRow();
      row.dataset.source = f.source;
      cell(row, label.department);
      cell(row, label.name);
      if (f.latestBatchAt)
        cell(
          row,
          dateTime(f.latestBatchAt),
          daysSince(f.latestBatchAt) > STALE_DAYS ? 'stale' : '',
        );
      else cell(row, '尚未入库', 'missing');
      cell(row, f.latestBatchId ? `#${f.latestBatchId}` : '—', 'num');
      cell(row, integer(f.rows), 'num');
      quarantineCell(row, f);
      cell(row, integer(f.unmatched), f.unmatched > 0 ? 'num warn' : 'num');
    }
    body.replaceChildren(table);
    return dataFreshness.filter((f) => f.latestBatchId !== null).length;
  },
};
