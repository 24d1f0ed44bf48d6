import DataLoader from 'dataloader';
import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { enterprises } from '../db/market.js';
import { dataVersion } from './data-version.js';
import {
  evaluationMethods,
  methodForYear,
  RATIO_METRICS,
  tcePer10kKwhFor,
  type EvaluationMethod,
  type Grade,
  type Indicator,
  type Population,
} from './evaluation-method.js';
import { assertYear, metricsSql, whyNull, type MetricsRow } from './metrics.js';

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

/** The 亩产效益 evaluation of one enterprise in one year (metrics.md). */
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
}

/** The county's evaluation for one year: every registered enterprise, ranked within its population. */
export interface Evaluation {
  year: number;
  method: EvaluationMethod | null;
  dataVersion: string;
  results: Map<string, MuEfficiencyResult>;
  /** members of each population, best first */
  ranked: Map<Population, MuEfficiencyResult[]>;
}

type EvaluationRow = MetricsRow & {
  status: string;
  established_on: string | null;
  industry_section: string | null;
  town: string | null;
  industry_division: string | null;
  industrial: boolean;
  active: boolean;
  established: boolean | null;
  population: Population | null;
  score: string | null;
  rank: number | null;
  population_size: number | null;
  grade: Grade | null;
} & Record<`${'b' | 'w' | 'p'}${number}`, string | null>;

const list = (values: readonly (string | number)[]) => sql.join(values.map((v) => sql`${String(v)}`), sql`, `);
const num = (v: string | null) => (v === null ? null : Number(v));
const fmt = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 4 });

/** Indicators weighted in at least one population, in the method's order. */
const weighted = (method: EvaluationMethod) => method.indicators.filter((i) => method.populations.some((p) => p.weights[i.id] !== undefined));

function populationCondition(p: EvaluationMethod['populations'][number]): SQL {
  const parts: SQL[] = [];
  if (p.minRevenueYuan !== undefined) parts.push(sql`revenue_yuan >= ${String(p.minRevenueYuan)}::numeric`);
  if (p.minLandMu !== undefined) parts.push(sql`land_area_mu >= ${String(p.minLandMu)}::numeric`);
  return parts.length ? sql.join(parts, sql` and `) : sql`true`;
}

/**
 * The whole county's evaluation in one statement: metrics, population, benchmarks (aggregate
 * ratios over the members with a value), points, score, position and grade, computed on numeric.
 */
