import DataLoader from 'dataloader';
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { evaluationRunResults } from '../db/decisions.js';
import { enterprises } from '../db/market.js';
import { powerConsumption } from '../db/power-view.js';
import { yuanText } from '../lib/money.js';
import { checkYear } from '../lib/year.js';
import {
  type AllocationMethod,
  allocationMethodForYear,
  allocationMethods,
  surchargeRate,
} from './allocation-method.js';
import { sumYuan } from './awards/format.js';
import { dataState, type RunRef } from './data-version.js';
import { yearStatuses } from './evaluable-years.js';
import { evaluationSql } from './evaluation.js';
import {
  evaluationMethods,
  type Grade,
  methodForYear,
  type Population,
} from './evaluation-method.js';
import { VersionedCache } from './versioned-cache.js';

/** One electricity account of a firm, with the year's consumption and the surcharge it would carry. */
export interface AllocationAccount {
  /** 用电户号 */
  accountNo: string;
  /** 户名 as the power company last delivered it */
  accountName: string | null;
  /** consumption in the graded year (kWh) */
  kwh: number;
  /** rate × kWh (元); null when no surcharge applies */
  estimatedSurchargeYuan: number | null;
}

/** The grade of one year in a firm's history (null when it was not evaluated). */
export interface YearGrade {
  year: number;
  grade: Grade | null;
  population: Population | null;
  /** the final run the grade was read from; null when it is the live evaluation */
  runId: string | null;
}

/** Where a year's grades come from: its final run, or (none) the live evaluation. */
export interface GradeSource {
  year: number;
  runId: string | null;
  status: 'final' | 'live';
}

/** 要素差别化配置 of one enterprise for the grade of `year` (docs/metrics.md, differentiated allocation). */
export interface Allocation {
  uscc: string;
  year: number;
  methodId: string | null;
  grade: Grade | null;
  /** 优先保障, 积极支持, 相对控制 or 严格限制 */
  allocationLabel: string | null;
  population: Population | null;
  /** the run of consecutive D grades ending at `year` */
  consecutiveDYears: number;
  /** 元/kWh, applied during year + 1; null when none */
  surchargeYuanPerKwh: number | null;
  appliesInYear: number;
  accounts: AllocationAccount[];
  /** the graded year's consumption over every linked account (kWh) */
  electricityKwh: number;
  /** rate × the year's consumption (元); null when no surcharge applies */
  estimatedSurchargeYuan: number | null;
  history: YearGrade[];
  /** the reasons in full, figures of the power company's detail included (power, admin, analyst, exports) */
  reasons: string[];
  /**
   * the same reasons for a role that may not read the power company's detail: the estimate names
   * the rate and the year, not the kWh or the amount (Allocation.electricityKwh, estimatedSurchargeYuan)
   */
  reasonsWithoutPowerDetail: string[];
  /** for lists: the register's name and town */
  name: string;
  town: string | null;
  /** the final run the grade of `year` comes from; null when live */
  runId: string | null;
  /** final (from a final run) or live */
  gradeStatus: 'final' | 'live';
}

/** The whole county's allocation for the grade of one year. */
export interface CountyAllocation {
  year: number;
  method: AllocationMethod | null;
  byUscc: Map<string, Allocation>;
  /** where each year of the runs of D grades came from, oldest first (the last is `year`) */
  sources: GradeSource[];
  /** why `year` is not evaluated (evaluable-years.ts): then no one is graded and nothing follows */
  notEvaluated: string[];
}

type RunRow = {
  uscc: string;
  name: string;
  town: string | null;
  grade: Grade | null;
  population: Population | null;
  run: number;
  history: string | null;
};

type AccountRow = { uscc: string; account_no: string; account_name: string | null; kwh: string };

const round2 = (v: number) => Math.round(v * 100) / 100;

/**
 * The grades of every year in `years` for the whole county and, per enterprise, the run of D grades
 * ending at the last year — one statement: each year's final run or, for a year without one that is
 * `evaluable`, its live evaluation (set-based, as in evaluation.ts) stacked, then a running window
 * per enterprise. A year without a grade (the firm's, or a year not evaluated at all) breaks the run.
 */
