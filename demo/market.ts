/**
 * 市场监督管理局 files: the enterprise register (market-registry, the master every other
 * department links to) and administrative penalties (market-penalties).
 */
import path from 'node:path';
import { type Day, dayOf, parseIso, yearOf } from './calendar.js';
import { PENALTY_TYPES, REGION_CODE } from './county.js';
import { type County, type Enterprise, newOrgCode, usccFor } from './enterprises.js';
import { breakCheck, DEFECT_RATE, Defects, FileRecord, type ManifestFile } from './manifest.js';
import { formatMoney, Mess, type MessProfile, unparseableDate } from './messy.js';
import { personName, tradeName } from './names.js';
import { type Rng, rngFor } from './random.js';
import { CsvSink } from './writers.js';

export const REGISTRY_COLUMNS = [
  '统一社会信用代码',
  '企业名称',
  '曾用名',
  '法定代表人',
  '企业类型',
  '注册资本(万元)',
  '成立日期',
  '登记状态',
  '住所',
  '所属乡镇',
  '行业代码',
];

const REGISTRY_PROFILE: MessProfile = {
  dates: [
    ['iso', 80],
    ['slash', 8],
    ['cn', 8],
    ['compact', 4],
  ],
  months: [['iso', 1]],
  money: [
    ['integer', 80],
    ['plain', 15],
    ['grouped', 5],
  ],
  minusAfter: 0,
  stray: 0.01,
};

function registryRow(e: Enterprise, mess: Mess): string[] {
  return [
    e.uscc,
    mess.text(e.name),
    e.formerNames.join(e.formerSeparator),
    e.legalRep,
    e.legalForm,
    mess.money(e.capitalWan),
    mess.date(e.established),
    e.status,
    mess.text(e.address),
    e.town,
    e.industryCode,
  ];
}

/**
 * Writes the register. Its invalid rows are extra "phantom" registrations (a failed check
 * character, no name, an impossible date) so that no real enterprise goes missing from it.
 */
export async function writeRegistry(
  county: County,
  outDir: string,
  file = 'market-registry.csv',
): Promise<ManifestFile> {
  const record = new FileRecord(
    file,
    'market-registry',
    'csv',
    'utf-8',
    REGISTRY_COLUMNS,
    'the enterprise register: load first. Invalid rows are phantom registrations that must be quarantined.',
  );
  const sink = new CsvSink(path.join(outDir, file), 'utf-8');
  sink.header(REGISTRY_COLUMNS);
  const rng = rngFor(county.seed, 'registry');
  const mess = new Mess(rng, REGISTRY_PROFILE);
  const defects = new Defects(rngFor(county.seed, 'registry-defects'), DEFECT_RATE, [
    'bad-check',
    'empty-required',
    'bad-date',
  ]);
  for (const e of county.enterprises) {
    const kind = defects.pick(['bad-check', 'empty-required', 'bad-date']);
    if (kind) {
      const phantom = phantomRow(county, rng, mess);
      const column =
        kind === 'bad-check'
          ? '统一社会信用代码'
          : kind === 'empty-required'
            ? '企业名称'
            : '成立日期';
      if (kind === 'bad-check') phantom[0] = breakCheck(phantom[0], rng);
      if (kind === 'empty-required') phantom[1] = '';
      if (kind === 'bad-date') phantom[6] = unparseableDate(rng);
      record.invalid(sink.row(phantom), kind, column);
    }
    sink.row(registryRow(e, mess));
    await sink.drain();
  }
  await sink.close();
  return record.finish(sink.rows);
}

/** A registration row of a firm that exists nowhere else. */
function phantomRow(county: County, rng: Rng, mess: Mess): string[] {
  const established = dayOf(rng.int(2000, 2024), 1, 1) + rng.int(0, 364);
  const orgCode = newOrgCode(rng, established, county.orgCodes);
  return [
    usccFor(REGION_CODE, orgCode),
    `汶上县${tradeName(rng, true)}商贸有限公司`,
    '',
    personName(rng),
    '有限责任公司(自然人独资)',
    formatMoney(rng.pick([10, 50, 100]), 'integer'),
    mess.date(established),
    '存续',
    '山东省济宁市汶上县中都街道',
    '中都街道',
    'F5211',
  ];
}

export const PENALTY_COLUMNS = [
  '统一社会信用代码',
  '企业名称',
  '决定书文号',
  '违法类型',
  '处罚决定日期',
  '罚没金额(元)',
  '执法机构',
];

const PENALTY_PROFILE: MessProfile = {
  dates: [
    ['iso', 50],
    ['cn', 30],
    ['slash', 15],
    ['compact', 5],
  ],
  months: [['iso', 1]],
  money: [
    ['plain', 30],
    ['grouped', 50],
    ['yen', 20],
  ],
  minusAfter: 0,
  stray: 0.02,
};

/** Writes administrative penalties: about 4 % of enterprises, 2020–2025. */
export async function writePenalties(
  county: County,
  outDir: string,
  file = 'market-penalties.csv',
): Promise<ManifestFile> {
  const record = new FileRecord(
    file,
    'market-penalties',
    'csv',
    'utf-8-bom',
    PENALTY_COLUMNS,
    'UTF-8 with BOM; an extra column 执法机构 the source does not define.',
  );
  const sink = new CsvSink(path.join(outDir, file), 'utf-8-bom');
  sink.header(PENALTY_COLUMNS);
  const mess = new Mess(rngFor(county.seed, 'penalties'), PENALTY_PROFILE);
  const defects = new Defects(rngFor(county.seed, 'penalties-defects'), DEFECT_RATE * 3, [
    'bad-check',
    'bad-date',
    'empty-required',
  ]);
  const seq = new Map<number, number>();
  for (const e of county.enterprises) {
    const rng = rngFor(county.seed, 'penalty', e.idx);
    if (!rng.chance(0.04)) continue;
    const count = rng.chance(0.2) ? 2 : 1;
    for (let i = 0; i < count; i++) {
      const from = Math.max(e.established + 180, parseIso('2020-01-01'));
      const to = Math.min(parseIso('2025-12-15'), dayOf(Math.min(e.lastYear, 2025), 12, 15));
      if (from > to) continue;
      const day: Day = rng.int(from, to);
      const year = yearOf(day);
      const n = (seq.get(year) ?? 0) + 1;
      seq.set(year, n);
      const type = rng.weighted(PENALTY_TYPES);
      const amount =
        type === '无照经营' ? rng.int(1, 20) * 1000 : Math.round(rng.logNormal(20000, 1));
      const cells = [
        e.uscc,
        mess.text(e.name),
        `汶市监处罚〔${year}〕${n}号`,
        type,
        mess.date(day),
        mess.money(amount),
        '汶上县市场监督管理局',
      ];
      const kind = e.role ? null : defects.pick(['bad-check', 'bad-date', 'empty-required']);
      if (kind === 'bad-check') cells[0] = breakCheck(e.uscc, rng);
      if (kind === 'bad-date') cells[4] = unparseableDate(rng);
      if (kind === 'empty-required') cells[2] = '';
      const row = sink.row(cells);
      if (kind)
        record.invalid(
          row,
          kind,
          kind === 'bad-check'
            ? '统一社会信用代码'
            : kind === 'bad-date'
              ? '处罚决定日期'
              : '决定书文号',
        );
    }
    await sink.drain();
  }
  await sink.close();
  return record.finish(sink.rows);
}