export function evaluationSql(method: EvaluationMethod, year: number): SQL {
  const indicators = weighted(method);
  const { grades } = method;
  const cap = String(method.pointsCap);
  const weightOf = (ind: Indicator) =>
    sql`case population ${sql.join(
      method.populations.filter((p) => p.weights[ind.id] !== undefined).map((p) => sql`when ${p.id}::text then ${String(p.weights[ind.id])}::numeric`),
      sql` `,
    )} end`;
  const each = (f: (ind: Indicator, i: number) => SQL, separator = sql`, `) => sql.join(indicators.map(f), separator);
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
          case ${sql.join(method.populations.map((p) => sql`when ${populationCondition(p)} then ${p.id}::text`), sql` `)} end
        end as population
      from flagged
    ),
    bench as (
      select population, ${each((ind, i) => {
        const { numerator, denominator } = RATIO_METRICS[ind.metric];
        const having = sql`filter (where ${value(ind)} is not null)`;
        return sql`sum(${sql.identifier(numerator)}) ${having} / nullif(sum(${sql.identifier(denominator)}) ${having}, 0) as ${sql.identifier(`b${i}`)}`;
      })}
      from classified where population is not null group by population
    ),
    weighed as (
      select classified.*, ${each((ind, i) => sql`bench.${sql.identifier(`b${i}`)}, ${weightOf(ind)} as ${sql.identifier(`w${i}`)}`)}
      from classified left join bench using (population)
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
        (row_number() over (partition by population order by score desc, uscc collate "C" asc))::int as position,
        (count(*) over (partition by population))::int as size
      from scored
    )
    select ranked.*,
      case when population is not null then position end as rank,
      case when population is not null then size end as population_size,
      case when population is null then null
        when position > size - ceil(size * ${String(grades.dMinShare)}::numeric) then 'D'
        when position <= floor(size * ${String(grades.aMaxShare)}::numeric) then 'A'
        when position <= floor(size * ${String(grades.aMaxShare)}::numeric) + floor(size * ${String(grades.bShare)}::numeric) then 'B'
        else 'C' end as grade
    from ranked`;
}

function eligibilityReasons(row: EvaluationRow, method: EvaluationMethod, year: number): string[] {
  const reasons: string[] = [];
  const sections = method.evaluated.industrySections.join(', ');
  if (!row.industrial) {
    const section = row.industry_section;
    reasons.push(
      section === null
        ? `not evaluated: industry section unknown (evaluated: ${sections})`
        : `not evaluated: industry section ${section} is not industrial (evaluated: ${sections}${section === 'D' ? '; utilities are not evaluated' : ''})`,
    );
  }
  if (!row.active) reasons.push(`not evaluated: 登记状态 ${row.status} is not active (${method.evaluated.activeStatuses.join(', ')})`);
  if (row.established === null) reasons.push('not evaluated: 成立日期 unknown');
  else if (!row.established) reasons.push(`T 暂不评价: established on ${row.established_on}, after ${year}-01-01`);
  return reasons;
}

/** Which thresholds of a population the enterprise meets or misses, in words. */
function thresholds(row: EvaluationRow, p: EvaluationMethod['populations'][number], year: number): { met: boolean; words: string[] } {
  const words: string[] = [];
  let met = true;
  if (p.minRevenueYuan !== undefined) {
    const revenue = num(row.revenue_yuan);
    const ok = revenue !== null && revenue >= p.minRevenueYuan;
    met &&= ok;
    words.push(`营业收入 ${year} ${revenue === null ? 'missing' : `${fmt(revenue)} 元`} ${ok ? '≥' : '<'} ${fmt(p.minRevenueYuan)} 元`);
  }
  if (p.minLandMu !== undefined) {
    const land = num(row.land_area_mu);
    const ok = land !== null && land >= p.minLandMu;
    met &&= ok;
    words.push(`land in use ${land === null ? 'unknown' : `${fmt(land)} 亩`} ${ok ? '≥' : '<'} ${fmt(p.minLandMu)} 亩`);
  }
  return { met, words };
}

function toResult(row: EvaluationRow, method: EvaluationMethod, year: number): MuEfficiencyResult {
  const reasons = eligibilityReasons(row, method, year);
  const population = row.population;
  const base = { uscc: row.uscc, year, methodId: method.id, town: row.town, industryDivision: row.industry_division };
  if (population === null) {
    if (reasons.length === 0) {
      const missed = method.populations.map((p) => `${p.nameZh}: ${thresholds(row, p, year).words.join(', ')}`);
      reasons.push(`not evaluated: neither population applies (${missed.join('; ')})`);
    }
    const none = { population: null, rank: null, populationSize: null, score: null, grade: null, gradeLabel: null };
    return { ...base, ...none, evaluated: false, indicators: [], reasons };
  }
  const pop = method.populations.find((p) => p.id === population)!;
  reasons.push(`${pop.nameZh} (${thresholds(row, pop, year).words.join(', ') || 'no threshold'})`);
  const indicators: IndicatorResult[] = [];
  weighted(method).forEach((ind, i) => {
    const weight = num(row[`w${i}`]);
    if (weight === null) return;
    const value = num(row[ind.metric]);
    const benchmark = num(row[`b${i}`]);
    const points = Number(row[`p${i}`]);
    indicators.push({ id: ind.id, nameZh: ind.nameZh, unit: ind.unit, weight, value, benchmark, points });
    if (value === null) reasons.push(`${ind.nameZh} missing (${whyNull(row, ind.metric).join('; ')}): scores 0`);
    else if (benchmark === null || benchmark <= 0) reasons.push(`${ind.nameZh}: the ${pop.nameZh} benchmark is not positive: scores 0`);
    else if (value / benchmark > method.pointsCap) reasons.push(`${ind.nameZh} is ${fmt(value / benchmark)} × the benchmark: capped at ${method.pointsCap}`);
    else if (value < 0) reasons.push(`${ind.nameZh} is negative: scores 0`);
  });
  const grade = row.grade!;
  const label = method.grades.labels[grade] ?? null;
  reasons.push(`rank ${row.rank} of ${row.population_size} in ${pop.nameZh}: grade ${grade}${label ? ` ${label}` : ''}`);
  return {
    ...base,
    evaluated: true,
    population,
    rank: row.rank,
    populationSize: row.population_size,
    score: num(row.score),
    grade,
    gradeLabel: label,
    indicators,
    reasons,
  };
}

async function compute(database: Database, year: number, method: EvaluationMethod | null, version: string): Promise<Evaluation> {
  const evaluation: Evaluation = { year, method, dataVersion: version, results: new Map(), ranked: new Map() };
  if (!method) return evaluation;
  const rows = await database.rows<EvaluationRow>(evaluationSql(method, year));
  for (const row of rows) evaluation.results.set(row.uscc, toResult(row, method, year));
  for (const p of method.populations) evaluation.ranked.set(p.id, []);
  for (const result of evaluation.results.values()) if (result.population) evaluation.ranked.get(result.population)!.push(result);
  for (const members of evaluation.ranked.values()) members.sort((a, b) => a.rank! - b.rank!);
  return evaluation;
}

/**
 * Process-wide cache per database of county evaluations, keyed by (method id, year, data version).
 * It holds no per-user data (every viewer with the profile scope sees the same grades), and the
 * data version changes with every ingest batch and manual link, so a stale ranking is never served.
 */
const caches = new WeakMap<Database, Map<string, Promise<Evaluation>>>();
const MAX_CACHED = 6;

/**
 * The 亩产效益 evaluation of `year` for the whole county (metrics.md), from the cache when the
 * data has not changed since it was computed: one cheap statement (the data version) on a hit,
 * one set-based statement more on a miss.
 */
export async function evaluateYear(
  database: Database,
  year: number,
  options: { methods?: readonly EvaluationMethod[] } = {},
): Promise<Evaluation> {
  assertYear(year);
  const method = methodForYear(year, options.methods ?? evaluationMethods());
  const version = await dataVersion(database);
  const scope = `${method?.id ?? '-'}|${year}|`;
  const key = scope + version;
  let cache = caches.get(database);
  if (!cache) caches.set(database, (cache = new Map()));
  let entry = cache.get(key);
  if (!entry) {
    for (const k of cache.keys()) if (k.startsWith(scope)) cache.delete(k); // an older data version
    entry = compute(database, year, method, version);
    cache.set(key, entry);
    const stored = entry;
    entry.catch(() => cache.get(key) === stored && cache.delete(key));
    while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  }
  return entry;
}

/** One enterprise's result; not evaluated, with the reason, when no method is in force or it is not registered. */
export function muEfficiencyOf(evaluation: Evaluation, uscc: string): MuEfficiencyResult {
  const found = evaluation.results.get(uscc);
  if (found) return found;
  const reason = evaluation.method
    ? `not evaluated: ${uscc} is not a registered enterprise`
    : `not evaluated: no 亩产效益 evaluation method is in force for ${evaluation.year}`;
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
    reasons: [reason],
    town: null,
    industryDivision: null,
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
export function rankingOf(evaluation: Evaluation, options: Omit<RankingOptions, 'year'>): MuEfficiencyResult[] {
  const members = evaluation.ranked.get(options.population) ?? [];
  const filtered = members.filter(
    (r) => (options.town == null || r.town === options.town) && (options.industryDivision == null || r.industryDivision === options.industryDivision),
  );
  return options.first == null ? filtered : filtered.slice(0, Math.max(0, options.first));
}

/** The 亩产效益 ranking of `year` (cached evaluation), best first. */
export async function ranking(database: Database, options: RankingOptions): Promise<MuEfficiencyResult[]> {
  return rankingOf(await evaluateYear(database, options.year), options);
}

/** Per-request loader of the county evaluation by year: the data version is checked once per request and year. */
export function evaluationLoader(database: Database) {
  return new DataLoader<number, Evaluation>(async (years) => Promise.all(years.map((year) => evaluateYear(database, year))));
}