function runsSql(sources: GradeSource[], evaluable: ReadonlySet<number>): SQL {
  const years = sources.map((s) => s.year);
  const last = years[years.length - 1];
  const graded = sources.flatMap(({ year: y, runId }) => {
    if (runId !== null)
      return [
        sql`select ${y}::int as year, r.uscc, r.grade, r.population from ${evaluationRunResults} r where r.run_id = ${Number(runId)}::bigint`,
      ];
    if (!evaluable.has(y)) return [];
    const method = methodForYear(y, evaluationMethods());
    return method
      ? [
          sql`select ${y}::int as year, e.uscc, e.grade, e.population from (${evaluationSql(method, y)}) e`,
        ]
      : [];
  });
  const grades = graded.length
    ? sql.join(graded, sql` union all `)
    : sql`select null::int as year, null::text as uscc, null::text as grade, null::text as population where false`;
  return sql`
    with grades as (${grades}),
    grid as (
      select ${enterprises.uscc} as uscc, y.year from ${enterprises}
      cross join generate_series(${years[0]}::int, ${last}::int) as y(year)
    ),
    runs as (
      select grid.uscc, grid.year, g.grade, g.population,
        grid.year - coalesce(
          max(case when g.grade is distinct from 'D' then grid.year end)
            over (partition by grid.uscc order by grid.year rows between unbounded preceding and current row),
          ${years[0] - 1}::int) as run,
        string_agg(grid.year || ':' || coalesce(g.grade, '-') || ':' || coalesce(g.population, '-'), ',')
          over (partition by grid.uscc order by grid.year rows between unbounded preceding and unbounded following) as history
      from grid left join grades g on g.uscc = grid.uscc and g.year = grid.year
    )
    select r.uscc, ${enterprises.name} as name, ${enterprises.town} as town, r.grade, r.population, r.run::int as run, r.history
    from runs r join ${enterprises} on ${enterprises.uscc} = r.uscc
    where r.year = ${last}`;
}

/** Every account linked to an enterprise, with its consumption in `year` (kWh). */
function accountsSql(year: number): SQL {
  return sql`
    select ${powerConsumption.uscc} as uscc, ${powerConsumption.accountNo} as account_no,
      (array_agg(${powerConsumption.rawName} order by ${powerConsumption.month} desc))[1] as account_name,
      coalesce(sum(${powerConsumption.kwh}) filter (
        where ${powerConsumption.month} >= ${`${year}-01-01`}::date and ${powerConsumption.month} < ${`${year + 1}-01-01`}::date), 0)::text as kwh
    from ${powerConsumption}
    where ${powerConsumption.uscc} is not null
    group by ${powerConsumption.uscc}, ${powerConsumption.accountNo}
    order by ${powerConsumption.accountNo}`;
}

const POPULATION_ZH: Record<Population, string> = { ABOVE_SCALE: '规上', BELOW_SCALE: '规下' };

function parseHistory(text: string | null, sources: readonly GradeSource[]): YearGrade[] {
  if (!text) return [];
  return text.split(',').map((part) => {
    const [year, grade, population] = part.split(':');
    return {
      year: Number(year),
      grade: grade === '-' ? null : (grade as Grade),
      population: population === '-' ? null : (population as Population),
      runId: sources.find((s) => s.year === Number(year))?.runId ?? null,
    };
  });
}

const describe = (g: YearGrade) =>
  `${g.year} ${g.grade ? `${g.population ? POPULATION_ZH[g.population] : ''}${g.grade}` : '未评价'}`;

