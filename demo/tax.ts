/**
 * 税务局 files: taxes actually paid per month and tax type (tax-payments) and the annual
 * figures of the income-tax return (tax-annual). 2022 payments come from the old system:
 * GB18030, CRLF, and for some firms the legacy 15-character tax number.
 */
import path from 'node:path';
import { civil, type Day, dayOf, daysInMonth } from './calendar.js';
import { isSubDistrict, NEIGHBOUR_REGION_CODE, YEARS } from './county.js';
import { type County, type Enterprise, newOrgCode, operatesIn, usccFor } from './enterprises.js';
import { heldAreaOn, type LandPlan } from './land.js';
import {
  breakCheck,
  DEFECT_RATE,
  Defects,
  FileRecord,
  type InvalidKind,
  type ManifestFile,
} from './manifest.js';
import { Mess, type MessProfile, unparseableMonth } from './messy.js';
import { otherBrackets, tradeName } from './names.js';
import { type Rng, rngFor } from './random.js';
import { CsvSink } from './writers.js';

const round2 = (v: number): number => Math.round(v * 100) / 100;

/** One 实缴 payment. */
interface Payment {
  month: number;
  type: string;
  amount: number;
}

const MONTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const QUARTER_ENDS = [3, 6, 9, 12];
/** Payments follow the seasons of business (Spring Festival in February, year-end push). */
const SEASON = [0.95, 0.7, 1.0, 1.0, 1.0, 1.02, 0.98, 0.98, 1.02, 1.02, 1.05, 1.28];

/**
 * The payments of one enterprise in one year: monthly VAT and surcharges for general
 * taxpayers (quarterly for small ones), quarterly income-tax prepayments plus the annual
 * settlement (sometimes a refund), withheld income tax, land and property taxes from its
 * parcels, stamp duty, environmental and resource taxes, 2022 VAT credit refunds and the
 * monthly 即征即退 refunds of software firms.
 */
function paymentsOf(e: Enterprise, year: number, land: LandPlan, rng: Rng): Payment[] {
  const revenue = e.revenue[year - YEARS[0]];
  if (revenue === null || !operatesIn(e, year)) return [];
  const out: Payment[] = [];
  const firstMonth = e.established >= dayOf(year, 1, 1) ? civil(e.established)[1] : 1;
  const months = MONTHS.filter((m) => m >= firstMonth);
  const total = revenue * e.sector.taxRate * rng.logNormal(1, 0.25);
  const vat = total * 0.55;
  const general = revenue >= 5e6;
  const cityRate = isSubDistrict(e.town) ? 0.07 : 0.05;
  const seasonSum = months.reduce((s, m) => s + SEASON[m - 1], 0);
  const pay = (month: number, type: string, amount: number): void => {
    const a = round2(amount);
    if (a !== 0) out.push({ month, type, amount: a });
  };
  const vatMonths = general ? months : QUARTER_ENDS.filter((m) => m >= firstMonth);
  for (const m of vatMonths) {
    const share = general ? SEASON[m - 1] / seasonSum : 1 / vatMonths.length;
    const v = vat * share * rng.logNormal(1, 0.15);
    if (general && rng.chance(0.04)) {
      // Paid in two receipts the same month (a late declaration corrected, or a 补缴).
      const part = rng.range(0.2, 0.8);
      pay(m, '增值税', v * part);
      pay(m, '增值税', v * (1 - part));
    } else pay(m, '增值税', v);
    pay(m, '城市维护建设税', v * cityRate);
    if (e.sector.key === 'software' && general) pay(m, '增值税', -v * rng.range(0.3, 0.6));
  }
  // Withheld individual income tax: monthly for larger employers, quarterly for the others.
  const staff = e.employees[year - YEARS[0]] ?? 0;
  const pitMonths =
    staff >= 50 ? months : staff >= 10 ? QUARTER_ENDS.filter((q) => q >= firstMonth) : [];
  for (const m of pitMonths)
    pay(m, '个人所得税(代扣代缴)', (total * 0.05 * rng.logNormal(1, 0.1)) / pitMonths.length);
  if (year === 2022 && general && e.sector.industrial && rng.chance(0.15))
    pay(rng.pick([4, 5, 6]), '增值税', -vat * rng.range(0.05, 0.2));
  const cit = total * 0.25;
  if (rng.chance(general ? 0.9 : 0.6)) {
    for (const m of QUARTER_ENDS.filter((q) => q >= firstMonth))
      pay(m, '企业所得税', cit * 0.22 * rng.logNormal(1, 0.2));
    // The annual settlement belongs to December of the year: a second income-tax payment that month.
    if (general) pay(12, '企业所得税', cit * rng.range(-0.15, 0.25));
  }
  const stampMonths = general ? QUARTER_ENDS.filter((q) => q >= firstMonth) : [12];
  for (const m of stampMonths)
    pay(
      m,
      '印花税',
      Math.max(5, ((revenue * 0.0003) / stampMonths.length) * rng.logNormal(1, 0.2)),
    );
  const area = heldAreaOn(land, e, dayOf(year, 6, 30));
  if (area > 0) {
    const landRate = isSubDistrict(e.town) ? 8 : 4;
    for (const m of [6, 12]) {
      pay(m, '城镇土地使用税', (area * landRate) / 2);
      pay(m, '房产税', ((area * 0.45 * 1500 * 0.7 * 0.012) / 2) * rng.logNormal(1, 0.05));
    }
  }
  if (e.sector.emits)
    for (const m of QUARTER_ENDS.filter((q) => q >= firstMonth))
      pay(m, '环境保护税', total * 0.01 * rng.logNormal(1, 0.3));
  if (e.sector.key === 'mining')
    for (const m of months) pay(m, '资源税', (total * 0.15) / months.length);
  if (e.sector.key === 'business' && rng.chance(0.1))
    pay(rng.pick(months), '土地增值税', total * rng.range(0.2, 0.6));
  return out;
}

