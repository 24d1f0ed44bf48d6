/**
 * 供电公司 file: monthly consumption per electricity account (power). Industrial firms hold one
 * to three accounts; about a third of the accounts carry no USCC and are linked by 户名 alone,
 * which is sometimes a former name or written with the other kind of brackets.
 */
import path from 'node:path';
import { civil, dayOf } from './calendar.js';
import { YEARS } from './county.js';
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
import { Mess, type MessProfile, unparseableMonth } from './messy.js';
import { otherBrackets, tradeName } from './names.js';
import { type Rng, rngFor, unitHash } from './random.js';
import { CsvSink } from './writers.js';

export interface PowerAccount {
  /** 用电户号 */
  accountNo: string;
  /** the enterprise whose consumption it is (null: a firm the register does not know) */
  ent: Enterprise | null;
  /** 户名 */
  name: string;
  /** 统一社会信用代码 as delivered; '' when the account is linked by name */
  uscc: string;
  /** kWh per year of YEARS (null: no readings that year) */
  annualKwh: Array<number | null>;
  /** first and last month with readings, as indexes from 2022-01 */
  fromMonth: number;
  toMonth: number;
  unmatched?: UnmatchedKind;
}

/** Consumption through the year: the Spring Festival dip, summer cooling, winter heating. */
const POWER_SEASON = [1.0, 0.72, 1.02, 1.0, 1.0, 1.05, 1.12, 1.12, 1.02, 1.0, 1.0, 0.95];
const MONTH_COUNT = YEARS.length * 12;

export const accountNumber = (k: number): string =>
  `37${String((k * 7_919_773 + 40_213_587) % 100_000_000).padStart(8, '0')}`;

function monthIndex(day: number): number {
  const [y, m] = civil(day);
  return (y - YEARS[0]) * 12 + (m - 1);
}