function toAllocation(
  row: RunRow,
  accountRows: AccountRow[],
  year: number,
  method: AllocationMethod | null,
  sources: readonly GradeSource[] = [],
): Allocation {
  const history = parseHistory(row.history, sources);
  const source = sources.find((s) => s.year === year);
  const rate = method ? surchargeRate(method, row.run) : null;
  const accounts = accountRows.map((a) => {
    const kwh = Number(a.kwh);
    return {
      accountNo: a.account_no,
      accountName: a.account_name,
      kwh,
      estimatedSurchargeYuan: rate === null ? null : round2(rate * kwh),
    };
  });
  const electricityKwh = accounts.reduce((s, a) => s + a.kwh, 0);
  const reasons: string[] = [];
  /** index in `reasons` of the one sentence that cites the power company's figures, and its general form */
  let powerDetail: { at: number; general: string } | null = null;
  const unit = method?.surcharge.unit ?? '元/千瓦时';
  if (!method) reasons.push(`${year} 年度等级没有适用的差别化配置办法`);
  else if (!row.grade)
    reasons.push(`${year} 年度未评价：无等级，${year + 1} 年不实行差别化配置，也不加收电价`);
  else if (rate === null) {
    reasons.push(
      `${year} 年 ${row.grade} 类 → ${method.labels[row.grade] ?? ''}：${year + 1} 年不加收电价`,
    );
  } else {
    const runYears = history.filter((h) => h.year > year - row.run && h.year <= year);
    const breaker = history.find((h) => h.year === year - row.run);
    reasons.push(
      `${runYears.map(describe).join('、')} → ${year + 1} 年加收 ${rate.toFixed(2)} ${unit}（连续 ${row.run} 年 ${method.surcharge.grade} 类；${method.legalBasis}）`,
    );
    if (breaker) reasons.push(`连续年数自 ${describe(breaker)} 之后起算`);
    else reasons.push(`${year - row.run + 1} 年之前没有评价等级记录`);
    const populations = new Set(runYears.map((h) => h.population));
    if (populations.size > 1) reasons.push('连续年数跨规下、规上两类：任一类的 D 类均计入');
    if (accounts.length === 0) reasons.push('本企业没有关联的用电户号：加收电价无户可执行');
    else {
      powerDetail = {
        at: reasons.length,
        general: `估算：${rate.toFixed(2)} ${unit} × ${year} 年用电量（用电量和预计加价金额属供电公司明细，本角色不可查看）`,
      };
      reasons.push(
        `估算：${rate.toFixed(2)} ${unit} × ${year} 年用电量 ${electricityKwh.toLocaleString('en-US')} kWh = ${yuanText(round2(rate * electricityKwh))} 元`,
      );
    }
  }
  const finalYears = history.filter((h) => h.runId !== null && h.year > year - row.run - 1);
  if (source?.runId)
    reasons.push(
      `${year} 年度等级取自正式评价结果（第 ${source.runId} 号）${finalYears.length > 1 ? `；${finalYears.map((h) => `${h.year} 年取自第 ${h.runId} 号`).join('、')}` : ''}`,
    );
  else if (method) reasons.push(`${year} 年度尚无正式评价结果：等级为实时评价`);
  return {
    uscc: row.uscc,
    year,
    methodId: method?.id ?? null,
    grade: row.grade,
    allocationLabel: row.grade && method ? (method.labels[row.grade] ?? null) : null,
    population: row.population,
    consecutiveDYears: row.run,
    surchargeYuanPerKwh: rate,
    appliesInYear: year + 1,
    accounts,
    electricityKwh,
    estimatedSurchargeYuan: rate === null ? null : round2(rate * electricityKwh),
    history,
    reasons,
    reasonsWithoutPowerDetail: powerDetail
      ? reasons.map((r, i) => (i === powerDetail.at ? powerDetail.general : r))
      : reasons,
    name: row.name,
    town: row.town,
    runId: source?.runId ?? null,
    gradeStatus: source?.status ?? 'live',
  };
}

/**
 * The county's allocation for the grades of `year`, given the final runs and the evaluable years of
 * its lookback. The runs start at the first year with grades (none is on record before it).
 */
async function compute(
  database: Database,
  year: number,
  method: AllocationMethod | null,
  finals: readonly RunRef[],
  evaluable: ReadonlySet<number>,
): Promise<CountyAllocation> {
  const from = Math.min(year, ...evaluable, ...finals.map((r) => r.year));
  const sources = Array.from({ length: year - from + 1 }, (_, i): GradeSource => {
    const final = finals.find((r) => r.year === from + i);
    return { year: from + i, runId: final?.id ?? null, status: final ? 'final' : 'live' };
  });
  const [runs, accounts] = await Promise.all([
    database.rows<RunRow>(runsSql(sources, evaluable)),
    database.rows<AccountRow>(accountsSql(year)),
  ]);
  const accountsOf = new Map<string, AccountRow[]>();
  for (const a of accounts) {
    const list = accountsOf.get(a.uscc) ?? [];
    list.push(a);
    accountsOf.set(a.uscc, list);
  }
  const byUscc = new Map<string, Allocation>();
  for (const row of runs)
    byUscc.set(row.uscc, toAllocation(row, accountsOf.get(row.uscc) ?? [], year, method, sources));
  return { year, method, byUscc, sources, notEvaluated: [] };
}

const allocations = new VersionedCache<CountyAllocation>(6);

/**
 * The county's allocation for the grades of `year`, cached per (year, data version, final runs):
 * computed for every enterprise and every year of its run at once, never enterprise by enterprise.
 * Each year's grades come from its final run when it has one (docs/decisions.md), else live.
 */
export async function countyAllocation(
  database: Database,
  year: number,
): Promise<CountyAllocation> {
  checkYear(year);
  const method = allocationMethodForYear(year, allocationMethods());
  const lookback = method?.runLookbackYears ?? 10;
  const { version, runs } = await dataState(database);
  const finals = runs.filter(
    (r) => r.status === 'final' && r.year <= year && r.year > year - lookback,
  );
  const range = Array.from({ length: lookback }, (_, i) => year - lookback + 1 + i);
  const statuses = await yearStatuses(database, range, version);
  const status = statuses[statuses.length - 1];
  // a year not evaluated (and without a final run) grades no one: no allocation, no surcharge
  if (!status.evaluable && !finals.some((r) => r.year === year))
    return { year, method, byUscc: new Map(), sources: [], notEvaluated: status.reasons };
  const evaluable = new Set(statuses.filter((s) => s.evaluable).map((s) => s.year));
  // which years are evaluable changes with the date too, not only with the data
  const key = `${version}|${finals.map((r) => r.id).join(',')}|${[...evaluable].join(',')}`;
  return allocations.get(database, String(year), key, () =>
    compute(database, year, method, finals, evaluable),
  );
}