export const PAYMENT_COLUMNS_2022 = [
  '税票号码',
  '纳税人识别号',
  '纳税人名称',
  '税款所属期',
  '税种',
  '实缴金额(元)',
];
export const PAYMENT_COLUMNS = [
  '税款所属期',
  '纳税人识别号',
  '纳税人名称',
  '税种',
  '实缴金额(元)',
  '征收机关',
  '税票号码',
  '入库日期',
];

const PAYMENT_PROFILE_2022: MessProfile = {
  dates: [['iso', 1]],
  months: [
    ['compact', 60],
    ['cn', 25],
    ['iso', 15],
  ],
  money: [
    ['plain', 40],
    ['grouped', 50],
    ['yen', 10],
  ],
  minusAfter: 0.5,
  stray: 0.02,
};
const PAYMENT_PROFILE: MessProfile = {
  dates: [
    ['iso', 70],
    ['slash', 15],
    ['compact', 15],
  ],
  months: [
    ['iso', 70],
    ['slash', 15],
    ['compact', 10],
    ['cn', 5],
  ],
  money: [
    ['plain', 55],
    ['grouped', 35],
    ['yen', 8],
    ['integer', 2],
  ],
  minusAfter: 0.2,
  stray: 0.01,
};

const OFFICES = [
  '国家税务总局汶上县税务局',
  '国家税务总局汶上县税务局第一税务分局',
  '国家税务总局汶上县税务局南站税务分局',
];

/**
 * Writes tax-payments-2022.csv (GB18030, CRLF, spec column order) and tax-payments.csv
 * (2023–2025, UTF-8, columns reordered, extra columns 征收机关 and 入库日期). Natural keys
 * (税票号码) are disjoint between the two files.
 */
