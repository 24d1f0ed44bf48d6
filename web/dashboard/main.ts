/**
 * 领导驾驶舱: the county dashboard at /dashboard, in Chinese, for a 1366×768 screen. Every panel
 * reads the platform's GraphQL API on this same service (no CDN, no other host) and fails on its
 * own: a panel the key may not read says so while the others draw.
 */
import { ApiError, gql, storedKey, storeKey } from './api.js';
import { resizeCharts } from './charts.js';
import './dashboard.css';
import type { DashboardParams, Panel } from './panel.js';
import { awardsPanel } from './panels/awards.js';
import { clustersPanel } from './panels/clusters.js';
import { freshnessPanel } from './panels/freshness.js';
import { gradesPanel } from './panels/grades.js';
import { landPanel } from './panels/land.js';
import { topTaxPanel } from './panels/top-tax.js';

const PANELS: Panel[] = [
  gradesPanel,
  clustersPanel,
  topTaxPanel,
  awardsPanel,
  freshnessPanel,
  landPanel,
];

const root = document.getElementById('dashboard')!;
const today = new Date();
const iso = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
const lastYear = today.getFullYear() - 1;

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, unknown> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el: HTMLElementTagNameMap[K] = Object.assign(document.createElement(tag), props);
  el.append(...children);
  return el;
}

// ---- layout: a header with the controls, then the panels in a grid ----
// filled in start(): only the years that are evaluated (ended, their data in)
const yearSelect = element('select', { id: 'year', title: '年度' });
const asOfInput = element('input', {
  id: 'as-of',
  type: 'date',
  title: '奖励查询日期',
  max: '2099-12-31',
});
const keyButton = element('button', { type: 'button', id: 'key-button' });
const keyInput = element('input', {
  type: 'password',
  id: 'key-input',
  placeholder: 'dashboard 角色的 API 密钥',
  autocomplete: 'off',
});
const keyForm = element(
  'form',
  { id: 'key-form', hidden: true },
  keyInput,
  element('button', { type: 'submit' }, '保存'),
  element('button', { type: 'button', id: 'key-clear' }, '清除'),
);
const status = element('span', { id: 'status', role: 'status' });
root.append(
  element(
    'header',
    {},
    element('h1', {}, '汶上县企业大数据平台 · 领导驾驶舱'),
    element('label', {}, '年度 ', yearSelect),
    element('label', {}, '奖励查询日期 ', asOfInput),
    status,
    keyButton,
    keyForm,
  ),
);
const grid = element('main', { className: 'grid' });
const sections = new Map<
  string,
  { section: HTMLElement; subtitle: HTMLElement; body: HTMLElement }
>();
for (const panel of PANELS) {
  const subtitle = element('p', { className: 'subtitle' });
  const body = element('div', { className: 'body' });
  const section = element(
    'section',
    { className: `panel panel-${panel.id}` },
    element('h2', {}, panel.title),
    subtitle,
    body,
  );
  section.dataset.panel = panel.id;
  grid.append(section);
  sections.set(panel.id, { section, subtitle, body });
}
root.append(grid);

function showKeyState() {
  keyButton.textContent = storedKey() ? 'API 密钥：已设置' : 'API 密钥';
}

/** Why a panel could not draw, in words a leader's assistant can act on. */
function explain(error: unknown): string {
  if (error instanceof ApiError && error.code === 'UNAUTHENTICATED')
    return '需要 API 密钥：请点击右上角“API 密钥”，输入 dashboard 角色的密钥。';
  if (error instanceof ApiError && error.code === 'FORBIDDEN')
    return '当前密钥无权查看此栏目（需要可查看企业画像的角色，例如 analyst）。';
  return `暂时无法加载：${error instanceof Error ? error.message : String(error)}`;
}

async function renderPanel(panel: Panel, params: DashboardParams) {
  const { section, subtitle, body } = sections.get(panel.id)!;
  subtitle.textContent = panel.subtitle(params);
  section.dataset.state = 'loading';
  try {
    const count = await panel.render(body, params);
    section.dataset.count = String(count);
    section.dataset.state = 'ready';
  } catch (error) {
    body.replaceChildren(element('p', { className: 'error' }, explain(error)));
    section.dataset.state = 'error';
  }
}

function params(): DashboardParams {
  return { year: Number(yearSelect.value), asOf: asOfInput.value || iso(today) };
}

async function renderAll() {
  const p = params();
  const url = new URL(window.location.href);
  url.searchParams.set('year', String(p.year));
  url.searchParams.set('asOf', p.asOf);
  window.history.replaceState(null, '', url);
  status.textContent = '加载中…';
  root.dataset.state = 'loading';
  await Promise.all(PANELS.map((panel) => renderPanel(panel, p)));
  const failed = PANELS.filter(
    (panel) => sections.get(panel.id)!.section.dataset.state === 'error',
  ).length;
  status.textContent = failed
    ? `${failed} 个栏目未能加载`
    : `更新于 ${new Date().toLocaleTimeString('zh-CN', { hour12: false })}`;
  root.dataset.state = 'ready';
}

/**
 * The years the picker offers: those evaluated (ended, tax payments and annual returns loaded),
 * latest first. When none is yet, last year, marked so.
 */
async function offerYears(): Promise<number[]> {
  let years: number[] = [];
  try {
    years = (await gql<{ evaluableYears: number[] }>('query DashboardYears { evaluableYears }'))
      .evaluableYears;
  } catch {
    // a key the service refuses: the panels say so; the picker still needs a year
  }
  yearSelect.replaceChildren(
    ...(years.length ? years : [lastYear]).map((y) =>
      element('option', { value: String(y) }, years.length ? `${y} 年` : `${y} 年（未评价）`),
    ),
  );
  return years.length ? years : [lastYear];
}

async function start() {
  showKeyState();
  const query = new URL(window.location.href).searchParams;
  const askedYear = Number(query.get('year'));
  const offered = await offerYears();
  yearSelect.value = String(offered.includes(askedYear) ? askedYear : offered[0]);
  asOfInput.value = /^\d{4}-\d{2}-\d{2}$/.test(query.get('asOf') ?? '')
    ? query.get('asOf')!
    : iso(today);
  await renderAll();
}

yearSelect.addEventListener('change', () => void renderAll());
asOfInput.addEventListener('change', () => {
  if (asOfInput.value) void renderAll();
});
keyButton.addEventListener('click', () => {
  keyForm.hidden = !keyForm.hidden;
  if (!keyForm.hidden) keyInput.focus();
});
keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  storeKey(keyInput.value.trim() || null);
  keyInput.value = '';
  keyForm.hidden = true;
  showKeyState();
  void renderAll();
});
keyForm.querySelector('#key-clear')!.addEventListener('click', () => {
  storeKey(null);
  keyForm.hidden = true;
  showKeyState();
  void renderAll();
});
let resizeTimer: number | undefined;
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => resizeCharts(grid), 100);
});

void start();
