import DataLoader from 'dataloader';
import { type SQL, sql } from 'drizzle-orm';
import { type Database, rowsWithoutTimeout } from '../db/client.js';
import { enterprises } from '../db/market.js';
import { yuanText } from '../lib/money.js';
import { checkYear } from '../lib/year.js';
import { dataVersion } from './data-version.js';
import { yearStatus } from './evaluable-years.js';
import {
  type EvaluationMethod,
  evaluationMethods,
  type Grade,
  type Indicator,
  methodForYear,
  type Population,
  tcePer10kKwhFor,
} from './evaluation-method.js';
import {
  type EnterpriseMetrics,
  FACTS,
  METRICS,
  type MetricsRow,
  RATIO_METRICS,
  toEnterpriseMetrics,
  whyNull,
} from './metric-table.js';
import { metricsSql } from './metrics.js';
import { VersionedCache } from './versioned-cache.js';

/** One indicator of one enterprise, as a clerk recomputes it: points = weight × min(max(value ÷ benchmark, 0), cap). */
export interface IndicatorResult {
  /** e.g. muAverageTax */
  id: string;
  /** e.g. 亩均税收 */
  nameZh: string;
  /** e.g. 元/亩 */
  unit: string;
  weight: number;
  /** null when an input is missing (the indicator then scores 0) */
  value: number | null;
  /** the population's aggregate ratio; null when no member has a value */
  benchmark: number | null;
  points: number;
}

/** The 亩产效益 evaluation of one enterprise in one year (docs/metrics.md). */
export interface MuEfficiencyResult {
  uscc: string;
  year: number;
  /** the evaluation method applied; null when none is in force for the year */
  methodId: string | null;
  evaluated: boolean;
  population: Population | null;
  /** 1 = best within its population */
  rank: number | null;
  populationSize: number | null;
  score: number | null;
  grade: Grade | null;
  /** e.g. 优先发展类 */
  gradeLabel: string | null;
  indicators: IndicatorResult[];
  reasons: string[];
  town: string | null;
  industryDivision: string | null;
  /** the published run this answer comes from; null for the live evaluation */
  runId: string | null;
  /** live, notice (公示) or final (正式): where this answer comes from (docs/decisions.md) */
  status: EvaluationStatus;
}

/** Where an evaluation answer comes from: computed now, or a published run (docs/decisions.md). */
export type EvaluationStatus = 'live' | 'notice' | 'final';

/** One enterprise's answer as a published run stores it: everything the API answers, and the figures used. */
export type StoredAnswer = Omit<MuEfficiencyResult, 'runId' | 'status'> & {
  metrics: EnterpriseMetrics | null;
};

/** The county's evaluation for one year: every registered enterprise, ranked within its population. */
export interface Evaluation {
  year: number;
  method: EvaluationMethod | null;
  /** the data version it was computed at; for a published run, `run:<id>` */
  dataVersion: string;
  /** the published run it was read from; null when live */
  runId: string | null;
  status: EvaluationStatus;
  results: Map<string, MuEfficiencyResult>;
  /** members of each population, best first */
  ranked: Map<Population, MuEfficiencyResult[]>;
  /** why the year is not evaluated at all (evaluable-years.ts); empty when it is */
  notEvaluated: string[];
}

/**
 * A row of the evaluation statement: what rankings and grades need, plus the reasons' facts as a
 * JSON array (parsed only when a result is explained; tens of thousands of rows are fetched).
 */
type EvaluationRow = {
  uscc: string;
  town: string | null;
  industry_division: string | null;
  population: Population | null;
  score: string | null;
  rank: number | null;
  population_size: number | null;
  grade: Grade | null;
  /** the population's benchmarks as a numeric array's text, on its first row only */
  benchmarks: string | null;
  /** numeric array's text: NUMERIC_FACTS, BOOLEAN_FACTS (1/0), then each weighted indicator's points */
  facts: string;
  /** ELIGIBILITY_FACTS, for enterprises outside the populations only (null for members) */
  status: string | null;
  established_on: string | null;
  industry_section: string | null;
  industrial: boolean | null;
  active: boolean | null;
  established: boolean | null;
};

/** The facts behind one enterprise's reasons. */
type Facts = MetricsRow & Pick<EvaluationRow, (typeof ELIGIBILITY_FACTS)[number] | 'population'>;

const list = (values: readonly (string | number)[]) =>
  sql.join(
    values.map((v) => sql`${String(v)}`),
    sql`, `,
  );
