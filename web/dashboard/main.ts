/**
 * 领导驾驶舱: the county dashboard at /dashboard, in Chinese, for a 1366×768 screen. Every panel
 * reads the platform's GraphQL API on this same service (no CDN, no other host) and fails on its
 * own: a panel the key may not read says so while the others draw.
 */
import { MAX_YEAR, MIN_YEAR } from '../../lib/year.js';
import { ApiError, gql, storedKey, storeKey } from './api.js';
import { disposeCharts, resizeCharts, wideScreen } from './charts.js';
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
/** A real calendar date written YYYY-MM-DD (2025-02-30 is not). */
const isDate = (text: string) =>
  /^\d{4}-\d{2}-\d{2}$/.test(text) && iso(new Date(`${text}T00:00`)) === text;
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
// The award date is written as the county writes dates (2025-12-23), whatever the browser's own
// language: a date input would show 12/23/2025 on an English-language browser. The calendar
// button opens the browser's date picker on a hidden date input.
const asOfInput = element('input', {
  id: 'as-of',
  type: 'text',
  title: '奖励查询日期（年-月-日，如 2025-12-23）',
  inputMode: 'numeric',
  placeholder: '年-月-日',
  maxLength: 10,
  size: 10,
});
const asOfPicker = element('input', {
  type: 'date',
  id: 'as-of-picker',
  tabIndex: -1,
  max: '2099-12-31',
});
asOfPicker.setAttribute('aria-hidden', 'true');
const asOfButton = element(
  'button',
  { type: 'button', id: 'as-of-button', title: '选择日期' },
  '日历',
);
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
    element('label', { className: 'as-of' }, '奖励查询日期 ', asOfInput, asOfPicker, asOfButton),
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

/** What the page knows of the chosen year: evaluated (figures to draw), or why not. */
type YearState =
  | { kind: 'data' }
  | { kind: 'no-data'; reasons: string[]; offered: number[] }
  | { kind: 'error'; error: unknown };

/** The no-data state of a yearly panel: says so, why, and which years have data. */
function noData(year: number, state: Extract<YearState, { kind: 'no-data' }>): HTMLElement {
  return element(
    'div',
    { className: 'no-data' },
    element('p', { className: 'no-data-title' }, `${year} 年度没有数据`),
    ...(state.reasons.length
      ? [element('ul', {}, ...state.reasons.map((r) => element('li', {}, r)))]
      : []),
    element(
      'p',
      {},
      state.offered.length
        ? `有数据的年度：${state.offered.join('、')} 年，请在上方“年度”中选择。`
        : '目前没有任何年度的数据：税务局的实缴税款和年度申报入库后即可查看。',
    ),
  );
}

async function renderPanel(panel: Panel, params: DashboardParams, year: YearState) {
  const { section, subtitle, body } = sections.get(panel.id)!;
  subtitle.textContent = panel.subtitle(params);
  section.dataset.state = 'loading';
  if (panel.yearly && year.kind !== 'data') {
    disposeCharts(body);
    if (year.kind === 'no-data') {
      body.replaceChildren(noData(params.year, year));
      section.dataset.count = '0';
      section.dataset.state = 'no-data';
    } else {
      body.replaceChildren(element('p', { className: 'error' }, explain(year.error)));
      section.dataset.state = 'error';
    }
    return;
  }
  try {
    const count = await panel.render(body, params);
    section.dataset.count = String(count);
    section.dataset.state = 'ready';
  } catch (error) {
    disposeCharts(body);
    body.replaceChildren(element('p', { className: 'error' }, explain(error)));
    section.dataset.state = 'error';
  }
}

/** The year the page shows: from the address or the picker; null until start() picks the latest. */
let shownYear: number | null = null;

/**
 * Fills the picker with the evaluated years (ended, tax payments and annual returns loaded), latest
 * first. A year without data that the address asked for stays shown, marked 无数据 and not
 * selectable; a key the service refuses leaves the picker as it was (the panels say why).
 */