/** 户名 of a name-only account: the registered name, a former name, or the other brackets. */
function nameOnlyName(e: Enterprise, r: Rng): string {
  const x = r.next();
  if (e.aliasNames.length && x < 0.3) return r.pick(e.aliasNames);
  if (/[（(]/.test(e.name) && x < 0.65) return otherBrackets(e.name);
  return e.name;
}

/**
 * Plans the accounts of every industrial enterprise with readings in 2022–2025, the scenario
 * accounts of scenarios.ts, and three accounts of firms the register does not know.
 * `nameOnlyShare` is the share of accounts delivered without a USCC.
 */
export function planPower(county: County, nameOnlyShare = 1 / 3): PowerAccount[] {
  const accounts: PowerAccount[] = [];
  const add = (a: Omit<PowerAccount, 'accountNo'>): PowerAccount => {
    const account = { accountNo: accountNumber(accounts.length), ...a };
    accounts.push(account);
    return account;
  };
  const span = (e: Enterprise): { fromMonth: number; toMonth: number } => ({
    fromMonth: Math.max(0, monthIndex(e.established)),
    toMonth: Math.min(
      MONTH_COUNT - 1,
      (Math.min(e.lastYear, YEARS[YEARS.length - 1]) - YEARS[0]) * 12 + 11,
    ),
  });
  for (const e of county.enterprises) {
    if (
      !e.sector.industrial ||
      e.lastYear < YEARS[0] ||
      e.established > dayOf(YEARS[YEARS.length - 1], 12, 1)
    )
      continue;
    const r = rngFor(county.seed, 'power-accounts', e.idx);
    const n = r.weighted([
      [1, 65],
      [2, 25],
      [3, 10],
    ]);
    const factor = r.logNormal(1, 0.35);
    const main = n === 1 ? 1 : r.range(0.6, 0.8);
    for (let k = 0; k < n; k++) {
      const share = k === 0 ? main : (1 - main) / (n - 1);
      const nameOnly = r.chance(nameOnlyShare);
      add({
        ent: e,
        name: nameOnly
          ? nameOnlyName(e, r)
          : r.chance(0.9) || !e.aliasNames.length
            ? e.name
            : e.aliasNames[0],
        uscc: nameOnly ? '' : e.uscc,
        annualKwh: e.revenue.map((rev) =>
          rev === null ? null : rev * e.sector.kwhPerYuan * factor * share,
        ),
        ...span(e),
      });
    }
  }
  const scenarioAccount = (
    role: string,
    name: (e: Enterprise) => string,
    unmatched?: UnmatchedKind,
  ): void => {
    const e = county.byRole.get(role);
    if (!e) return;
    add({
      ent: e,
      name: name(e),
      uscc: '',
      ...span(e),
      ...(unmatched ? { unmatched } : {}),
      annualKwh: e.revenue.map((rev) => (rev === null ? null : Math.max(rev, 2e6) * 0.02)),
    });
  };
  scenarioAccount('name-ambiguous-former-1', (e) => e.formerNames[0], 'ambiguous');
  scenarioAccount('name-current-wins', (e) => e.name);
  scenarioAccount('name-former-only', (e) => e.formerNames[1]);
  scenarioAccount('name-brackets', (e) => otherBrackets(e.name));
  if (county.byRole.size) {
    const r = rngFor(county.seed, 'power-unregistered');
    for (const name of [
      `嘉祥县${tradeName(r, true)}石材有限公司`,
      `汶上县${tradeName(r, true)}${r.pick(['机械', '纺织', '食品'])}加工厂`,
      `济宁${tradeName(r, true)}新能源科技有限公司汶上分公司`,
    ]) {
      const kwh = r.range(60_000, 900_000);
      add({
        ent: null,
        name,
        uscc: '',
        annualKwh: YEARS.map(() => kwh),
        fromMonth: 0,
        toMonth: MONTH_COUNT - 1,
        unmatched: 'no-match',
      });
    }
  }
  return accounts;
}

export const POWER_COLUMNS = ['用电户号', '户名', '统一社会信用代码', '抄表年月', '用电量(千瓦时)'];
export const POWER_COLUMNS_2025 = [
  '抄表年月',
  '用电户号',
  '户名',
  '用电量(千瓦时)',
  '统一社会信用代码',
  '供电单位',
];

const POWER_PROFILE: MessProfile = {
  dates: [['iso', 1]],
  months: [
    ['iso', 55],
    ['compact', 25],
    ['slash', 12],
    ['cn', 8],
  ],
  money: [['plain', 1]],
  minusAfter: 0,
  stray: 0.01,
};

/** Number of months of readings of an account in a year (for spreading its annual kWh). */
function monthsIn(a: PowerAccount, t: number): number {
  const first = Math.max(a.fromMonth, t * 12);
  const last = Math.min(a.toMonth, t * 12 + 11);
  return Math.max(0, last - first + 1);
}

/** One month's reading in kWh (whole kWh), from a hash so months need no shared stream. */
function monthlyKwh(
  seed: number,
  a: PowerAccount,
  accountIndex: number,
  monthIdx: number,
): number | null {
  if (monthIdx < a.fromMonth || monthIdx > a.toMonth) return null;
  const t = Math.floor(monthIdx / 12);
  const annual = a.annualKwh[Math.min(t, a.annualKwh.length - 1)];
  if (annual === null) return null;
  const noise =
    1 +
    0.2 *
      (unitHash(seed, accountIndex, monthIdx, 1) + unitHash(seed, accountIndex, monthIdx, 2) - 1);
  return Math.max(
    0,
    Math.round(
      (annual / monthsIn(a, Math.min(t, YEARS.length - 1))) * POWER_SEASON[monthIdx % 12] * noise,
    ),
  );
}

export interface PowerFileSpec {
  file: string;
  /** month indexes (from 2022-01) covered by the file */
  fromMonth: number;
  toMonth: number;
  layout: 'spec' | '2025';
  encoding: 'utf-8' | 'utf-8-bom';
  note: string;
}

/**
 * Writes readings month by month (as the power company exports them), each month every
 * account in account order.
 */
export async function writePowerFile(
  seed: number,
  accounts: PowerAccount[],
  outDir: string,
  spec: PowerFileSpec,
  defectRate = DEFECT_RATE,
): Promise<ManifestFile> {
  const columns = spec.layout === 'spec' ? POWER_COLUMNS : POWER_COLUMNS_2025;
  const record = new FileRecord(spec.file, 'power', 'csv', spec.encoding, columns, spec.note);
  const sink = new CsvSink(path.join(outDir, spec.file), spec.encoding);
  sink.header(columns);
  const mess = new Mess(rngFor(seed, 'power-file', spec.file), POWER_PROFILE);
  const defectRng = rngFor(seed, 'power-defects', spec.file);
  const defects = new Defects(defectRng, defectRate, ['bad-check', 'bad-date', 'empty-required']);
  const withId: InvalidKind[] = ['bad-check', 'bad-date', 'empty-required'];
  const withoutId: InvalidKind[] = ['bad-date', 'empty-required'];
  for (let mi = spec.fromMonth; mi <= spec.toMonth; mi++) {
    const year = YEARS[0] + Math.floor(mi / 12);
    const month = (mi % 12) + 1;
    for (let k = 0; k < accounts.length; k++) {
      const a = accounts[k];
      const kwh = monthlyKwh(seed, a, k, mi);
      if (kwh === null) continue;
      let monthCell = mess.month(year, month);
      let kwhCell = String(kwh);
      let usccCell = a.uscc;
      const kind =
        a.unmatched || a.ent?.role || defectRate === 0
          ? null
          : defects.pick(a.uscc ? withId : withoutId);
      if (kind === 'bad-check') usccCell = breakCheck(a.uscc, defectRng);
      if (kind === 'bad-date') monthCell = unparseableMonth(defectRng);
      if (kind === 'empty-required') kwhCell = '';
      const name = mess.text(a.name);
      const row =
        spec.layout === 'spec'
          ? sink.row([a.accountNo, name, usccCell, monthCell, kwhCell])
          : sink.row([monthCell, a.accountNo, name, kwhCell, usccCell, '国网汶上县供电公司']);
      if (kind)
        record.invalid(
          row,
          kind,
          kind === 'bad-check'
            ? '统一社会信用代码'
            : kind === 'bad-date'
              ? '抄表年月'
              : '用电量(千瓦时)',
        );
      if (a.unmatched) record.unmatched(row, a.unmatched, '户名');
      if ((k & 1023) === 0) await sink.drain();
    }
    await sink.drain();
  }
  await sink.close();
  return record.finish(sink.rows);
}

/** The demo's two power files: 2022–2024 in the spec's layout, 2025 reordered with an extra column. */
export async function writePower(
  county: County,
  accounts: PowerAccount[],
  outDir: string,
): Promise<ManifestFile[]> {
  return [
    await writePowerFile(county.seed, accounts, outDir, {
      file: 'power.csv',
      fromMonth: 0,
      toMonth: 35,
      layout: 'spec',
      encoding: 'utf-8',
      note: '2022-01 to 2024-12; about a third of the accounts without USCC (linked by 户名); months in four formats.',
    }),
    await writePowerFile(county.seed, accounts, outDir, {
      file: 'power-2025.csv',
      fromMonth: 36,
      toMonth: 47,
      layout: '2025',
      encoding: 'utf-8-bom',
      note: '2025-01 to 2025-12; UTF-8 with BOM, columns reordered, an extra column 供电单位.',
    }),
  ];
}