const num = (v: string | number | null) => (v === null ? null : Number(v));
const numberFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });
const fenFormat = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const fmt = (v: number) => numberFormat.format(v);
/** 亩 to 2 places, as a clerk writes them (元 to the fen: yuanText) */
const mu = (v: number) => fenFormat.format(v);

/** Indicators weighted in at least one population, in the method's order. */
const weighted = (method: EvaluationMethod) =>
  method.indicators.filter((i) => method.populations.some((p) => p.weights[i.id] !== undefined));

function populationCondition(p: EvaluationMethod['populations'][number]): SQL {
  const parts: SQL[] = [];
  if (p.minRevenueYuan !== undefined)
    parts.push(sql`revenue_yuan >= ${String(p.minRevenueYuan)}::numeric`);
  if (p.minLandMu !== undefined) parts.push(sql`land_area_mu >= ${String(p.minLandMu)}::numeric`);
  return parts.length ? sql.join(parts, sql` and `) : sql`true`;
}

/**
 * The reasons' facts, as one numeric array per row (its text is cheap to produce and is parsed
 * only when a result is explained): every metric of metricsSql as SQL computed it (so that
 * `metricsOf` answers exactly as metricsFor) and the counting facts, then the boolean facts,
 * then the points of each weighted indicator.
 */
const NUMERIC_FACTS = [
  ...METRICS.map((m) => m.column),
  ...FACTS.filter((f) => f.type === 'integer').map((f) => f.column),
];
const BOOLEAN_FACTS = FACTS.filter((f) => f.type === 'boolean').map((f) => f.column);
/** Columns the drivers return as numbers (whole numbers), not as numeric text. */
const INTEGER_COLUMNS = [
  ...METRICS.filter((m) => 'integer' in m && m.integer).map((m) => m.column),
  ...FACTS.filter((f) => f.type === 'integer').map((f) => f.column),
];

/** A metricsSql row from the facts array's values, as the drivers would have returned it. */
function metricsRowOf(uscc: string, year: number, values: (string | null)[]): MetricsRow {
  const row: Record<string, unknown> = { uscc, year };
  for (const [i, column] of NUMERIC_FACTS.entries()) row[column] = values[i];
  for (const column of INTEGER_COLUMNS) row[column] = num(row[column] as string | null);
  for (const [i, column] of BOOLEAN_FACTS.entries())
    row[column] = values[NUMERIC_FACTS.length + i] === '1';
  return row as MetricsRow;
}
/** Why an enterprise is outside the populations: sent for those only. */
const ELIGIBILITY_FACTS = [
  'status',
  'established_on',
  'industry_section',
  'industrial',
  'active',
  'established',
] as const;

/** Parses PostgreSQL's text form of a one-dimensional numeric array: {1.5,NULL,3}. */
const numericArray = (text: string): (string | null)[] =>
  text
    .slice(1, -1)
    .split(',')
    .map((v) => (v === 'NULL' ? null : v));

/**
 * The whole county's evaluation in one statement: metrics, population, benchmarks (aggregate
 * ratios over the members with a value), points, score, position and grade, computed on numeric.
 * Each population's benchmarks come once, on its first row; the facts for the reasons as one JSON array per row.
 */
