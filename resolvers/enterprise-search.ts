import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { enterprises } from '../db/market.js';
import { enterpriseYearFigures } from '../db/search.js';
import { UserInputError } from '../lib/errors.js';
import { normaliseName } from '../lib/names.js';
import { clusters, inClusterSql } from './clusters.js';
import { GRADES, type Grade } from './evaluation-method.js';
import { preparedShape, shapeOf } from './planned-read.js';
import { ensureYearFigures } from './year-figures.js';

/**
 * Finding enterprises (企业检索): filters on the register and on a year's figures, ordering by
 * name, USCC or any metric of a year (nulls last, USCC as the tie-breaker), keyset cursors.
 * A year's figures come from the `enterprise_year_figures` snapshot (resolvers/year-figures.ts),
 * so a page is one indexed statement and the total one more.
 */

/** Largest page (`first`); above it the caller gets a SearchInputError. */
export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

/** 存续 and 在业 are active (docs/sources.md 1a). */
export const ACTIVE_STATUSES = ['存续', '在业'] as const;

/** The metric orderings and the snapshot column behind each (docs/metrics.md units in the names). */
export const METRIC_ORDER_COLUMNS = {
  LAND_AREA_MU: enterpriseYearFigures.landAreaMu,
  TAX_PAID_YUAN: enterpriseYearFigures.taxPaidYuan,
  REVENUE_YUAN: enterpriseYearFigures.revenueYuan,
  ELECTRICITY_KWH: enterpriseYearFigures.electricityKwh,
  ENERGY_TCE: enterpriseYearFigures.energyTce,
  MU_AVERAGE_TAX_YUAN: enterpriseYearFigures.muAverageTaxYuan,
  MU_AVERAGE_REVENUE_YUAN: enterpriseYearFigures.muAverageRevenueYuan,
  REVENUE_PER_TCE_YUAN: enterpriseYearFigures.revenuePerTceYuan,
  RD_INTENSITY: enterpriseYearFigures.rdIntensity,
  EMPLOYEES: enterpriseYearFigures.employees,
  LABOUR_PRODUCTIVITY_YUAN: enterpriseYearFigures.labourProductivityYuan,
  SCORE: enterpriseYearFigures.score,
} as const;
export type MetricOrderField = keyof typeof METRIC_ORDER_COLUMNS;
export const ORDER_FIELDS = [
  'NAME',
  'USCC',
  ...(Object.keys(METRIC_ORDER_COLUMNS) as MetricOrderField[]),
] as const;
export type OrderField = (typeof ORDER_FIELDS)[number];

export type Scale = 'ABOVE_SCALE' | 'BELOW_SCALE';

/** A closed range; either end may be open (null). */
export interface Range {
  min?: number | null;
  max?: number | null;
}

export interface EnterpriseFilterInput {
  /** 所属乡镇, exactly */
  town?: string | null;
  /** 行业门类, e.g. C */
  industrySection?: string | null;
  /** 行业大类, e.g. C36 */
  industryDivision?: string | null;
  /** a cluster id of config/clusters.json, e.g. AUTO_PARTS */
  cluster?: string | null;
  /** 登记状态, exactly */
  status?: string | null;
  /** true: 存续 or 在业; false: every other status */
  active?: boolean | null;
  /** a part of the current or a former name (normalised: full/half-width, brackets, spaces) */
  name?: string | null;
  /** the year the following criteria (and a metric ordering) refer to */
  year?: number | null;
  /** 规上 / 规下 by revenue of `year` (a missing revenue is below scale) */
  scale?: Scale | null;
  /** the 亩产效益 grade of `year` */
  grade?: string | null;
  /** 营业收入 of `year` in 元 */
  revenueYuan?: Range | null;
  /** 亩均税收 of `year` in 元/亩 */
  muAverageTaxYuan?: Range | null;
}

export interface EnterpriseOrderInput {
  field: OrderField;
  direction?: 'ASC' | 'DESC' | null;
  /** the year of a metric ordering (or take the filter's year) */
  year?: number | null;
}

/** Input the caller can correct: a bad cursor, a page too large, a year missing. */
export class SearchInputError extends UserInputError {}

/** Makes sure a year's figures are in place; per request, `ctx.loaders.yearFigures.load`. */
export type EnsureYear = (year: number) => Promise<unknown>;

const ensureDirectly =
  (database: Database): EnsureYear =>
  (year) =>
    ensureYearFigures(database, year);

/**
 * One row of a page: its key, and its cursor, encoded when first read — a document that asks for
 * the nodes alone never reads one.
 */
