/**
 * 自然资源和规划局 files: registered land-use rights (land-parcels, xlsx) and filed leases
 * (land-leases, GB18030). Industrial firms mostly hold 3–300 亩 of 工业用地; a few parcels
 * change holder (the same 不动产单元号 again, the earlier row closed the day before), and some
 * firms without land lease part of another's parcel.
 */
import path from 'node:path';
import { squareMetresFromMu } from '../lib/units.js';
import { addYears, civil, type Day, dayOf, parseIso, yearOf } from './calendar.js';
import { isSubDistrict, ROADS, TOWNS } from './county.js';
import { type County, type Enterprise, operatesIn } from './enterprises.js';
import {
  breakCheck,
  DEFECT_RATE,
  Defects,
  FileRecord,
  type ManifestFile,
  type UnmatchedKind,
} from './manifest.js';
import { formatMoney, Mess, type MessProfile, unparseableDate } from './messy.js';
import { otherBrackets, tradeName } from './names.js';
import { type Rng, rngFor } from './random.js';
import { CsvSink, type XlsxCell, XlsxSink } from './writers.js';

export interface Parcel {
  /** 不动产单元号 */
  unitNo: string;
  holder: Enterprise;
  holderName: string;
  /** 权利人证件号 as delivered ('' when the register has none) */
  holderId: string;
  registered: Day;
  cancelled: Day | null;
  areaM2: number;
  town: string;
  location: string;
  use: string;
  right: string;
  certificateNo: string;
}

export interface Lease {
  filingNo: string;
  lessor: Enterprise;
  lessorName: string;
  lessorId: string;
  lessee: Enterprise | null;
  lesseeName: string;
  lesseeId: string;
  unitNo: string;
  areaM2: number;
  start: Day;
  end: Day;
  unmatched?: UnmatchedKind;
}

export interface LandPlan {
  /** rows of land-parcels in file order */
  parcels: Parcel[];
  /** parcels by holder (enterprise idx) */
  heldBy: Map<number, Parcel[]>;
  leases: Lease[];
}

const round2 = (v: number): number => Math.round(v * 100) / 100;
const LAST_REGISTRATION = parseIso('2025-10-31');

