/**
 * 工业和信息化局 (and other issuing bodies) files: recognitions, certifications and filings
 * (designations, xlsx) and intelligent-transformation projects (tech-projects). Random firms
 * are recognised in yearly batches, more often the larger they are; the scenario enterprises
 * carry the hand-made rows of scenarios.ts.
 */
import path from 'node:path';
import { civil, type Day, dayOf, parseIso, yearOf } from './calendar.js';
import { divisionOf, YEARS } from './county.js';
import type { County, Enterprise } from './enterprises.js';
import {
  breakCheck,
  DEFECT_RATE,
  Defects,
  FileRecord,
  type InvalidKind,
  type ManifestFile,
  type UnmatchedKind,
} from './manifest.js';
import { Mess, type MessProfile, unparseableDate } from './messy.js';
import { otherBrackets, tradeName } from './names.js';
import { hash32, type Rng, rngFor } from './random.js';
import { CsvSink, type XlsxCell, XlsxSink } from './writers.js';

/** The 认定类型 of docs/sources.md 5a, with the body that issues each and the form of its 文号. */
export const DESIGNATION_TYPES: Record<
  string,
  { issuer: string; doc: (y: number, n: number) => string }
> = {
  国家级专精特新小巨人: { issuer: '工业和信息化部', doc: (y, n) => `工信厅企业函〔${y}〕${n}号` },
  省级专精特新中小企业: { issuer: '山东省工业和信息化厅', doc: (y, n) => `鲁工信创〔${y}〕${n}号` },
  两化融合管理体系贯标: {
    issuer: '工业和信息化部',
    doc: (y, n) =>
      `AIITRE-${String((n * 131) % 100000).padStart(5, '0')}IIIMS${String(y % 100).padStart(2, '0')}${String(n).padStart(5, '0')}`,
  },
  省级智能工厂: { issuer: '山东省工业和信息化厅', doc: (y, n) => `鲁工信装〔${y}〕${n}号` },
  省级数字化车间: { issuer: '山东省工业和信息化厅', doc: (y, n) => `鲁工信装〔${y}〕${n + 1}号` },
  省级5G产业试点示范项目: {
    issuer: '山东省工业和信息化厅、山东省通信管理局',
    doc: (y, n) => `鲁工信通〔${y}〕${n}号`,
  },
  工业互联网创新示范企业: {
    issuer: '山东省工业和信息化厅',
    doc: (y, n) => `鲁工信信〔${y}〕${n}号`,
  },
  '国家首台(套)重大技术装备': {
    issuer: '工业和信息化部',
    doc: (y, n) => `工信部装函〔${y}〕${n}号`,
  },
  '省首台(套)重大技术装备': {
    issuer: '山东省工业和信息化厅',
    doc: (y, n) => `鲁工信装〔${y}〕${n + 3}号`,
  },
  规上工业企业首次纳统: { issuer: '汶上县统计局', doc: (y, n) => `汶统字〔${y}〕${n}号` },
  攀登工程协议完成: { issuer: '汶上县人民政府', doc: (y, n) => `汶政字〔${y}〕${n}号` },
  '服装加工龙头企业(核心厂)备案': {
    issuer: '汶上县工业和信息化局',
    doc: (y, n) => `汶工信字〔${y}〕${n}号`,
  },
  单品精益化工厂: { issuer: '汶上县工业和信息化局', doc: (y, n) => `汶工信字〔${y}〕${n + 1}号` },
  技术改造扶持: { issuer: '汶上县工业和信息化局', doc: (y, n) => `汶工信字〔${y}〕${n + 2}号` },
};

/** Types no department issues under that name here: rows carrying them must be quarantined. */
const UNKNOWN_TYPES = [
  '省级瞪羚企业',
  '市级专精特新中小企业',
  '省级技术创新示范企业',
  '高新技术企业',
];

export interface DesignationRow {
  ent: Enterprise | null;
  name: string;
  /** 统一社会信用代码 as delivered ('' when the row names the firm only) */
  id: string;
  type: string;
  day: Day;
  issuer: string;
  docNo: string;
  /** 关联企业统一社会信用代码 (单品精益化工厂 only) */
  coreUscc: string;
  note: string;
  unmatched?: UnmatchedKind;
}