export class PageEdge {
  #cursor: string | undefined;
  constructor(
    readonly uscc: string,
    /** the value the page is ordered by, as text (null sorts last) */
    private readonly sortValue: string | null,
  ) {}

  get cursor(): string {
    this.#cursor ??= encodeCursor(this.sortValue, this.uscc);
    return this.#cursor;
  }
}

export interface SearchPage {
  edges: PageEdge[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** with `{ rows: true }`: each edge's register row, in edge order (read by the same statement) */
  rows?: (typeof enterprises.$inferSelect)[];
}

interface Compiled {
  from: SQL;
  where: SQL[];
  /** what totalCount counts: the cheapest equivalent of `from` and `where` */
  count: { from: SQL; where: SQL[] };
  year: number | null;
  /** the USCC column rows are keyed and tie-broken by */
  key: SQL;
}

const e = enterprises;
const f = enterpriseYearFigures;

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The year the request refers to: the filter's, the ordering's, or an error when needed and absent. */
function yearOf(
  filter: EnterpriseFilterInput,
  order: EnterpriseOrderInput | null | undefined,
): number | null {
  const fy = filter.year ?? null;
  const oy = order?.year ?? null;
  if (fy !== null && oy !== null && fy !== oy)
    throw new SearchInputError(
      `filter.year（${fy}）与 orderBy.year（${oy}）不一致：请只给一个年份`,
    );
  const year = fy ?? oy;
  const needs = [
    filter.scale != null && 'scale',
    filter.grade != null && 'grade',
    filter.revenueYuan != null && 'revenueYuan',
    filter.muAverageTaxYuan != null && 'muAverageTaxYuan',
    order && order.field !== 'NAME' && order.field !== 'USCC' && `orderBy ${order.field}`,
  ].filter(Boolean);
  if (needs.length && year === null)
    throw new SearchInputError(`${needs.join('、')} 需要年份：请设置 filter.year 或 orderBy.year`);
  return needs.length ? year : null;
}

function range(
  column: SQL | typeof f.revenueYuan,
  r: Range | null | undefined,
  name: string,
): SQL[] {
  if (!r) return [];
  if (r.min != null && r.max != null && r.min > r.max)
    throw new SearchInputError(`${name}：下限 min ${r.min} 大于上限 max ${r.max}`);
  return [
    r.min != null ? sql`${column} >= ${String(r.min)}::numeric` : undefined,
    r.max != null ? sql`${column} <= ${String(r.max)}::numeric` : undefined,
  ].filter((c): c is SQL => c !== undefined);
}

/**
 * How a value of the caller's enters a statement: as itself (a parameter of this statement), or as
 * a named placeholder whose value is recorded, for a statement prepared once per shape.
 */
type Bind = (name: string, value: string) => unknown;
const asValue: Bind = (_name, value) => value;

/** A Bind that puts placeholders in and keeps the values they stand for in `values`. */
function placeholders(values: Record<string, string>): Bind {
  return (name, value) => {
    values[name] = value;
    return sql.placeholder(name);
  };
}

/**
 * The register as a statement names it: `enterprises` itself, or the alias a relational read
 * gives it (its columns render as that alias's).
 */
type Register = typeof enterprises;

function compile(
  filter: EnterpriseFilterInput,
  order: EnterpriseOrderInput | null | undefined,
  bind: Bind = asValue,
  e: Register = enterprises,
): Compiled {
  const year = yearOf(filter, order);
  // Register conditions come in two lists: town and industry, which the year's snapshot copies
  // (each condition on `enterprises` and on the snapshot, whose (year, town, 亩均税收) index then
  // serves a page without a join), and the others, which only `enterprises` can answer.
  const copied: { register: SQL; snapshot: SQL }[] = [];
  const registerOnly: SQL[] = [];
  const figures: SQL[] = [];
  const town = filter.town?.trim();
  if (town != null)
    copied.push({
      register: sql`${e.town} = ${bind('town', town)}`,
      snapshot: sql`${f.town} = ${bind('town', town)}`,
    });
  const section = filter.industrySection?.trim().toUpperCase();
  if (section != null)
    copied.push({
      register: sql`${e.industrySection} = ${bind('section', section)}`,
      snapshot: sql`${f.industrySection} = ${bind('section', section)}`,
    });
  const division = filter.industryDivision?.trim().toUpperCase();
  if (division != null)
    copied.push({
      register: sql`${e.industryDivision} = ${bind('division', division)}`,
      snapshot: sql`${f.industryDivision} = ${bind('division', division)}`,
    });
  if (filter.cluster != null) {
    if (!clusters().some((c) => c.id === filter.cluster))
      throw new SearchInputError(`未知的产业集群 ${filter.cluster}`);
    registerOnly.push(inClusterSql(sql`(${e.industryCode} collate "C")`, filter.cluster));
  }
  if (filter.status != null)
    registerOnly.push(sql`${e.status} = ${bind('status', filter.status.trim())}`);
  if (filter.active != null) {
    const list = sql.join(
      ACTIVE_STATUSES.map((s) => sql`${s}`),
      sql`, `,
    );
    registerOnly.push(
      filter.active ? sql`${e.status} in (${list})` : sql`${e.status} not in (${list})`,
    );
  }
  if (filter.name != null && filter.name.trim() !== '') {
    // An infix match cannot use a btree (pg_trgm is not in PGlite by default): one scan of the
    // register over the current and former names joined by U+0001, which no name contains.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: U+0001 is the separator described above
    const pattern = `%${escapeLike(normaliseName(filter.name).replace(/\u0001/g, ''))}%`;
    registerOnly.push(
      sql`(${e.nameNorm} || chr(1) || array_to_string(${e.formerNamesNorm}, chr(1))) like ${bind('name', pattern)}`,
    );
  }
  if (filter.scale != null)
    figures.push(
      filter.scale === 'ABOVE_SCALE'
        ? sql`${f.aboveScale}`
        : sql`not coalesce(${f.aboveScale}, false)`,
    );
  if (filter.grade != null) {
    const grade = filter.grade.trim().toUpperCase();
    if (!(GRADES as readonly string[]).includes(grade))
      throw new SearchInputError(`等级 grade 须为 ${GRADES.join('、')} 之一，收到 ${filter.grade}`);
    figures.push(sql`${f.grade} = ${grade as Grade}`);
  }
  figures.push(...range(sql`${f.revenueYuan}`, filter.revenueYuan, 'revenueYuan'));
  figures.push(...range(sql`${f.muAverageTaxYuan}`, filter.muAverageTaxYuan, 'muAverageTaxYuan'));

  const onRegister = [...copied.map((c) => c.register), ...registerOnly];
  if (year === null)
    return {
      from: sql`${e}`,
      where: onRegister,
      count: { from: sql`${e}`, where: onRegister },
      year,
      key: sql`${e.uscc}`,
    };
  // With a year, the figures drive: the snapshot holds every registered enterprise of its data
  // version, so the inner join loses none, and an ordering walks its (year, metric, uscc) index,
  // probing the register for the other filters, until the page is full. The register is joined
  // only when a condition or the ordering (by name) needs it.
  const withRegister = sql`${f} join ${e} on ${e.uscc} = ${f.uscc}`;
  const joined = registerOnly.length > 0 ? withRegister : sql`${f}`;
  const where = [
    sql`${f.year} = ${year}::int`,
    ...copied.map((c) => c.snapshot),
    ...registerOnly,
    ...figures,
  ];
  // Without a condition on the figures, the register's conditions alone count (on the snapshot
  // when they are all copied there, else on `enterprises` with no join).
  const count =
    figures.length > 0 || registerOnly.length === 0
      ? { from: joined, where }
      : { from: sql`${e}`, where: onRegister };
  return {
    from: order?.field === 'NAME' ? withRegister : joined,
    where,
    count,
    year,
    key: sql`${f.uscc}`,
  };
}

const whereSql = (conditions: SQL[]) =>
  conditions.length ? sql`where ${sql.join(conditions, sql` and `)}` : sql``;

/** A page's direction: the one asked for; else metrics best first (DESC), NAME and USCC ASC. */
function directionOf(order: EnterpriseOrderInput | null | undefined): 'ASC' | 'DESC' {
  return (
    order?.direction ?? (order && order.field !== 'NAME' && order.field !== 'USCC' ? 'DESC' : 'ASC')
  );
}

/** A page's `order by`: the sort value nulls last, then the USCC unless it is the sort value. */
function orderBySql(
  order: EnterpriseOrderInput | null | undefined,
  sort: ReturnType<typeof sortExpression>,
  key: SQL,
  direction: 'ASC' | 'DESC',
): SQL {
  const dir = direction === 'DESC' ? sql`desc` : sql`asc`;
  const tieBreak = order?.field === 'USCC' || !order ? sql`` : sql`, ${key} asc`;
  return sql`${sort.value} ${dir} nulls last${tieBreak}`;
}

/** The ordering value of a row, as SQL and as the cursor holds it (text; numeric stays exact). */
function sortExpression(
  order: EnterpriseOrderInput | null | undefined,
  key: SQL,
  e: Register = enterprises,
): { value: SQL; cast: (v: unknown) => SQL; nullable: boolean } {
  const field = order?.field ?? 'USCC';
  if (field === 'USCC') return { value: key, cast: (v) => sql`${v}`, nullable: false };
  if (field === 'NAME')
    return {
      value: sql`(${e.name} collate "C")`,
      cast: (v) => sql`(${v} collate "C")`,
      nullable: false,
    };
  return {
    value: sql`${METRIC_ORDER_COLUMNS[field]}`,
    cast: (v) => sql`${v}::numeric`,
    nullable: true,
  };
}

function encodeCursor(value: string | null, uscc: string): string {
  return Buffer.from(JSON.stringify([value, uscc]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): [string | null, string] {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (parsed[0] === null || typeof parsed[0] === 'string') &&
      typeof parsed[1] === 'string'
    ) {
      return [parsed[0], parsed[1]];
    }
  } catch {
    // fall through
  }
  throw new SearchInputError('after 不是本列表的分页游标');
}

/** Rows after the cursor in the order `value dir nulls last, uscc asc`. */
function after(
  cursor: string,
  sort: ReturnType<typeof sortExpression>,
  direction: 'ASC' | 'DESC',
  key: SQL,
  bind: Bind = asValue,
): SQL {
  const [text, usccText] = decodeCursor(cursor);
  if (!sort.nullable && text === null) throw new SearchInputError('after 不是本排序的分页游标');
  const uscc = bind('afterUscc', usccText);
  if (text === null) return sql`(${sort.value} is null and ${key} > ${uscc})`;
  const value = bind('afterValue', text);
  const beyond =
    direction === 'DESC'
      ? sql`${sort.value} < ${sort.cast(value)}`
      : sql`${sort.value} > ${sort.cast(value)}`;
  const tie = sql`(${sort.value} = ${sort.cast(value)} and ${key} > ${uscc})`;
  return sort.nullable
    ? sql`(${beyond} or ${tie} or ${sort.value} is null)`
    : sql`(${beyond} or ${tie})`;
}

/** `first` checked: 1 … MAX_PAGE (default DEFAULT_PAGE). */
export function pageSize(first: number | null | undefined): number {
  if (first == null) return DEFAULT_PAGE;
  if (!Number.isInteger(first) || first < 0)
    throw new SearchInputError(`first 须为不小于 0 的整数，收到 ${first}`);
  if (first > MAX_PAGE)
    throw new SearchInputError(`first 最大为 ${MAX_PAGE}，收到 ${first}：请用 after 翻页`);
  return first;
}

/**
 * One page of enterprises matching `filter` in `order` (default: USCC ascending; metrics default
 * to descending, best first), after the cursor `after`. One statement, plus the snapshot check
 * when a year is involved; with `rows`, the same statement also reads each enterprise's register row.
 */
export async function searchEnterprises(
  database: Database,
  filter: EnterpriseFilterInput = {},
  order: EnterpriseOrderInput | null = null,
  page: { first?: number | null; after?: string | null } = {},
  ensureYear: EnsureYear = ensureDirectly(database),
  options: { rows?: boolean } = {},
): Promise<SearchPage> {
  const first = pageSize(page.first);
  const compiled = compile(filter, order);
  const sort = sortExpression(order, compiled.key);
  const direction = directionOf(order);
  const where = [...compiled.where];
  if (page.after) where.push(after(page.after, sort, direction, compiled.key));
  if (first === 0) return { edges: [], hasNextPage: false, hasPreviousPage: Boolean(page.after) };
  if (compiled.year !== null) await ensureYear(compiled.year);
  const orderBy = orderBySql(order, sort, compiled.key, direction);
  if (options.rows) {
    const select = database.db.select({
      uscc: sql<string>`${compiled.key}`,
      v: sql<string | null>`(${sort.value})::text`,
      row: e,
    });
    const from =
      compiled.year === null ? select.from(e) : select.from(f).innerJoin(e, eq(e.uscc, f.uscc));
    const rows = await (from as ReturnType<typeof select.from<typeof e>>)
      .where(and(...where))
      .orderBy(orderBy)
      .limit(first + 1);
    const edges = rows.slice(0, first);
    return {
      edges: edges.map((r) => new PageEdge(r.uscc, r.v)),
      rows: edges.map((r) => r.row),
      hasNextPage: rows.length > first,
      hasPreviousPage: Boolean(page.after),
    };
  }
  const rows = await database.rows<{ uscc: string; v: string | null }>(sql`
    select ${compiled.key} as uscc, (${sort.value})::text as v
    from ${compiled.from}
    ${whereSql(where)}
    order by ${orderBy}
    limit ${first + 1}`);
  const hasNextPage = rows.length > first;
  const edges = rows.slice(0, first).map((r) => new PageEdge(r.uscc, r.v));
  return { edges, hasNextPage, hasPreviousPage: Boolean(page.after) };
}

/** What the drizzle plugin planned beneath a page's nodes (columns, relations, extras). */
export type PlannedNodes = { columns?: object; with?: object; extras?: object };

type PlannedRow = typeof enterprises.$inferSelect & { cursorValue: string };

/**
 * One page of enterprises together with everything `planned` selects beneath them, in one
 * statement: the relational read of the nodes takes the page's keys from a subquery and orders
 * itself as the page is ordered. It is built and prepared once per shape — the planned selection,
 * which filters are set, the ordering and the cursor's kind — and executed with the caller's
 * values. For a filter on the register alone, in USCC or name order; undefined for the others (a
 * year's figures drive those pages: the caller reads the page, then its nodes).
 */
export async function searchEnterprisesPlanned(
  database: Database,
  filter: EnterpriseFilterInput,
  order: EnterpriseOrderInput | null,
  page: { first?: number | null; after?: string | null },
  planned: PlannedNodes,
): Promise<(SearchPage & { rows: PlannedRow[] }) | undefined> {
  // the caller's input is checked in the order searchEnterprises checks it: the size, then the rest
  const first = pageSize(page.first);
  const field = order?.field ?? 'USCC';
  // a year's figures drive the page (a filter on them, or a metric ordering): not this path
  if (yearOf(filter, order) !== null || (field !== 'USCC' && field !== 'NAME')) return undefined;
  const shape = shapeOf(planned);
  if (shape === null) return undefined;
  const values: Record<string, string> = {};
  const bind = placeholders(values);
  const compiled = compile(filter, order, bind);
  const hasPreviousPage = Boolean(page.after);
  if (first === 0) return { edges: [], rows: [], hasNextPage: false, hasPreviousPage };
  const direction = directionOf(order);
  // this request's values, under the names the prepared statement's placeholders have
  if (page.after)
    after(page.after, sortExpression(order, compiled.key), direction, compiled.key, bind);
  bind('limit', String(first + 1));
  // the SQL's structure: the same for every request of this key, whatever the values
  const key = [
    'page',
    shape,
    Object.keys(values).sort().join(','),
    filter.cluster ?? '',
    String(filter.active ?? ''),
    field,
    direction,
  ].join(' ');
  const read = preparedShape(database, key, () => {
    // the same conditions, ordering and cursor value on the relational read's alias of the
    // register, built once for the where, order by and extras that ask for them
    let built: { where: SQL; orderBy: SQL; cursorValue: SQL } | undefined;
    const on = (t: Register) => {
      if (built) return built;
      const placed = placeholders({});
      const own = compile(filter, order, placed, t);
      const sort = sortExpression(order, own.key, t);
      const where = [...own.where];
      if (page.after) where.push(after(page.after, sort, direction, own.key, placed));
      built = {
        where: and(...where) ?? sql`true`,
        orderBy: orderBySql(order, sort, own.key, direction),
        cursorValue: sql`(${sort.value})::text`,
      };
      return built;
    };
    return database.db.query.enterprises
      .findMany({
        ...planned,
        where: { RAW: (t: Register) => on(t).where },
        orderBy: (t: Register) => on(t).orderBy,
        limit: sql.placeholder('limit'),
        extras: { ...planned.extras, cursorValue: (t: Register) => on(t).cursorValue },
      } as never)
      .prepare() as never;
  });
  const rows = (await read.execute(values)) as PlannedRow[];
  const edges = rows.slice(0, first);
  return {
    edges: edges.map((r) => new PageEdge(r.uscc, r.cursorValue)),
    rows: edges,
    hasNextPage: rows.length > first,
    hasPreviousPage,
  };
}

/** How many enterprises match `filter` across all pages (totalCount). */
export async function countEnterprises(
  database: Database,
  filter: EnterpriseFilterInput = {},
  order: EnterpriseOrderInput | null = null,
  ensureYear: EnsureYear = ensureDirectly(database),
): Promise<number> {
  const compiled = compile(filter, order);
  if (compiled.year !== null) await ensureYear(compiled.year);
  const [row] = await database.rows<{ n: number }>(
    sql`select count(*)::int as n from ${compiled.count.from} ${whereSql(compiled.count.where)}`,
  );
  return Number(row.n);
}