export function evaluationSql(method: EvaluationMethod, year: number): SQL {
  const indicators = weighted(method);
  const { grades } = method;
  const cap = String(method.pointsCap);
  const weightOf = (ind: Indicator) =>
    sql`case population ${sql.join(
      method.populations
        .filter((p) => p.weights[ind.id] !== undefined)
        .map((p) => sql`when ${p.id}::text then ${String(p.weights[ind.id])}::numeric`),
      sql` `,
    )} end`;
  const each = (f: (ind: Indicator, i: number) => SQL, separator = sql`, `) =>
    sql.join(indicators.map(f), separator);
  const value = (ind: Indicator) => sql.identifier(ind.metric);
  return sql`
    with m as (${metricsSql(year, { tcePer10kKwh: tcePer10kKwhFor(year, [method]) })}),
    flagged as (
      select m.*, ${enterprises.status} as status, ${enterprises.establishedOn}::text as established_on,
        ${enterprises.industrySection} as industry_section, ${enterprises.town} as town, ${enterprises.industryDivision} as industry_division,
        coalesce(${enterprises.industrySection} in (${list(method.evaluated.industrySections)}), false) as industrial,
        ${enterprises.status} in (${list(method.evaluated.activeStatuses)}) as active,
        ${enterprises.establishedOn} <= ${`${year}-01-01`}::date as established
      from ${enterprises} join m on m.uscc = ${enterprises.uscc}
    ),
    classified as (
      select flagged.*,
        case when industrial and active and coalesce(established, false) then
          case ${sql.join(
            method.populations.map((p) => sql`when ${populationCondition(p)} then ${p.id}::text`),
            sql` `,
          )} end
        end as population
      from flagged
    ),
    weighed as (
      -- benchmarks as window aggregates over the population: one pass, no self-join
      select classified.*, ${each((ind, i) => {
        const { numerator, denominator } = RATIO_METRICS[ind.metric];
        const having = sql`filter (where ${value(ind)} is not null) over members`;
        return sql`sum(${sql.identifier(numerator)}) ${having} / nullif(sum(${sql.identifier(denominator)}) ${having}, 0) as ${sql.identifier(`b${i}`)},
          ${weightOf(ind)} as ${sql.identifier(`w${i}`)}`;
      })}, (count(*) over members)::int as size
      from classified
      window members as (partition by population)
    ),
    pointed as (
      select weighed.*, ${each((ind, i) => {
        const [v, b, w] = [value(ind), sql.identifier(`b${i}`), sql.identifier(`w${i}`)];
        return sql`case when population is null or ${w} is null then null
          when ${v} is null or ${b} is null or ${b} <= 0 then 0
          else ${w} * least(greatest(${v} / ${b}, 0), ${cap}::numeric) end as ${sql.identifier(`p${i}`)}`;
      })}
      from weighed
    ),
    scored as (
      select pointed.*, case when population is not null then ${each((_, i) => sql`coalesce(${sql.identifier(`p${i}`)}, 0)`, sql` + `)} end as score
      from pointed
    ),
    ranked as (
      select scored.*,
        (row_number() over (partition by population order by score desc, uscc collate "C" asc))::int as position
      from scored
    )
    select uscc, town, industry_division, population, score,
      case when population is not null and position = 1 then (array[${each((_, i) => sql`${sql.identifier(`b${i}`)}`)}])::text end as benchmarks,
      (array[${sql.join(
        NUMERIC_FACTS.map((c) => sql`${sql.identifier(c)}::numeric`),
        sql`, `,
      )}, ${sql.join(
        BOOLEAN_FACTS.map((c) => sql`${sql.identifier(c)}::int::numeric`),
        sql`, `,
      )}, ${each((_, i) => sql`${sql.identifier(`p${i}`)}`)}])::text as facts,
      ${sql.join(
        ELIGIBILITY_FACTS.map(
          (c) =>
            sql`case when population is null then ${sql.identifier(c)} end as ${sql.identifier(c)}`,
        ),
        sql`, `,
      )},
      case when population is not null then position end as rank,
      case when population is not null then size end as population_size,
      case when population is null then null
        when position > size - ceil(size * ${String(grades.dMinShare)}::numeric) then 'D'
        when position <= floor(size * ${String(grades.aMaxShare)}::numeric) then 'A'
        when position <= floor(size * ${String(grades.aMaxShare)}::numeric) + floor(size * ${String(grades.bShare)}::numeric) then 'B'
        else 'C' end as grade
    from ranked`;
}

function eligibilityReasons(row: Facts, method: EvaluationMethod, year: number): string[] {
  const reasons: string[] = [];
  const sections = method.evaluated.industrySections.join('、');
  if (!row.industrial) {
    const section = row.industry_section;
    reasons.push(
      section === null
        ? `不参评：行业门类不详（参评门类：${sections}）`
        : `不参评：行业门类 ${section} 不属于工业（参评门类：${sections}${section === 'D' ? '；电力、热力、燃气及水生产和供应业不参评' : ''}）`,
    );
  }
  if (!row.active)
    reasons.push(
      `不参评：登记状态「${row.status}」不是正常经营（参评状态：${method.evaluated.activeStatuses.join('、')}）`,
    );
  if (row.established === null) reasons.push('不参评：成立日期不详');
  else if (!row.established)
    reasons.push(`T 暂不评价：成立日期 ${row.established_on} 晚于 ${year}-01-01`);
  return reasons;
}

