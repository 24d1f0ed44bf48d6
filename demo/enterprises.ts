/**
 * The synthetic county's enterprises: identity (USCC, names, former names), register facts
 * and yearly figures (营业收入, 软件业务收入, 研发费用, 年平均从业人数) for 2022–2025. Every
 * department file is written from this one model, so the departments agree with each other
 * the way real ones roughly do.
 */

import { USCC_ALPHABET, usccCheckChar } from '../connectors/common/uscc.js';
import { type Day, dayOf, parseIso, yearOf } from './calendar.js';
import {
  isActiveStatus,
  isSubDistrict,
  LEGAL_FORMS,
  REGION_CODE,
  ROADS,
  SECTORS,
  type Sector,
  STATUS_WEIGHTS,
  type Status,
  sectorByKey,
  TOWN_WEIGHTS,
  YEARS,
} from './county.js';
import { NameRegistry, otherBrackets, personName, tradeName } from './names.js';
import { type Rng, rngFor } from './random.js';
import { SCENARIOS, type ScenarioSpec } from './scenarios.js';

export interface Enterprise {
  /** position in the register file (0-based) */
  idx: number;
  /** 统一社会信用代码 */
  uscc: string;
  /** 组织机构代码: characters 9–17 of the USCC */
  orgCode: string;
  /** 旧税务登记号: region code + organisation code (15 characters) */
  legacyTaxNo: string;
  /** 企业名称 as registered */
  name: string;
  /** 曾用名 */
  formerNames: string[];
  formerSeparator: ';' | '；';
  /** names other departments may still use in name-only records (former names nobody else has) */
  aliasNames: string[];
  legalRep: string;
  legalForm: string;
  /** 注册资本 in 万元 */
  capitalWan: number;
  established: Day;
  status: Status;
  active: boolean;
  /** last calendar year with business activity (returns, payments, meter readings) */
  lastYear: number;
  address: string;
  town: string;
  sector: Sector;
  /** 行业代码, e.g. C3670 */
  industryCode: string;
  /** per year of YEARS; null when there is no annual return */
  revenue: Array<number | null>;
  software: Array<number | null>;
  rd: Array<number | null>;
  employees: Array<number | null>;
  /** the scenario this enterprise plays, if any (scenarios.ts) */
  role: string | null;
  spec: ScenarioSpec | null;
  /** pays its 2022 taxes under the legacy 15-character number (old tax system) */
  legacyIn2022: boolean;
}

export interface County {
  seed: number;
  enterprises: Enterprise[];
  byRole: Map<string, Enterprise>;
  names: NameRegistry;
  /** organisation codes in use (so that invented codes of unregistered firms never collide) */
  orgCodes: Set<string>;
}

export interface CountyOptions {
  /** place the scenario enterprises (default true; needs at least MIN_ENTERPRISES) */
  scenarios?: boolean;
  /** only industrial (B, C, D) firms, as for the power benchmark */
  industrialOnly?: boolean;
}

/** Operates in year y: established by its end and not yet wound up. */
export const operatesIn = (e: Enterprise, year: number): boolean =>
  e.established <= dayOf(year, 12, 31) && year <= e.lastYear;