async function offerYears(): Promise<YearState> {
  let offered: number[];
  try {
    offered = (await gql<{ evaluableYears: number[] }>('query DashboardYears { evaluableYears }'))
      .evaluableYears;
  } catch (error) {
    shownYear ??= lastYear;
    if (!yearSelect.options.length)
      yearSelect.append(element('option', { value: String(shownYear) }, `${shownYear} 年`));
    return { kind: 'error', error };
  }
  // none asked: the latest evaluated year
  shownYear ??= offered[0] ?? lastYear;
  const years = offered.includes(shownYear)
    ? offered
    : [...offered, shownYear].sort((a, b) => b - a);
  yearSelect.replaceChildren(
    ...years.map((y) =>
      offered.includes(y)
        ? element('option', { value: String(y) }, `${y} 年`)
        : element('option', { value: String(y), disabled: true }, `${y} 年（无数据）`),
    ),
  );
  yearSelect.value = String(shownYear);
  if (offered.includes(shownYear)) return { kind: 'data' };
  const { evaluationYear } = await gql<{ evaluationYear: { reasons: string[] } }>(
    'query DashboardYearStatus($year: Int!) { evaluationYear(year: $year) { reasons } }',
    { year: shownYear },
  ).catch(() => ({ evaluationYear: { reasons: [] } }));
  return { kind: 'no-data', reasons: evaluationYear.reasons, offered };
}

async function renderAll() {
  status.textContent = '加载中…';
  root.dataset.state = 'loading';
  const year = await offerYears();
  const asOf = asOfInput.value.trim();
  const p: DashboardParams = { year: shownYear!, asOf: isDate(asOf) ? asOf : iso(today) };
  const url = new URL(window.location.href);
  url.searchParams.set('year', String(p.year));
  url.searchParams.set('asOf', p.asOf);
  window.history.replaceState(null, '', url);
  await Promise.all(PANELS.map((panel) => renderPanel(panel, p, year)));
  const failed = PANELS.filter(
    (panel) => sections.get(panel.id)!.section.dataset.state === 'error',
  ).length;
  status.textContent = failed
    ? `${failed} 个栏目未能加载`
    : year.kind === 'no-data'
      ? `${p.year} 年度没有数据`
      : `更新于 ${new Date().toLocaleTimeString('zh-CN', { hour12: false })}`;
  root.dataset.state = 'ready';
}

async function start() {
  showKeyState();
  const query = new URL(window.location.href).searchParams;
  const askedYear = Number(query.get('year'));
  asOfInput.value = isDate(query.get('asOf') ?? '') ? query.get('asOf')! : iso(today);
  if (Number.isInteger(askedYear) && askedYear >= MIN_YEAR && askedYear <= MAX_YEAR)
    shownYear = askedYear;
  await renderAll();
}

yearSelect.addEventListener('change', () => {
  shownYear = Number(yearSelect.value);
  void renderAll();
});
asOfInput.addEventListener('change', () => {
  const valid = isDate(asOfInput.value.trim());
  asOfInput.setCustomValidity(valid ? '' : '请按 年-月-日 填写，如 2025-12-23');
  asOfInput.reportValidity();
  if (valid) {
    asOfInput.value = asOfInput.value.trim();
    void renderAll();
  }
});
asOfButton.addEventListener('click', () => {
  asOfPicker.value = isDate(asOfInput.value) ? asOfInput.value : iso(today);
  asOfPicker.showPicker();
});
asOfPicker.addEventListener('change', () => {
  if (!asOfPicker.value) return;
  asOfInput.value = asOfPicker.value;
  asOfInput.setCustomValidity('');
  void renderAll();
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
let wasWide = wideScreen();
window.addEventListener('resize', () => {
  window.clearTimeout(resizeTimer);
  resizeTimer = window.setTimeout(() => {
    // across the wide-screen width the charts' text changes size: draw them anew
    if (wideScreen() !== wasWide) {
      wasWide = wideScreen();
      void renderAll();
    } else resizeCharts(grid);
  }, 100);
});

void start();