/** The name and identifier another department shows for an enterprise. */
function shownAs(e: Enterprise, rng: Rng, nameOnlyShare: number): { name: string; id: string } {
  const nameOnly = rng.chance(nameOnlyShare);
  let name = e.name;
  const r = rng.next();
  if (e.aliasNames.length && r < (nameOnly ? 0.25 : 0.1)) name = rng.pick(e.aliasNames);
  else if (/[（(]/.test(e.name) && r < 0.6) name = otherBrackets(e.name);
  return { name, id: nameOnly ? '' : e.uscc };
}

function location(rng: Rng, town: string): string {
  if (isSubDistrict(town))
    return `汶上县${rng.chance(0.5) ? '经济开发区' : town}${rng.pick(ROADS)}${rng.pick(['东侧', '西侧', '南侧', '北侧'])}、${rng.pick(ROADS)}${rng.pick(['东侧', '西侧', '南侧', '北侧'])}`;
  return `汶上县${town}${rng.pick(['工业园', '驻地', '创业园'])}${rng.pick(ROADS)}${rng.int(1, 300)}号`;
}

/** Plans every parcel and lease of the county. */
export function planLand(county: County): LandPlan {
  const rng = rngFor(county.seed, 'land');
  const unitSeq = new Map<string, number>();
  let certSeq = 0;
  const parcels: Parcel[] = [];
  const heldBy = new Map<number, Parcel[]>();
  const { enterprises } = county;

  const newParcel = (
    holder: Enterprise,
    r: Rng,
    town: string,
    areaM2: number,
    use: string,
    registered: Day,
    cancelled: Day | null,
    unitNo?: string,
  ): Parcel => {
    if (!unitNo) {
      const townNo = String(TOWNS.indexOf(town as (typeof TOWNS)[number]) + 1).padStart(3, '0');
      const zone = String(r.int(1, 9)).padStart(3, '0');
      const key = townNo + zone;
      const n = (unitSeq.get(key) ?? 0) + 1;
      unitSeq.set(key, n);
      unitNo = `370830${key}GB${String(n).padStart(5, '0')}W00000000`;
    }
    const shown = shownAs(holder, r, 0.15);
    const parcel: Parcel = {
      unitNo,
      holder,
      holderName: shown.name,
      holderId: shown.id,
      registered,
      cancelled,
      areaM2,
      town,
      location: location(r, town),
      use,
      right: r.weighted([
        ['出让', 85],
        ['划拨', 10],
        ['作价出资(入股)', 5],
      ]),
      certificateNo: `鲁(${yearOf(registered)})汶上县不动产权第${String((++certSeq * 37) % 10_000_000).padStart(7, '0')}号`,
    };
    parcels.push(parcel);
    const list = heldBy.get(holder.idx) ?? [];
    list.push(parcel);
    heldBy.set(holder.idx, list);
    return parcel;
  };

  const scenarioTransfer = county.byRole.get('land-transfer-from');
  for (const e of enterprises) {
    const r = rngFor(county.seed, 'parcels', e.idx);
    if (e.role === 'land-transfer-from' || e.role === 'land-transfer-to') continue;
    if (e.spec?.landMu !== undefined) {
      // a revitalization scenario: one parcel of its own, held from its first year and never cancelled
      const own = newParcel(
        e,
        r,
        e.town,
        round2(squareMetresFromMu(e.spec.landMu)),
        '工业用地',
        Math.max(e.established + 30, dayOf(1998, 1, 1)),
        null,
      );
      own.holderName = e.name;
      own.holderId = e.uscc;
      continue;
    }
    let count = 0;
    if (e.sector.industrial)
      count = r.chance(0.75)
        ? r.weighted([
            [1, 80],
            [2, 17],
            [3, 3],
          ])
        : 0;
    else count = r.chance(0.12) ? 1 : 0;
    const maxRevenue = Math.max(1e6, ...e.revenue.map((v) => v ?? 0));
    for (let k = 0; k < count; k++) {
      const mu = e.sector.industrial
        ? Math.min(300, Math.max(3, r.logNormal(15 * Math.sqrt(maxRevenue / 1.5e7), 0.5)))
        : r.range(0.8, 10);
      const areaM2 = round2(squareMetresFromMu(mu) * r.range(0.995, 1.005));
      const use = e.sector.industrial
        ? r.chance(0.9)
          ? '工业用地'
          : '仓储用地'
        : e.sector.key === 'logistics'
          ? '仓储用地'
          : '商服用地';
      const town = r.chance(0.8) ? e.town : r.pick(TOWNS);
      let registered = Math.max(e.established + r.int(0, 720), dayOf(1998, 1, 1) + r.int(0, 3000));
      if (registered > LAST_REGISTRATION) {
        if (e.established > LAST_REGISTRATION) continue;
        registered = e.established + r.int(0, LAST_REGISTRATION - e.established);
      }
      let cancelled: Day | null = null;
      if (!e.active && r.chance(0.5))
        cancelled = Math.max(
          registered + 1,
          dayOf(Math.min(e.lastYear + 1, 2025), r.int(1, 12), r.int(1, 28)),
        );
      // Now and then the parcel came from another firm: same unit, that firm's right closed the day before.
      if (r.chance(0.04) && e.established < parseIso('2024-06-30')) {
        const transfer = r.chance(0.25)
          ? dayOf(r.int(Math.max(2023, yearOf(e.established) + 1), 2025), 1, 1)
          : r.int(Math.max(e.established, parseIso('2022-01-01')), parseIso('2025-06-30'));
        const previous = enterprises[r.int(0, enterprises.length - 1)];
        if (previous !== e && !previous.role && previous.established < transfer - 365) {
          const first = newParcel(
            previous,
            r,
            town,
            areaM2,
            use,
            Math.max(previous.established, transfer - r.int(700, 5000)),
            transfer - 1,
          );
          registered = transfer;
          newParcel(
            e,
            r,
            town,
            areaM2,
            use,
            registered,
            cancelled && cancelled > registered ? cancelled : null,
            first.unitNo,
          );
          continue;
        }
      }
      newParcel(e, r, town, areaM2, use, registered, cancelled);
    }
  }
  if (scenarioTransfer) {
    const to = county.byRole.get('land-transfer-to')!;
    const r = rngFor(county.seed, 'land-transfer');
    const area = round2(squareMetresFromMu(48));
    const first = newParcel(
      scenarioTransfer,
      r,
      scenarioTransfer.town,
      area,
      '工业用地',
      parseIso('2008-05-20'),
      parseIso('2023-12-31'),
    );
    first.holderName = scenarioTransfer.name;
    first.holderId = scenarioTransfer.uscc;
    const second = newParcel(
      to,
      r,
      scenarioTransfer.town,
      area,
      '工业用地',
      parseIso('2024-01-01'),
      null,
      first.unitNo,
    );
    second.holderName = to.name;
    second.holderId = to.uscc;
  }
  return { parcels, heldBy, leases: planLeases(county, rng, parcels) };
}

function planLeases(county: County, rng: Rng, parcels: Parcel[]): Lease[] {
  const available = parcels.filter(
    (p) => p.use === '工业用地' && p.cancelled === null && p.holder.active && !p.holder.role,
  );
  const leasedShare = new Map<Parcel, number>();
  const leases: Lease[] = [];
  const seq = new Map<number, number>();
  const filingNo = (start: Day): string => {
    const y = yearOf(start);
    const n = (seq.get(y) ?? 0) + 1;
    seq.set(y, n);
    return `汶租备〔${y}〕${String(n).padStart(4, '0')}号`;
  };
  if (!available.length) return leases;
  const { enterprises } = county;
  for (const e of enterprises) {
    const r = rngFor(county.seed, 'lease', e.idx);
    if (!e.sector.industrial || e.role || !e.active || !r.chance(0.07)) continue;
    if (!operatesIn(e, 2025) || e.established > parseIso('2025-06-30')) continue;
    const parcel = r.pick(available);
    if (parcel.holder === e) continue;
    const share = r.range(0.1, 0.45);
    const used = leasedShare.get(parcel) ?? 0;
    if (used + share > 0.8) continue;
    leasedShare.set(parcel, used + share);
    const from = Math.max(e.established, parcel.registered, parseIso('2019-01-01'));
    let start = r.int(from, Math.max(from, parseIso('2025-09-30')));
    if (r.chance(0.2)) start = dayOf(Math.max(yearOf(start), yearOf(from) + 1), 1, 1);
    let end = addYears(start, r.int(1, 5)) - 1;
    if (r.chance(0.15)) end = dayOf(yearOf(end), 12, 31);
    const lessor = shownAs(parcel.holder, r, 0.2);
    const lessee = shownAs(e, r, 0.2);
    const unregistered = r.chance(0.03);
    leases.push({
      filingNo: filingNo(start),
      lessor: parcel.holder,
      lessorName: lessor.name,
      lessorId: lessor.id,
      lessee: unregistered ? null : e,
      lesseeName: unregistered
        ? `济宁${tradeName(r, true)}${r.pick(e.sector.words)}有限公司`
        : lessee.name,
      lesseeId: unregistered ? '' : lessee.id,
      unitNo: parcel.unitNo,
      areaM2: round2(parcel.areaM2 * share),
      start,
      end,
      ...(unregistered ? { unmatched: 'no-match' as const } : {}),
    });
  }
  // A lease to a firm known only by a former name two enterprises share: ambiguous.
  const shared = county.byRole.get('name-ambiguous-former-1');
  if (shared) {
    const parcel = available[rng.int(0, available.length - 1)];
    const start = parseIso('2024-03-01');
    leases.push({
      filingNo: filingNo(start),
      lessor: parcel.holder,
      lessorName: parcel.holder.name,
      lessorId: parcel.holder.uscc,
      lessee: null,
      lesseeName: shared.formerNames[0],
      lesseeId: '',
      unitNo: parcel.unitNo,
      areaM2: round2(Math.min(parcel.areaM2 * 0.1, 2000)),
      start,
      end: addYears(start, 3) - 1,
      unmatched: 'ambiguous',
    });
  }
  return leases;
}

export const PARCEL_COLUMNS = [
  '不动产单元号',
  '权利人',
  '权利人证件号',
  '不动产权证号',
  '坐落',
  '所属乡镇',
  '用途',
  '权利性质',
  '宗地面积(平方米)',
  '登记日期',
  '注销日期',
];

const PARCEL_PROFILE: MessProfile = {
  dates: [
    ['iso', 50],
    ['slash', 20],
    ['cn', 20],
    ['compact', 10],
  ],
  months: [['iso', 1]],
  money: [['grouped', 1]],
  minusAfter: 0,
  stray: 0.015,
};

const utcDate = (day: Day): Date => {
  const [y, m, d] = civil(day);
  return new Date(Date.UTC(y, m - 1, d));
};

/** Writes land-parcels.xlsx: dates as real Excel dates or as text, areas as numbers or text. */
export async function writeParcels(
  county: County,
  plan: LandPlan,
  outDir: string,
  file = 'land-parcels.xlsx',
): Promise<ManifestFile> {
  const record = new FileRecord(
    file,
    'land-parcels',
    'xlsx',
    null,
    PARCEL_COLUMNS,
    'xlsx (first sheet). Dates are Excel date cells or text in the four formats; areas numbers or text with separators; an extra column 不动产权证号.',
  );
  const sink = new XlsxSink(path.join(outDir, file), '不动产登记');
  sink.header(PARCEL_COLUMNS);
  const rng = rngFor(county.seed, 'parcels-file');
  const mess = new Mess(rng, PARCEL_PROFILE);
  const defects = new Defects(rngFor(county.seed, 'parcels-defects'), DEFECT_RATE, [
    'bad-check',
    'bad-date',
    'empty-required',
  ]);
  const date = (day: Day | null): XlsxCell =>
    day === null ? null : rng.chance(0.5) ? utcDate(day) : mess.date(day);
  for (const p of plan.parcels) {
    const cells: XlsxCell[] = [
      p.unitNo,
      mess.text(p.holderName),
      p.holderId,
      p.certificateNo,
      p.location,
      p.town,
      p.use,
      p.right,
      rng.chance(0.85) ? p.areaM2 : formatMoney(p.areaM2, 'grouped'),
      date(p.registered),
      date(p.cancelled),
    ];
    const kind = p.holder.role
      ? null
      : defects.pick(
          p.holderId ? ['bad-check', 'bad-date', 'empty-required'] : ['bad-date', 'empty-required'],
        );
    if (kind === 'bad-check') cells[2] = breakCheck(p.holderId, rng);
    if (kind === 'bad-date') cells[9] = unparseableDate(rng);
    if (kind === 'empty-required') cells[8] = null;
    const row = sink.row(cells);
    if (kind)
      record.invalid(
        row,
        kind,
        kind === 'bad-check'
          ? '权利人证件号'
          : kind === 'bad-date'
            ? '登记日期'
            : '宗地面积(平方米)',
      );
    await sink.drain();
  }
  await sink.close();
  return record.finish(sink.rows);
}

export const LEASE_COLUMNS = [
  '备案编号',
  '出租方',
  '出租方证件号',
  '承租方',
  '承租方证件号',
  '不动产单元号',
  '租赁面积(平方米)',
  '起始日期',
  '终止日期',
];

const LEASE_PROFILE: MessProfile = {
  dates: [
    ['cn', 60],
    ['iso', 20],
    ['slash', 15],
    ['compact', 5],
  ],
  months: [['iso', 1]],
  money: [
    ['plain', 60],
    ['grouped', 40],
  ],
  minusAfter: 0,
  stray: 0.03,
};

/** Writes land-leases.csv in GB18030 with CRLF line ends, as the older filing system exports. */
export async function writeLeases(
  county: County,
  plan: LandPlan,
  outDir: string,
  file = 'land-leases.csv',
): Promise<ManifestFile> {
  const record = new FileRecord(
    file,
    'land-leases',
    'csv',
    'gb18030',
    LEASE_COLUMNS,
    'GB18030 with CRLF; some parties by name only, one lessee ambiguous, a few lessees unregistered.',
  );
  const sink = new CsvSink(path.join(outDir, file), 'gb18030', '\r\n');
  sink.header(LEASE_COLUMNS);
  const rng = rngFor(county.seed, 'leases-file');
  const mess = new Mess(rng, LEASE_PROFILE);
  const defects = new Defects(rngFor(county.seed, 'leases-defects'), DEFECT_RATE * 3, [
    'bad-check',
    'bad-date',
    'empty-required',
  ]);
  for (const l of plan.leases) {
    const cells = [
      l.filingNo,
      mess.text(l.lessorName),
      l.lessorId,
      mess.text(l.lesseeName),
      l.lesseeId,
      l.unitNo,
      mess.money(l.areaM2),
      mess.date(l.start),
      mess.date(l.end),
    ];
    const kind = l.unmatched
      ? null
      : defects.pick(
          l.lessorId ? ['bad-check', 'bad-date', 'empty-required'] : ['bad-date', 'empty-required'],
        );
    if (kind === 'bad-check') cells[2] = breakCheck(l.lessorId, rng);
    if (kind === 'bad-date') cells[7] = unparseableDate(rng);
    if (kind === 'empty-required') cells[6] = '';
    const row = sink.row(cells);
    if (kind)
      record.invalid(
        row,
        kind,
        kind === 'bad-check'
          ? '出租方证件号'
          : kind === 'bad-date'
            ? '起始日期'
            : '租赁面积(平方米)',
      );
    if (l.unmatched) record.unmatched(row, l.unmatched, '承租方');
    await sink.drain();
  }
  await sink.close();
  return record.finish(sink.rows);
}

/** m² of land an enterprise holds on a day (parcels only, leases aside). */
export function heldAreaOn(plan: LandPlan, e: Enterprise, day: Day): number {
  let area = 0;
  for (const p of plan.heldBy.get(e.idx) ?? [])
    if (p.registered <= day && (p.cancelled === null || p.cancelled >= day)) area += p.areaM2;
  return area;
}