const ORG_ALPHABET = USCC_ALPHABET.replace(/[A-Z]/g, (c) => ('IOSVZ'.includes(c) ? '' : c));
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** The GB 11714 check character of an 8-character organisation code body. */
export function orgCodeCheck(body: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = body.charCodeAt(i);
    const v = c <= 57 ? c - 48 : c - 55;
    sum += v * ORG_WEIGHTS[i];
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/**
 * A new organisation code: numeric for firms registered before the 2015 reform, `MA…` after.
 * Unique within `taken`.
 */
export function newOrgCode(rng: Rng, established: Day, taken: Set<string>): string {
  for (;;) {
    let body: string;
    if (established >= dayOf(2015, 10, 1)) {
      body = 'MA';
      for (let i = 0; i < 6; i++) body += rng.pick(ORG_ALPHABET);
    } else {
      body = String(rng.int(1, 7));
      for (let i = 0; i < 7; i++) body += String(rng.int(0, 9));
    }
    const code = body + orgCodeCheck(body);
    if (!taken.has(code)) {
      taken.add(code);
      return code;
    }
  }
}

/** A valid USCC: 9 (registered by market regulation) 1 (enterprise), region, organisation code, check. */
export function usccFor(region: string, orgCode: string): string {
  const first17 = `91${region}${orgCode}`;
  return first17 + usccCheckChar(first17)!;
}

const ESTABLISHED_YEAR_WEIGHTS: ReadonlyArray<readonly [number, number]> = Array.from(
  { length: 31 },
  (_, i) => {
    const y = 1995 + i;
    return [y, y < 2005 ? 1 : y < 2012 ? 2.5 : y < 2023 ? 4 : 3.2] as const;
  },
);

function randomEstablished(rng: Rng): Day {
  const y = rng.weighted(ESTABLISHED_YEAR_WEIGHTS);
  return dayOf(y, 1, 1) + rng.int(0, y === 2025 ? 330 : 364);
}

const CAPITAL_STEPS = [
  10, 30, 50, 100, 200, 300, 500, 800, 1000, 1500, 2000, 3000, 5000, 8000, 10000, 20000, 50000,
];

const round2 = (v: number): number => Math.round(v * 100) / 100;
const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

function companyName(
  rng: Rng,
  sector: Sector,
  legalForm: string,
  big: boolean,
  attempt: number,
): string {
  const trade = tradeName(rng, attempt > 12);
  const word = rng.pick(sector.words);
  if (legalForm === '个人独资企业')
    return `汶上县${trade}${word}${sector.industrial ? '厂' : '部'}`;
  const r = rng.next();
  if (big && r < 0.3) return `汶上县${trade}${word}（集团）有限公司`;
  if (big && r < 0.55) return `山东${trade}${word}有限公司`;
  if (r < 0.06) return `山东${trade}${word}有限公司`;
  if (r < 0.09) return `济宁${trade}${word}有限公司`;
  if (r < 0.1) return `${trade}${word}（山东）有限公司`;
  return `汶上县${trade}${word}有限公司`;
}

function formerName(rng: Rng, sector: Sector, attempt: number): string {
  const trade = tradeName(rng, attempt > 12);
  const word = rng.pick(sector.words);
  return rng.weighted([
    [`汶上县${trade}${word}有限公司`, 5],
    [`汶上县${trade}${word}有限责任公司`, 2],
    [`汶上县${trade}${word}厂`, 2],
  ]);
}

function address(rng: Rng, town: string, industrial: boolean): string {
  if (isSubDistrict(town)) {
    if (industrial && rng.chance(0.5))
      return `山东省济宁市汶上县经济开发区${rng.pick(ROADS)}${rng.int(1, 999)}号`;
    return `山东省济宁市汶上县${town}${rng.pick(ROADS)}${rng.int(1, 999)}号`;
  }
  const village =
    personName(rng)[0] + rng.pick(['庄', '楼', '营', '集', '屯', '口', '店', '洼', '桥']);
  return `山东省济宁市汶上县${town}${village}村${rng.chance(0.4) ? `${rng.int(1, 200)}号` : ''}`;
}

function yearsActive(e: Pick<Enterprise, 'established' | 'lastYear'>): boolean[] {
  return YEARS.map((y) => e.established <= dayOf(y, 12, 31) && y <= e.lastYear);
}

/** Share of a year the firm existed, for its first year. */
function firstYearFraction(established: Day, year: number): number {
  if (established < dayOf(year, 1, 1)) return 1;
  return (dayOf(year, 12, 31) - established + 1) / 365;
}

/** Builds the county: random enterprises with the scenario enterprises among them. */
export function buildCounty(seed: number, count: number, options: CountyOptions = {}): County {
  const withScenarios = options.scenarios ?? true;
  const main = rngFor(seed, 'county');
  const names = new NameRegistry();
  const orgCodes = new Set<string>();
  const specs = withScenarios ? SCENARIOS : [];
  if (specs.length > count)
    throw new Error(
      `a demo county needs room for ${specs.length} scenario enterprises; asked for ${count}`,
    );
  const slots = main.shuffled(Array.from({ length: count }, (_, i) => i)).slice(0, specs.length);
  const specAt = new Map<number, ScenarioSpec>();
  for (const [i, spec] of specs.entries()) specAt.set(slots[i], spec);
  const sectorWeights = SECTORS.filter((s) => !options.industrialOnly || s.industrial).map(
    (s) => [s, s.weight] as const,
  );

  const enterprises: Enterprise[] = [];
  const byRole = new Map<string, Enterprise>();
  for (let idx = 0; idx < count; idx++) {
    const spec = specAt.get(idx) ?? null;
    const rng = rngFor(seed, 'enterprise', idx);
    const sector = spec ? sectorByKey(spec.sector) : rng.weighted(sectorWeights);
    const industryCode = spec?.code ?? rng.weighted(sector.codes);
    const established = spec?.established ? parseIso(spec.established) : randomEstablished(rng);
    let status: Status = spec?.status ?? rng.weighted(STATUS_WEIGHTS);
    if (spec && !spec.status && !isActiveStatus(status)) status = '存续';
    const active = isActiveStatus(status);
    const estYear = yearOf(established);
    let lastYear = spec?.lastYear ?? 9999;
    if (!active) {
      const explicit = spec?.employees ?? spec?.revenue;
      lastYear = explicit
        ? YEARS[explicit.reduce<number>((last, v, i) => (v === null ? last : i), 0)]
        : Math.max(
            estYear,
            rng.weighted([
              [2019, 1],
              [2020, 1],
              [2021, 2],
              [2022, 2],
              [2023, 2],
              [2024, 2],
            ]),
          );
    }
    const operating = yearsActive({ established, lastYear });

    // Figures: an explicit series wins; otherwise a level and a random walk of growth.
    const revenue: Array<number | null> = [];
    const software: Array<number | null> = [];
    const rd: Array<number | null> = [];
    const employees: Array<number | null> = [];
    let level = clamp(rng.logNormal(sector.revenueMedian, sector.revenueSigma), 1e6, 2.6e9);
    const softwareShare =
      sector.key === 'software'
        ? rng.range(0.62, 0.95)
        : sector.key === 'research' && rng.chance(0.25)
          ? rng.range(0.1, 0.4)
          : 0;
    const reportsRd =
      sector.rdShare > 0 &&
      (sector.key === 'software' ||
        sector.key === 'research' ||
        rng.chance(level >= 2e7 ? 0.8 : 0.3));
    const rpe = sector.revenuePerEmployee * rng.logNormal(1, 0.3);
    YEARS.forEach((year, t) => {
      if (t > 0) level = clamp(level * clamp(1.04 + 0.14 * rng.normal(), 0.6, 1.6), 8e5, 2.9e9);
      if (!operating[t]) {
        revenue.push(null);
        software.push(null);
        rd.push(null);
        employees.push(null);
        return;
      }
      const fraction = firstYearFraction(established, year);
      let rev: number;
      let sw: number | null = null;
      if (spec?.revenue) rev = spec.revenue[t] ?? 0;
      else if (spec?.software) {
        sw = spec.software[t] ?? 0;
        rev = sw / (sector.key === 'software' ? rng.range(0.8, 0.95) : rng.range(0.35, 0.5));
      } else if (spec?.employees) rev = (spec.employees[t] ?? 0) * rpe * rng.range(0.85, 1.15);
      else rev = fraction < 1 ? level * fraction * 0.7 : level;
      rev = round2(Math.max(rev, 50_000) + rng.int(0, 99) / 100);
      if (spec?.revenue) rev = spec.revenue[t] ?? 0;
      if (spec?.software) sw = spec.software[t] ?? null;
      else if (softwareShare > 0) sw = round2(rev * softwareShare * rng.range(0.95, 1.05));
      revenue.push(rev);
      software.push(sw);
      rd.push(reportsRd ? round2(rev * sector.rdShare * rng.logNormal(1, 0.5)) : null);
      const explicitEmployees = spec?.employees?.[t];
      employees.push(
        explicitEmployees ?? Math.max(3, Math.round((rev / rpe) * rng.logNormal(1, 0.1))),
      );
    });

    const big = Math.max(...revenue.map((v) => v ?? 0)) >= 3e8;
    const legalForm = big
      ? rng.weighted(LEGAL_FORMS.filter(([f]) => f !== '个人独资企业'))
      : spec
        ? '有限责任公司(自然人投资或控股)'
        : rng.weighted(LEGAL_FORMS);
    let name = names.claim((attempt) => companyName(rng, sector, legalForm, big, attempt));
    // Most registrations write full-width brackets, some half-width: departments then differ.
    if (name.includes('（') && rng.chance(0.2)) name = otherBrackets(name);
    const formerNames: string[] = [];
    if (!spec && estYear < 2020) {
      const r = rng.next();
      const n = r < 0.02 ? 2 : r < 0.11 ? 1 : 0;
      for (let i = 0; i < n; i++)
        formerNames.push(names.claim((attempt) => formerName(rng, sector, attempt)));
    }
    const town = rng.weighted(TOWN_WEIGHTS);
    const orgCode = newOrgCode(rng, established, orgCodes);
    const maxRevenue = Math.max(1e6, ...revenue.map((v) => v ?? 0));
    const capitalTarget = (maxRevenue * rng.range(0.02, 0.3)) / 1e4;
    const capitalWan = CAPITAL_STEPS.reduce((best, step) =>
      Math.abs(step - capitalTarget) < Math.abs(best - capitalTarget) ? step : best,
    );
    const e: Enterprise = {
      idx,
      uscc: usccFor(REGION_CODE, orgCode),
      orgCode,
      legacyTaxNo: REGION_CODE + orgCode,
      name,
      formerNames,
      formerSeparator: rng.chance(0.5) ? ';' : '；',
      aliasNames: formerNames.slice(),
      legalRep: personName(rng),
      legalForm,
      capitalWan,
      established,
      status,
      active,
      lastYear,
      address: address(rng, town, sector.industrial),
      town,
      sector,
      industryCode,
      revenue,
      software,
      rd,
      employees,
      role: spec?.role ?? null,
      spec,
      legacyIn2022: !spec && established < dayOf(2015, 10, 1) && rng.chance(0.12),
    };
    enterprises.push(e);
    if (spec) byRole.set(spec.role, e);
  }
  if (withScenarios) applyNamingScenarios(rngFor(seed, 'naming'), names, byRole);
  return { seed, enterprises, byRole, names, orgCodes };
}

/** The name twists of scenarios.ts, made once every enterprise has its own name. */
function applyNamingScenarios(
  rng: Rng,
  names: NameRegistry,
  byRole: Map<string, Enterprise>,
): void {
  const role = (r: string): Enterprise => byRole.get(r)!;
  const shared = names.claim((attempt) =>
    formerName(rng, role('name-ambiguous-former-1').sector, attempt),
  );
  for (const r of ['name-ambiguous-former-1', 'name-ambiguous-former-2']) {
    role(r).formerNames = [shared];
    role(r).aliasNames = [];
  }
  const renamed = role('name-renamed-away');
  renamed.formerNames = [role('name-current-wins').name];
  renamed.aliasNames = [];
  const two = role('name-former-only');
  two.formerNames = [0, 1].map(() =>
    names.claim((attempt) => formerName(rng, two.sector, attempt)),
  );
  two.formerSeparator = '；';
  two.aliasNames = two.formerNames.slice();
  const byFormer = role('designation-by-former-name');
  byFormer.formerNames = [names.claim((attempt) => formerName(rng, byFormer.sector, attempt))];
  byFormer.aliasNames = byFormer.formerNames.slice();
  const brackets = role('name-brackets');
  brackets.name = names.claim(
    (attempt) =>
      `汶上县${tradeName(rng, attempt > 12)}${rng.pick(brackets.sector.words)}（集团）有限公司`,
  );
}