/** One enterprise's allocation; a year not evaluated or a not-registered USCC answers with the reasons. */
export function allocationOf(county: CountyAllocation, uscc: string): Allocation {
  const found = county.byUscc.get(uscc);
  if (found) return found;
  const none = toAllocation(
    { uscc, name: '', town: null, grade: null, population: null, run: 0, history: null },
    [],
    county.year,
    county.method,
    county.sources,
  );
  const reasons = county.notEvaluated.length
    ? [...county.notEvaluated, ...none.reasons]
    : [`${uscc} 不是已登记的企业`];
  return { ...none, reasons, reasonsWithoutPowerDetail: reasons };
}

/** Enterprises of one grade (default D) in `year`, ordered by USCC. */
export function allocationList(county: CountyAllocation, grade: Grade | null = 'D'): Allocation[] {
  return [...county.byUscc.values()]
    .filter((a) => (grade === null ? a.grade !== null : a.grade === grade))
    .sort((a, b) => (a.uscc < b.uscc ? -1 : 1));
}

/** One row of the power company's surcharge file: an account of a surcharged firm. */
export interface SurchargeRow {
  accountNo: string;
  accountName: string | null;
  enterpriseName: string;
  uscc: string;
  grade: Grade;
  consecutiveDYears: number;
  rateYuanPerKwh: number;
  kwh: number;
  estimatedSurchargeYuan: number;
}

/**
 * The utility's list for the grades of `year`: one row per electricity account of every firm that
 * carries a surcharge in year + 1, sorted by account number; firms without an account come back apart.
 */
export function surchargeList(county: CountyAllocation): {
  rows: SurchargeRow[];
  withoutAccounts: Allocation[];
} {
  const charged = [...county.byUscc.values()].filter((a) => a.surchargeYuanPerKwh !== null);
  const rows = charged
    .flatMap((a) =>
      a.accounts.map((acc) => ({
        accountNo: acc.accountNo,
        accountName: acc.accountName,
        enterpriseName: a.name,
        uscc: a.uscc,
        grade: a.grade!,
        consecutiveDYears: a.consecutiveDYears,
        rateYuanPerKwh: a.surchargeYuanPerKwh!,
        kwh: acc.kwh,
        estimatedSurchargeYuan: acc.estimatedSurchargeYuan!,
      })),
    )
    .sort((x, y) => (x.accountNo < y.accountNo ? -1 : x.accountNo > y.accountNo ? 1 : 0));
  const withoutAccounts = charged
    .filter((a) => a.accounts.length === 0)
    .sort((a, b) => (a.uscc < b.uscc ? -1 : 1));
  return { rows, withoutAccounts };
}

/** Surcharged firms and their estimated surcharge by town (for the dashboard). */
export function surchargeByTown(county: CountyAllocation): {
  town: string | null;
  enterprises: number;
  accounts: number;
  kwh: number;
  estimatedSurchargeYuan: number;
}[] {
  const byTown = new Map<
    string | null,
    {
      town: string | null;
      enterprises: number;
      accounts: number;
      kwh: number;
      estimatedSurchargeYuan: number;
    }
  >();
  for (const a of county.byUscc.values()) {
    if (a.surchargeYuanPerKwh === null) continue;
    const t = byTown.get(a.town) ?? {
      town: a.town,
      enterprises: 0,
      accounts: 0,
      kwh: 0,
      estimatedSurchargeYuan: 0,
    };
    t.enterprises += 1;
    t.accounts += a.accounts.length;
    t.kwh += a.electricityKwh;
    t.estimatedSurchargeYuan = sumYuan([t.estimatedSurchargeYuan, a.estimatedSurchargeYuan]);
    byTown.set(a.town, t);
  }
  return [...byTown.values()].sort((a, b) => b.estimatedSurchargeYuan - a.estimatedSurchargeYuan);
}

/** Per-request loader of the county allocation by year (the data version is checked once per request and year). */
export function allocationLoader(database: Database) {
  return new DataLoader<number, CountyAllocation>(async (years) =>
    Promise.all(years.map((year) => countyAllocation(database, year))),
  );
}