/** Which thresholds of a population the enterprise meets or misses, in words. */
function thresholds(
  row: Facts,
  p: EvaluationMethod['populations'][number],
  year: number,
): { met: boolean; words: string[] } {
  const words: string[] = [];
  let met = true;
  if (p.minRevenueYuan !== undefined) {
    const revenue = num(row.revenue_yuan);
    const ok = revenue !== null && revenue >= p.minRevenueYuan;
    met &&= ok;
    words.push(
      `${year} 年营业收入 ${revenue === null ? '缺失' : `${yuanText(revenue)} 元`} ${ok ? '≥' : '<'} ${fmt(p.minRevenueYuan)} 元`,
    );
  }
  if (p.minLandMu !== undefined) {
    const land = num(row.land_area_mu);
    const ok = land !== null && land >= p.minLandMu;
    met &&= ok;
    words.push(
      `用地面积 ${land === null ? '不详' : `${mu(land)} 亩`} ${ok ? '≥' : '<'} ${fmt(p.minLandMu)} 亩`,
    );
  }
  return { met, words };
}

/** What every result of one evaluation shares. */
interface Shared {
  method: EvaluationMethod;
  year: number;
  indicators: Indicator[];
  /** population → benchmark per weighted indicator (index as in `indicators`) */
  benchmarks: Map<Population, (number | null)[]>;
}

/**
 * One enterprise's result. Indicators and reasons are worked out when first read: a county has
 * tens of thousands of enterprises and a request reads a few of them.
 */
class Result implements MuEfficiencyResult {
  readonly uscc: string;
  readonly year: number;
  readonly methodId: string;
  readonly evaluated: boolean;
  readonly population: Population | null;
  readonly rank: number | null;
  readonly populationSize: number | null;
  readonly score: number | null;
  readonly grade: Grade | null;
  readonly gradeLabel: string | null;
  readonly town: string | null;
  readonly industryDivision: string | null;
  readonly runId = null;
  readonly status = 'live';
  #row: EvaluationRow;
  #shared: Shared;
  #explained?: { indicators: IndicatorResult[]; reasons: string[] };
  #metrics?: EnterpriseMetrics;

  constructor(row: EvaluationRow, shared: Shared) {
    this.#row = row;
    this.#shared = shared;
    this.uscc = row.uscc;
    this.year = shared.year;
    this.methodId = shared.method.id;
    this.evaluated = row.population !== null;
    this.population = row.population;
    this.rank = row.rank;
    this.populationSize = row.population_size;
    this.score = num(row.score);
    this.grade = row.grade;
    this.gradeLabel = row.grade ? (shared.method.grades.labels[row.grade] ?? null) : null;
    this.town = row.town;
    this.industryDivision = row.industry_division;
  }