export async function writePayments(
  county: County,
  land: LandPlan,
  outDir: string,
): Promise<ManifestFile[]> {
  const old = new CsvSink(path.join(outDir, 'tax-payments-2022.csv'), 'gb18030', '\r\n');
  const now = new CsvSink(path.join(outDir, 'tax-payments.csv'), 'utf-8');
  old.header(PAYMENT_COLUMNS_2022);
  now.header(PAYMENT_COLUMNS);
  const oldRecord = new FileRecord(
    'tax-payments-2022.csv',
    'tax-payments',
    'csv',
    'gb18030',
    PAYMENT_COLUMNS_2022,
    '2022 from the old tax system: GB18030 with CRLF; some payers under the legacy 15-character tax number (370830 + organisation code); negative amounts are refunds.',
  );
  const nowRecord = new FileRecord(
    'tax-payments.csv',
    'tax-payments',
    'csv',
    'utf-8',
    PAYMENT_COLUMNS,
    '2023–2025: columns reordered, extra columns 征收机关 and 入库日期; an enterprise may pay one tax type twice in a month.',
  );
  const oldMess = new Mess(rngFor(county.seed, 'payments-2022'), PAYMENT_PROFILE_2022);
  const nowMess = new Mess(rngFor(county.seed, 'payments'), PAYMENT_PROFILE);
  const defectRng = rngFor(county.seed, 'payments-defects');
  const oldDefects = new Defects(defectRng, DEFECT_RATE, [
    'bad-check',
    'bad-date',
    'empty-required',
  ]);
  const nowDefects = new Defects(defectRng, DEFECT_RATE, [
    'bad-check',
    'bad-date',
    'empty-required',
  ]);
  const receiptSeq = new Map<number, number>();
  const receipt = (year: number): string => {
    const n = (receiptSeq.get(year) ?? 0) + 1;
    receiptSeq.set(year, n);
    return `3370830${String(year % 100).padStart(2, '0')}${String(n).padStart(9, '0')}`;
  };

  const emit = (
    e: Enterprise | null,
    id: string,
    name: string,
    year: number,
    p: Payment,
    rng: Rng,
    defectsOn: boolean,
    unmatched: boolean,
  ): void => {
    const is2022 = year === 2022;
    const sink = is2022 ? old : now;
    const mess = is2022 ? oldMess : nowMess;
    const record = is2022 ? oldRecord : nowRecord;
    const cells = is2022
      ? [
          receipt(year),
          id,
          mess.text(name),
          mess.month(year, p.month),
          p.type,
          mess.money(p.amount),
        ]
      : [
          mess.month(year, p.month),
          id,
          mess.text(name),
          p.type,
          mess.money(p.amount),
          OFFICES[e ? e.idx % 3 : 0],
          receipt(year),
          mess.date(paidOn(year, p.month, rng)),
        ];
    let kind: InvalidKind | null = null;
    if (defectsOn) {
      const kinds: InvalidKind[] =
        id.length === 18
          ? ['bad-check', 'bad-date', 'empty-required']
          : ['bad-date', 'empty-required'];
      kind = (is2022 ? oldDefects : nowDefects).pick(kinds);
    }
    const idCol = 1;
    const monthCol = is2022 ? 3 : 0;
    const typeCol = is2022 ? 4 : 3;
    if (kind === 'bad-check') cells[idCol] = breakCheck(id, rng);
    if (kind === 'bad-date') cells[monthCol] = unparseableMonth(rng);
    if (kind === 'empty-required') cells[typeCol] = '';
    const row = sink.row(cells);
    if (kind)
      record.invalid(
        row,
        kind,
        kind === 'bad-check' ? '纳税人识别号' : kind === 'bad-date' ? '税款所属期' : '税种',
      );
    if (unmatched) record.unmatched(row, 'no-match', '纳税人识别号');
  };

  for (const e of county.enterprises) {
    const rng = rngFor(county.seed, 'tax', e.idx);
    const formerIn2022 = e.aliasNames.length > 0 && rng.chance(0.5);
    const bracketVariant = /[（(]/.test(e.name) && rng.chance(0.5);
    for (const year of YEARS) {
      const id = year === 2022 && e.legacyIn2022 ? e.legacyTaxNo : e.uscc;
      const name =
        year === 2022 && formerIn2022
          ? e.aliasNames[0]
          : bracketVariant
            ? otherBrackets(e.name)
            : e.name;
      for (const p of paymentsOf(e, year, land, rng))
        emit(e, id, name, year, p, rng, !e.role, false);
    }
    await old.drain();
    await now.drain();
  }

  // Payers the register does not know: a firm of the neighbouring county, and a legacy number
  // whose organisation code belongs to nobody here.
  const rng = rngFor(county.seed, 'tax-unregistered');
  const neighbour = usccFor(
    NEIGHBOUR_REGION_CODE,
    newOrgCode(rng, dayOf(2012, 1, 1), county.orgCodes),
  );
  const neighbourName = `嘉祥县${tradeName(rng, true)}石材有限公司`;
  for (const m of [3, 6, 9, 12])
    emit(
      null,
      neighbour,
      neighbourName,
      2023,
      { month: m, type: '增值税', amount: round2(rng.range(20_000, 90_000)) },
      rng,
      false,
      true,
    );
  const unknownLegacy = `370830${newOrgCode(rng, dayOf(2008, 1, 1), county.orgCodes)}`;
  const unknownName = `汶上县${tradeName(rng, true)}机械厂`;
  for (const m of [5, 11])
    emit(
      null,
      unknownLegacy,
      unknownName,
      2022,
      { month: m, type: '增值税', amount: round2(rng.range(5_000, 30_000)) },
      rng,
      false,
      true,
    );

  await old.close();
  await now.close();
  return [oldRecord.finish(old.rows), nowRecord.finish(now.rows)];
}

/** The day a payment reached the treasury: mid-month after its period. */
function paidOn(year: number, month: number, rng: Rng): Day {
  const y = month === 12 ? year + 1 : year;
  const m = month === 12 ? 1 : month + 1;
  return dayOf(y, m, Math.min(daysInMonth(y, m), rng.int(5, 20)));
}

export const ANNUAL_COLUMNS = [
  '纳税人识别号',
  '纳税人名称',
  '年度',
  '营业收入(元)',
  '软件业务收入(元)',
  '研发费用(元)',
  '年平均从业人数',
];
export const ANNUAL_CORRECTION_COLUMNS = [
  '年度',
  '纳税人名称',
  '纳税人识别号',
  '营业收入(元)',
  '研发费用(元)',
  '年平均从业人数',
  '软件业务收入(元)',
  '更正原因',
];

const ANNUAL_PROFILE: MessProfile = {
  dates: [['iso', 1]],
  months: [['iso', 1]],
  money: [
    ['plain', 50],
    ['grouped', 40],
    ['yen', 5],
    ['integer', 5],
  ],
  minusAfter: 0,
  stray: 0.02,
};

const money = (mess: Mess, v: number | null, zeroAsEmpty: boolean): string =>
  v === null || (v === 0 && zeroAsEmpty) ? '' : mess.money(v);

/**
 * Writes tax-annual.csv (UTF-8 with BOM) with one row per enterprise and year it operated, and
 * tax-annual-correction.csv: later corrections of a few returns (same natural keys, new values).
 */
export async function writeAnnual(county: County, outDir: string): Promise<ManifestFile[]> {
  const sink = new CsvSink(path.join(outDir, 'tax-annual.csv'), 'utf-8-bom');
  sink.header(ANNUAL_COLUMNS);
  const record = new FileRecord(
    'tax-annual.csv',
    'tax-annual',
    'csv',
    'utf-8-bom',
    ANNUAL_COLUMNS,
    'UTF-8 with BOM; 软件业务收入 and 研发费用 often empty; a few returns under the legacy 15-character number.',
  );
  const mess = new Mess(rngFor(county.seed, 'annual'), ANNUAL_PROFILE);
  const defects = new Defects(rngFor(county.seed, 'annual-defects'), DEFECT_RATE, [
    'bad-check',
    'empty-required',
  ]);
  const corrections: Array<{ e: Enterprise; year: number }> = [];
  for (const e of county.enterprises) {
    const rng = rngFor(county.seed, 'annual', e.idx);
    YEARS.forEach((year, t) => {
      const revenue = e.revenue[t];
      if (revenue === null) return;
      const legacy =
        e.spec?.legacyTaxYears?.includes(year) ||
        (!e.role && year === 2022 && e.legacyIn2022 && rng.chance(0.3));
      const id = legacy ? e.legacyTaxNo : e.uscc;
      const name =
        e.aliasNames.length && year === 2022 && rng.chance(0.3) ? e.aliasNames[0] : e.name;
      const software = e.software[t];
      const cells = [
        id,
        mess.text(name),
        String(year),
        mess.money(revenue),
        software === null ? (rng.chance(0.1) ? '0.00' : '') : mess.money(software),
        money(mess, e.rd[t], true),
        String(e.employees[t] ?? ''),
      ];
      const kind = e.role
        ? null
        : defects.pick(legacy ? ['empty-required'] : ['bad-check', 'empty-required']);
      if (kind === 'bad-check') cells[0] = breakCheck(id, rng);
      if (kind === 'empty-required') cells[2] = '';
      const row = sink.row(cells);
      if (kind) record.invalid(row, kind, kind === 'bad-check' ? '纳税人识别号' : '年度');
      else if (!e.role && !legacy && year >= 2023 && rng.chance(0.006))
        corrections.push({ e, year });
    });
    await sink.drain();
  }
  await sink.close();

  const fix = new CsvSink(path.join(outDir, 'tax-annual-correction.csv'), 'utf-8');
  fix.header(ANNUAL_CORRECTION_COLUMNS);
  const fixRecord = new FileRecord(
    'tax-annual-correction.csv',
    'tax-annual',
    'csv',
    'utf-8',
    ANNUAL_CORRECTION_COLUMNS,
    'corrected returns resent later: the same (纳税人识别号, 年度) as rows of tax-annual.csv with new figures; load after it. Columns reordered, extra column 更正原因.',
    'tax-annual.csv',
  );
  const fixMess = new Mess(rngFor(county.seed, 'annual-correction'), ANNUAL_PROFILE);
  for (const { e, year } of corrections) {
    const rng = rngFor(county.seed, 'annual-correction', e.idx, year);
    const t = year - YEARS[0];
    const revenue = round2(e.revenue[t]! * rng.range(0.96, 1.04));
    const employees = Math.max(3, (e.employees[t] ?? 3) + rng.int(-5, 5));
    fix.row([
      String(year),
      fixMess.text(e.name),
      e.uscc,
      fixMess.money(revenue),
      money(fixMess, e.rd[t], true),
      String(employees),
      e.software[t] === null ? '' : fixMess.money(e.software[t]!),
      rng.pick(['汇算清缴更正申报', '数据核对更正', '补充申报']),
    ]);
  }
  await fix.close();
  return [record.finish(sink.rows), fixRecord.finish(fix.rows)];
}
