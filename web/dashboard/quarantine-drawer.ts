/**
 * 隔离行: the rows of a source or a batch that failed validation, in a drawer over the dashboard,
 * opened from the data-freshness panel's quarantine counts (the clerk who must send the department a
 * corrected file sees which rows and why). `edp quarantine --out` exports all of them.
 */
import { ApiError, gql } from './api.js';
import { labelOf } from './format.js';

const QUERY = /* GraphQL */ `
  query DashboardQuarantine($source: String, $batchId: ID, $first: Int) {
    quarantinedRows(source: $source, batchId: $batchId, first: $first) {
      totalCount
      edges { node { batchId fileName rowNumber reasons raw { column value } } }
    }
  }
`;

/** Rows shown in the drawer; the command line exports the rest. */
const SHOWN = 100;

interface Row {
  batchId: string;
  fileName: string | null;
  rowNumber: number;
  reasons: string[];
  raw: { column: string; value: string }[];
}

let drawer: HTMLDialogElement | null = null;

function theDrawer(): HTMLDialogElement {
  if (drawer) return drawer;
  drawer = document.createElement('dialog');
  drawer.id = 'quarantine';
  drawer.className = 'drawer';
  const head = drawer.appendChild(document.createElement('header'));
  head.appendChild(document.createElement('h3'));
  const close = head.appendChild(document.createElement('button'));
  close.type = 'button';
  close.textContent = '关闭';
  close.addEventListener('click', () => drawer?.close());
  drawer.appendChild(document.createElement('p')).className = 'note';
  drawer.appendChild(document.createElement('div')).className = 'rows';
  document.body.appendChild(drawer);
  return drawer;
}

function rowsTable(rows: Row[]): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'quarantine';
  const head = table.createTHead().insertRow();
  for (const h of ['批次', '文件', '行号', '隔离原因', '原始内容'])
    head.appendChild(document.createElement('th')).textContent = h;
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    for (const text of [
      `#${r.batchId}`,
      r.fileName ?? '—',
      String(r.rowNumber),
      r.reasons.join('；'),
      r.raw.map((c) => `${c.column}=${c.value}`).join('，'),
    ])
      tr.insertCell().textContent = text;
  }
  return table;
}

/** Opens the drawer on the quarantined rows of one batch, or on a source's current rows (of every batch). */
export async function openQuarantine(filter: { source: string; batchId?: string }) {
  const dialog = theDrawer();
  const label = labelOf(filter.source);
  dialog.querySelector('h3')!.textContent =
    `隔离行 · ${label ? `${label.department} ${label.name}` : filter.source}` +
    (filter.batchId ? ` · 批次 #${filter.batchId}` : ' · 全部批次（当前未解决）');
  const note = dialog.querySelector('.note')!;
  const list = dialog.querySelector('.rows')!;
  note.textContent = '加载中…';
  list.replaceChildren();
  dialog.dataset.state = 'loading';
  if (!dialog.open) dialog.showModal();
  try {
    const { quarantinedRows } = await gql<{
      quarantinedRows: { totalCount: number; edges: { node: Row }[] };
    }>(QUERY, {
      source: filter.batchId ? null : filter.source,
      batchId: filter.batchId ?? null,
      first: SHOWN,
    });
    const rows = quarantinedRows.edges.map((e) => e.node);
    note.textContent =
      `共 ${quarantinedRows.totalCount} 行未通过校验、未入库` +
      (quarantinedRows.totalCount > rows.length
        ? `，此处列出前 ${rows.length} 行；全部导出：npm run edp -- quarantine --source ${filter.source} --out 隔离行.xlsx`
        : '') +
      '。请按原因更正后将文件重新报送。';
    list.replaceChildren(rowsTable(rows));
    dialog.dataset.state = 'ready';
  } catch (error) {
    note.textContent =
      error instanceof ApiError && error.code === 'FORBIDDEN'
        ? '当前密钥无权查看隔离行（需要 analyst、admin 或该部门的密钥）。'
        : `暂时无法加载：${error instanceof Error ? error.message : String(error)}`;
    dialog.dataset.state = 'error';
  }
}