  get indicators(): IndicatorResult[] {
    return (this.#explained ??= this.#explain()).indicators;
  }

  get reasons(): string[] {
    return (this.#explained ??= this.#explain()).reasons;
  }

  /**
   * The enterprise's figures of the year, from the evaluation statement's metricsSql columns: worked
   * out once and shared by every request of this data version (frozen, so that none alters them).
   */
  metrics(): EnterpriseMetrics {
    return (this.#metrics ??= this.#figures());
  }

  #figures(): EnterpriseMetrics {
    const row = metricsRowOf(this.uscc, this.year, numericArray(this.#row.facts));
    const metrics = toEnterpriseMetrics(row);
    Object.freeze(metrics.missing);
    return Object.freeze(metrics);
  }

  #explain(): { indicators: IndicatorResult[]; reasons: string[] } {
    const { method, year, indicators: weightedIndicators } = this.#shared;
    const values = numericArray(this.#row.facts);
    const eligibility = Object.fromEntries(ELIGIBILITY_FACTS.map((c) => [c, this.#row[c]]));
    const row = {
      ...metricsRowOf(this.uscc, year, values),
      ...eligibility,
      population: this.population,
    } as Facts;
    // an indicator's value as a clerk recomputes it from the figures shown
    const ratio = (n: string | number | null, d: string | number | null) =>
      n === null || d === null || Number(d) <= 0 ? null : String(Number(n) / Number(d));
    for (const [metric, { numerator, denominator }] of Object.entries(RATIO_METRICS)) {
      (row as Record<string, unknown>)[metric] = ratio(row[numerator], row[denominator]);
    }
    const points = values.slice(NUMERIC_FACTS.length + BOOLEAN_FACTS.length);
    const reasons = row.population === null ? eligibilityReasons(row, method, year) : [];
    const indicators: IndicatorResult[] = [];
    if (row.population === null) {
      if (reasons.length === 0) {
        const missed = method.populations.map(
          (p) => `${p.nameZh}：${thresholds(row, p, year).words.join('，')}`,
        );
        reasons.push(`不参评：规上、规下两类均不适用（${missed.join('；')}）`);
      }
      return { indicators, reasons };
    }
    const pop = method.populations.find((p) => p.id === row.population)!;
    reasons.push(`${pop.nameZh}（${thresholds(row, pop, year).words.join('，') || '无门槛'}）`);
    const benchmarks = this.#shared.benchmarks.get(pop.id)!;
    weightedIndicators.forEach((ind, i) => {
      const weight = pop.weights[ind.id];
      if (weight === undefined) return;
      const value = num(row[ind.metric]);
      const benchmark = benchmarks[i];
      indicators.push({
        id: ind.id,
        nameZh: ind.nameZh,
        unit: ind.unit,
        weight,
        value,
        benchmark,
        points: Number(points[i]),
      });
      if (value === null)
        reasons.push(`${ind.nameZh}缺失（${whyNull(row, ind.metric).join('；')}）：得 0 分`);
      else if (benchmark === null || benchmark <= 0)
        reasons.push(`${ind.nameZh}：${pop.nameZh}基准值不为正：得 0 分`);
      else if (value / benchmark > method.pointsCap)
        reasons.push(
          `${ind.nameZh}为基准值的 ${fmt(value / benchmark)} 倍：按上限 ${method.pointsCap} 倍计分`,
        );
      else if (value < 0) reasons.push(`${ind.nameZh}为负：得 0 分`);
    });
    reasons.push(
      `${pop.nameZh}企业 ${this.populationSize} 家中排名第 ${this.rank}：${this.grade} 类${this.gradeLabel ? `（${this.gradeLabel}）` : ''}`,
    );
    return { indicators, reasons };
  }

  toJSON() {
    return { ...this, indicators: this.indicators, reasons: this.reasons };
  }

  /** The whole answer as a published run keeps it (docs/decisions.md): the answer and the figures used. */
  toRecord(): StoredAnswer {
    const { runId: _runId, status: _status, ...answer } = this.toJSON();
    return { ...answer, metrics: this.metrics() };
  }
}

/** A live evaluation with no one in it yet; `notEvaluated` says why a year grades no one. */
const emptyEvaluation = (
  year: number,
  method: EvaluationMethod | null,
  version: string,
  notEvaluated: string[] = [],
): Evaluation => ({
  year,
  method,
  dataVersion: version,
  runId: null,
  status: 'live',
  results: new Map(),
  ranked: new Map(),
  notEvaluated,
});

async function compute(
  database: Database,
  year: number,
  method: EvaluationMethod | null,
  version: string,
): Promise<Evaluation> {
  const evaluation = emptyEvaluation(year, method, version);
  if (!method) return evaluation;
  const rows = await rowsWithoutTimeout<EvaluationRow>(database, evaluationSql(method, year));
  const shared: Shared = { method, year, indicators: weighted(method), benchmarks: new Map() };
  for (const p of method.populations) evaluation.ranked.set(p.id, []);
  for (const row of rows) {
    const result = new Result(row, shared);
    evaluation.results.set(row.uscc, result);
    if (row.population === null) continue;
    evaluation.ranked.get(row.population)!.push(result);
    if (row.benchmarks !== null)
      shared.benchmarks.set(row.population, numericArray(row.benchmarks).map(num));
  }
  for (const members of evaluation.ranked.values()) members.sort((a, b) => a.rank! - b.rank!);
  return evaluation;
}

/**
 * Process-wide cache per database of county evaluations, keyed by (method id, year, data version).
 * It holds no per-user data (every viewer with the profile scope sees the same grades), and the
 * data version changes with every ingest batch and manual link, so a stale ranking is never served.
 */
const evaluations = new VersionedCache<Evaluation>(6);

/**
 * The 亩产效益 evaluation of `year` for the whole county (docs/metrics.md), from the cache when the
 * data has not changed since it was computed: one cheap statement (the data version) on a hit,
 * one set-based statement more on a miss.
 */
export async function evaluateYear(
  database: Database,
  year: number,
  options: { methods?: readonly EvaluationMethod[] } = {},
): Promise<Evaluation> {
  checkYear(year);
  const method = methodForYear(year, options.methods ?? evaluationMethods());
  const version = await dataVersion(database);
  const status = await yearStatus(database, year, version);
  // a year that has not ended or whose data is not in grades no one (not cached: the day may pass)
  if (!status.evaluable) return emptyEvaluation(year, method, version, status.reasons);
  return evaluations.get(database, `${method?.id ?? '-'}|${year}`, version, () =>
    compute(database, year, method, version),
  );
}

/**
 * The figures of `year` for these enterprises from the county evaluation (whose statement carries
 * every enterprise's figures) when the default methods and metricsSql's default energy factor apply;
 * null otherwise (the caller computes them). Without `evaluate`, only when the evaluation is cached
 * (or being computed) for the current data version; with it, the evaluation is computed once per
 * data version if needed, so that every later page of figures costs no statement at all.
 * Unregistered enterprises are absent.
 */
export async function metricsFromEvaluation(
  database: Database,
  usccs: readonly string[],
  year: number,
  options: { evaluate?: boolean } = {},
): Promise<Map<string, EnterpriseMetrics> | null> {
  const method = methodForYear(year, evaluationMethods());
  if (!method || tcePer10kKwhFor(year, [method]) !== tcePer10kKwhFor(year)) return null;
  const evaluation = options.evaluate
    ? await evaluateYear(database, year)
    : await evaluations.peek(database, `${method.id}|${year}`, () => dataVersion(database));
  // a year not evaluated has no evaluation statement to take the figures from
  if (!evaluation || evaluation.notEvaluated.length) return null;
  const found = new Map<string, EnterpriseMetrics>();
  for (const uscc of usccs) {
    const result = evaluation.results.get(uscc);
    if (result instanceof Result) found.set(uscc, result.metrics());
  }
  return found;
}

/** Each enterprise's answer of a live evaluation as a published run stores it. */
export function storedAnswers(evaluation: Evaluation): StoredAnswer[] {
  return [...evaluation.results.values()].map((r) =>
    r instanceof Result ? r.toRecord() : { ...r, metrics: null },
  );
}

/**
 * One enterprise's result; not evaluated, with the reasons, when the year is not evaluated, no method
 * is in force or it is not registered.
 */
export function muEfficiencyOf(evaluation: Evaluation, uscc: string): MuEfficiencyResult {
  const found = evaluation.results.get(uscc);
  if (found) return found;
  const reasons = evaluation.notEvaluated.length
    ? evaluation.notEvaluated
    : [
        evaluation.method
          ? `不参评：${uscc} 不是已登记的企业`
          : `不参评：${evaluation.year} 年度没有适用的亩产效益评价办法`,
      ];
  return {
    uscc,
    year: evaluation.year,
    methodId: evaluation.method?.id ?? null,
    evaluated: false,
    population: null,
    rank: null,
    populationSize: null,
    score: null,
    grade: null,
    gradeLabel: null,
    indicators: [],
    reasons: [...reasons],
    town: null,
    industryDivision: null,
    runId: evaluation.runId,
    status: evaluation.status,
  };
}

export interface RankingOptions {
  year: number;
  population: Population;
  /** 所属乡镇 */
  town?: string | null;
  /** 行业大类, e.g. C36 */
  industryDivision?: string | null;
  /** at most this many (default: all) */
  first?: number | null;
}

/** A population's members best first (county-wide rank kept), optionally within one town or industry division. */
export function rankingOf(
  evaluation: Evaluation,
  options: Omit<RankingOptions, 'year'>,
): MuEfficiencyResult[] {
  const members = evaluation.ranked.get(options.population) ?? [];
  const filtered = members.filter(
    (r) =>
      (options.town == null || r.town === options.town) &&
      (options.industryDivision == null || r.industryDivision === options.industryDivision),
  );
  return options.first == null ? filtered : filtered.slice(0, Math.max(0, options.first));
}

/** The 亩产效益 ranking of `year` (cached evaluation), best first. */
export async function ranking(
  database: Database,
  options: RankingOptions,
): Promise<MuEfficiencyResult[]> {
  return rankingOf(await evaluateYear(database, options.year), options);
}

/** Per-request loader of the county evaluation by year: the data version is checked once per request and year. */
export function evaluationLoader(database: Database) {
  return new DataLoader<number, Evaluation>(async (years) =>
    Promise.all(years.map((year) => evaluateYear(database, year))),
  );
}