export interface ProjectRow {
  projectNo: string;
  ent: Enterprise;
  name: string;
  equipment: number;
  software: number;
  accepted: Day;
  supported: boolean;
}

export interface RecognitionPlan {
  designations: DesignationRow[];
  projects: ProjectRow[];
}

const round2 = (v: number): number => Math.round(v * 100) / 100;
const LAST_DAY = parseIso('2026-06-30');

/** The issuing batch of a type in a year: a date in the year and its document. */
function batch(seed: number, type: string, year: number, k = 0): { day: Day; docNo: string } {
  const r = rngFor(seed, 'batch', type, year, k);
  const month = type === '规上工业企业首次纳统' ? r.int(2, 4) : r.int(3, 12);
  const day = dayOf(year, month, r.int(1, 28));
  return { day: Math.min(day, LAST_DAY), docNo: DESIGNATION_TYPES[type].doc(year, r.int(8, 160)) };
}

const YEAR_WEIGHTS: ReadonlyArray<readonly [number, number]> = [
  [2018, 1],
  [2019, 1],
  [2020, 2],
  [2021, 2],
  [2022, 3],
  [2023, 3],
  [2024, 3],
  [2025, 3],
  [2026, 1],
];

/** 企业名称 of a row, and whether it goes without a USCC. */
function shown(e: Enterprise, r: Rng, nameOnlyShare: number): { name: string; id: string } {
  if (!r.chance(nameOnlyShare))
    return {
      name: r.chance(0.2) && /[（(]/.test(e.name) ? otherBrackets(e.name) : e.name,
      id: e.uscc,
    };
  return { name: e.aliasNames.length && r.chance(0.4) ? r.pick(e.aliasNames) : e.name, id: '' };
}

export function planRecognition(county: County): RecognitionPlan {
  const { seed } = county;
  const designations: DesignationRow[] = [];
  const push = (
    e: Enterprise,
    type: string,
    day: Day,
    docNo: string,
    r: Rng,
    extra: Partial<DesignationRow> = {},
  ): void => {
    const s = shown(e, r, e.role ? 0 : 0.03);
    designations.push({
      ent: e,
      ...s,
      type,
      day,
      issuer: DESIGNATION_TYPES[type].issuer,
      docNo,
      coreUscc: '',
      note: '',
      ...extra,
    });
  };
  const maxRevenue = (e: Enterprise): number => Math.max(0, ...e.revenue.map((v) => v ?? 0));

  // Scenario rows first (their documents derive from the date so they look issued in batches too).
  for (const e of county.enterprises) {
    if (!e.spec?.designations) continue;
    const r = rngFor(seed, 'designation-scenario', e.idx);
    for (const d of e.spec.designations) {
      const day = parseIso(d.date);
      const docNo = DESIGNATION_TYPES[d.type].doc(yearOf(day), 8 + (hash32(d.type, d.date) % 150));
      const core = d.coreRole ? county.byRole.get(d.coreRole)!.uscc : '';
      if (d.nameOnly === 'former')
        designations.push({
          ent: e,
          name: e.formerNames[0],
          id: '',
          type: d.type,
          day,
          issuer: DESIGNATION_TYPES[d.type].issuer,
          docNo,
          coreUscc: '',
          note: '',
        });
      else
        push(e, d.type, day, docNo, r, {
          coreUscc: core,
          note: d.date.startsWith('2023-11-20') ? '复核通过' : '',
        });
    }
  }

  // Random recognitions of non-scenario industrial firms.
  const cores: Array<{ e: Enterprise; day: Day }> = [];
  const grant = (
    e: Enterprise,
    r: Rng,
    type: string,
    year: number,
    extra: Partial<DesignationRow> = {},
  ): Day | null => {
    if (year > 2026) return null;
    const b = batch(seed, type, year, r.int(0, 1));
    if (b.day < e.established + 365 || yearOf(b.day) > Math.min(e.lastYear + 1, 2026)) return null;
    push(e, type, b.day, b.docNo, r, extra);
    return b.day;
  };
  for (const e of county.enterprises) {
    if (e.role || !e.sector.industrial) continue;
    const r = rngFor(seed, 'designations', e.idx);
    const top = maxRevenue(e);
    const f = top >= 1e8 ? 5 : top >= 2e7 ? 3 : 1;
    const year = (): number => r.weighted(YEAR_WEIGHTS);
    if (r.chance(0.03 * f)) {
      const y = year();
      if (grant(e, r, '省级专精特新中小企业', y) !== null) {
        if (r.chance(0.5)) grant(e, r, '省级专精特新中小企业', y + 3, { note: '复核通过' });
        if (r.chance(0.15)) grant(e, r, '国家级专精特新小巨人', y + r.int(1, 2));
      }
    }
    if (r.chance(0.015 * f)) {
      const y = year();
      if (grant(e, r, '两化融合管理体系贯标', y) !== null && r.chance(0.2))
        grant(e, r, '两化融合管理体系贯标', y + 3, { note: '再认证' });
    }
    if (r.chance(0.004 * f)) grant(e, r, '省级智能工厂', year());
    if (r.chance(0.012 * f)) grant(e, r, '省级数字化车间', year());
    if (r.chance(0.004 * f)) grant(e, r, '省级5G产业试点示范项目', year());
    if (r.chance(0.004 * f)) grant(e, r, '工业互联网创新示范企业', year());
    const equipmentMaker = ['machinery', 'auto', 'newEnergy'].includes(e.sector.key);
    if (equipmentMaker && r.chance(0.004 * f)) grant(e, r, '国家首台(套)重大技术装备', year());
    if (equipmentMaker && r.chance(0.012 * f)) grant(e, r, '省首台(套)重大技术装备', year());
    if (top >= 1e8 && r.chance(0.05)) grant(e, r, '攀登工程协议完成', year());
    if (r.chance(0.015 * f)) grant(e, r, '技术改造扶持', year());
    // 首次纳统: the year after revenue first reaches 20,000,000 元.
    const crossed = YEARS.findIndex(
      (_, t) => (e.revenue[t] ?? 0) >= 2e7 && (t === 0 || (e.revenue[t - 1] ?? 0) < 2e7),
    );
    if (crossed > 0 || (crossed === 0 && yearOf(e.established) >= 2022))
      grant(e, r, '规上工业企业首次纳统', YEARS[crossed] + 1);
    else if (crossed === 0 && r.chance(0.25))
      grant(e, r, '规上工业企业首次纳统', r.int(2012, 2021));
    if (divisionOf(e.industryCode) === 'C18' && top >= 5e7 && r.chance(0.25)) {
      const day = grant(e, r, '服装加工龙头企业(核心厂)备案', r.int(2021, 2024));
      if (day !== null) cores.push({ e, day });
    }
  }
  if (cores.length) {
    for (const e of county.enterprises) {
      if (e.role || divisionOf(e.industryCode) !== 'C18' || maxRevenue(e) >= 5e7) continue;
      const r = rngFor(seed, 'apparel-partner', e.idx);
      if (!r.chance(0.2)) continue;
      const core = r.pick(cores);
      grant(e, r, '单品精益化工厂', r.int(yearOf(core.day) + 1, 2026), { coreUscc: core.e.uscc });
    }
  }
  // A recognition of a firm the register does not know.
  if (county.byRole.size) {
    const r = rngFor(seed, 'designation-unregistered');
    const b = batch(seed, '省级数字化车间', 2024);
    designations.push({
      ent: null,
      name: `济宁${tradeName(r, true)}智能装备有限公司`,
      id: '',
      type: '省级数字化车间',
      day: b.day,
      issuer: DESIGNATION_TYPES.省级数字化车间.issuer,
      docNo: b.docNo,
      coreUscc: '',
      note: '',
      unmatched: 'no-match',
    });
  }
  designations.sort((a, b) => a.day - b.day);
  return { designations, projects: planProjects(county) };
}

const PROJECT_NAMES = [
  '数控加工中心智能化改造项目',
  '自动化生产线升级改造项目',
  '工业机器人焊接工作站项目',
  '数字化车间建设项目',
  'MES制造执行系统集成项目',
  '智能仓储物流系统项目',
  '自动喷涂生产线改造项目',
  '智能检测装备升级项目',
  'ERP与PLM系统集成项目',
  '柔性制造单元建设项目',
  '智能吊挂生产系统项目',
  'DCS集散控制系统改造项目',
];

function planProjects(county: County): ProjectRow[] {
  const rows: ProjectRow[] = [];
  const seq = new Map<number, number>();
  const number = (day: Day): string => {
    const y = yearOf(day);
    const n = (seq.get(y) ?? 0) + 1;
    seq.set(y, n);
    return `ZNGZ-${y}-${String(n).padStart(4, '0')}`;
  };
  for (const e of county.enterprises) {
    const r = rngFor(county.seed, 'projects', e.idx);
    if (e.spec?.projects) {
      for (const p of e.spec.projects) {
        const accepted = parseIso(p.accepted);
        rows.push({
          projectNo: number(accepted),
          ent: e,
          name: p.name ?? r.pick(PROJECT_NAMES),
          equipment: p.equipment,
          software: p.software,
          accepted,
          supported: p.supported ?? false,
        });
      }
      continue;
    }
    if (e.role || !e.sector.industrial || !r.chance(0.07)) continue;
    const count = r.weighted([
      [1, 70],
      [2, 22],
      [3, 8],
    ]);
    for (let k = 0; k < count; k++) {
      const from = Math.max(e.established + r.int(100, 900), parseIso('2021-03-01'));
      const to = Math.min(parseIso('2026-03-31'), dayOf(Math.min(e.lastYear, 2026), 12, 31));
      if (from > to) continue;
      const accepted = r.int(from, to);
      let equipment = Math.min(6e7, Math.max(2e5, r.logNormal(2.2e6, 0.8)));
      equipment = r.chance(0.35) ? round2(equipment) : Math.round(equipment / 1000) * 1000;
      const share = r.range(0.03, 0.25);
      const software = r.chance(0.35)
        ? round2((equipment * share) / (1 - share))
        : Math.round((equipment * share) / (1 - share) / 100) * 100;
      rows.push({
        projectNo: number(accepted),
        ent: e,
        name: r.pick(PROJECT_NAMES),
        equipment,
        software,
        accepted,
        supported: r.chance(0.1),
      });
    }
  }
  return rows;
}

export const DESIGNATION_COLUMNS = [
  '统一社会信用代码',
  '企业名称',
  '认定类型',
  '认定日期',
  '认定部门',
  '文号',
  '关联企业统一社会信用代码',
  '备注',
];

const DESIGNATION_PROFILE: MessProfile = {
  dates: [
    ['iso', 40],
    ['cn', 35],
    ['slash', 20],
    ['compact', 5],
  ],
  months: [['iso', 1]],
  money: [['plain', 1]],
  minusAfter: 0,
  stray: 0.03,
};

const utcDate = (day: Day): Date => {
  const [y, m, d] = civil(day);
  return new Date(Date.UTC(y, m - 1, d));
};

/** Writes designations.xlsx: 认定日期 as Excel dates or text, an extra column 备注. */
export async function writeDesignations(
  county: County,
  plan: RecognitionPlan,
  outDir: string,
  file = 'designations.xlsx',
): Promise<ManifestFile> {
  const record = new FileRecord(
    file,
    'designations',
    'xlsx',
    null,
    DESIGNATION_COLUMNS,
    'xlsx (first sheet). 认定日期 as Excel date cells or text in the four formats; a few rows by name only; an extra column 备注.',
  );
  const sink = new XlsxSink(path.join(outDir, file), '认定名单');
  sink.header(DESIGNATION_COLUMNS);
  const rng = rngFor(county.seed, 'designations-file');
  const mess = new Mess(rng, DESIGNATION_PROFILE);
  const defects = new Defects(rngFor(county.seed, 'designations-defects'), DEFECT_RATE * 3, [
    'bad-check',
    'bad-date',
    'unknown-type',
    'empty-required',
  ]);
  for (const d of plan.designations) {
    const cells: XlsxCell[] = [
      d.id,
      mess.text(d.name),
      d.type,
      rng.chance(0.55) ? utcDate(d.day) : mess.date(d.day),
      d.issuer,
      d.docNo,
      d.coreUscc,
      d.note,
    ];
    let kind: InvalidKind | null = null;
    if (!d.unmatched && !d.ent?.role)
      kind = defects.pick(
        d.id
          ? ['bad-check', 'bad-date', 'unknown-type', 'empty-required']
          : ['bad-date', 'unknown-type', 'empty-required'],
      );
    if (kind === 'bad-check') cells[0] = breakCheck(d.id, rng);
    if (kind === 'bad-date') cells[3] = unparseableDate(rng);
    if (kind === 'unknown-type') cells[2] = rng.pick(UNKNOWN_TYPES);
    if (kind === 'empty-required') cells[3] = null;
    const row = sink.row(cells);
    if (kind)
      record.invalid(
        row,
        kind,
        kind === 'bad-check'
          ? '统一社会信用代码'
          : kind === 'unknown-type'
            ? '认定类型'
            : '认定日期',
      );
    if (d.unmatched) record.unmatched(row, d.unmatched, '企业名称');
    await sink.drain();
  }
  await sink.close();
  return record.finish(sink.rows);
}

export const PROJECT_COLUMNS = [
  '项目编号',
  '企业名称',
  '统一社会信用代码',
  '项目名称',
  '项目地点',
  '设备投资(元,不含税)',
  '软件投资(元,不含税)',
  '已享受技术改造扶持',
  '验收日期',
];

const PROJECT_PROFILE: MessProfile = {
  dates: [
    ['iso', 45],
    ['cn', 25],
    ['slash', 20],
    ['compact', 10],
  ],
  months: [['iso', 1]],
  money: [
    ['plain', 35],
    ['grouped', 45],
    ['yen', 15],
    ['integer', 5],
  ],
  minusAfter: 0,
  stray: 0.03,
};

/** Writes tech-projects.csv (UTF-8 with BOM), columns reordered, an extra column 项目地点. */
export async function writeProjects(
  county: County,
  plan: RecognitionPlan,
  outDir: string,
  file = 'tech-projects.csv',
): Promise<ManifestFile> {
  const record = new FileRecord(
    file,
    'tech-projects',
    'csv',
    'utf-8-bom',
    PROJECT_COLUMNS,
    'UTF-8 with BOM; columns reordered; an extra column 项目地点; amounts 元 excluding VAT.',
  );
  const sink = new CsvSink(path.join(outDir, file), 'utf-8-bom');
  sink.header(PROJECT_COLUMNS);
  const rng = rngFor(county.seed, 'projects-file');
  const mess = new Mess(rng, PROJECT_PROFILE);
  const defects = new Defects(rngFor(county.seed, 'projects-defects'), DEFECT_RATE * 3, [
    'bad-check',
    'bad-date',
    'empty-required',
  ]);
  const rows = plan.projects
    .slice()
    .sort((a, b) => (a.projectNo < b.projectNo ? -1 : a.projectNo > b.projectNo ? 1 : 0));
  for (const p of rows) {
    const cells = [
      p.projectNo,
      mess.text(p.ent.name),
      p.ent.uscc,
      p.name,
      `汶上县${p.ent.town}`,
      mess.money(p.equipment),
      mess.money(p.software),
      p.supported ? '是' : '否',
      mess.date(p.accepted),
    ];
    const kind = p.ent.role ? null : defects.pick(['bad-check', 'bad-date', 'empty-required']);
    if (kind === 'bad-check') cells[2] = breakCheck(p.ent.uscc, rng);
    if (kind === 'bad-date') cells[8] = unparseableDate(rng);
    if (kind === 'empty-required') cells[0] = '';
    const row = sink.row(cells);
    if (kind)
      record.invalid(
        row,
        kind,
        kind === 'bad-check' ? '统一社会信用代码' : kind === 'bad-date' ? '验收日期' : '项目编号',
      );
    await sink.drain();
  }
  await sink.close();
  return record.finish(sink.rows);
}
