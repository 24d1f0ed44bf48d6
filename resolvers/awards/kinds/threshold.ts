import { sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  checkEventDate,
  lastClosedYear,
  lastEventDay,
  limitText,
  toFen,
  yuanText,
} from '../format.js';
import type { Facts, Outcome, RuleKind, RuleLike, TaxAnnualFact } from '../types.js';

/**
 * An annual figure of the income-tax return first reaching a threshold (首次突破): the
 * event is 31 December of the first year on record whose figure is ≥ the threshold.
 */
export const thresholdCondition = z
  .object({
    kind: z.literal('annual-threshold-first-crossing'),
    /** revenue: 营业收入; software_revenue: 软件业务收入 (empty in the return means 0) */
    field: z.enum(['revenue', 'software_revenue']),
    thresholdYuan: z.number().positive(),
    /** only enterprises of these 行业大类 (e.g. I65); any when absent */
    industryDivisions: z
      .array(z.string().regex(/^[A-T]\d{2}$/))
      .min(1)
      .optional(),
    /** the divisions' name for the reasons, e.g. 软件和信息技术服务业 */
    industryLabel: z.string().optional(),
  })
  .strict();

type ThresholdCondition = z.infer<typeof thresholdCondition>;

/**
 * The figures a threshold may read. `detail` names the department whose detail the figure is when
 * no other role may read it (营业收入 is in every profile's metrics; 软件业务收入 only in the tax
 * return): the reasons then cite it to that department's role alone (docs/security.md).
 */
const FIELD = {
  revenue: {
    label: '营业收入',
    column: sql.raw('t.revenue_yuan'),
    value: (r: TaxAnnualFact) => r.revenueYuan,
    detail: null,
  },
  // docs/sources.md 2b: an empty 软件业务收入 means 0.
  software_revenue: {
    label: '软件业务收入',
    column: sql.raw('t.software_revenue_yuan'),
    value: (r: TaxAnnualFact) => r.softwareRevenueYuan ?? '0',
    detail: 'tax',
  },
} as const;

/** How the reasons tell the figures: in full, or (to a role that may not read them) by year only. */
interface Telling {
  figures(figures: YearFigure[]): string;
  /** " 1,234.00 元", or nothing */
  value(fen: bigint): string;
}
const IN_FULL: Telling = { figures: (f) => figuresText(f), value: (fen) => ` ${yuanText(fen)}` };
const BY_YEAR: Telling = { figures: (f) => f.map((x) => x.year).join(', '), value: () => '' };

interface YearFigure {
  year: number;
  fen: bigint;
}

const figuresText = (figures: YearFigure[]) =>
  figures.map((f) => `${f.year}: ${yuanText(f.fen)}`).join(', ');

/** The first year on record whose figure reaches the threshold. */
function firstCrossing(figures: YearFigure[], thresholdYuan: number) {
  const threshold = toFen(thresholdYuan);
  return figures.find((f) => f.fen >= threshold);
}

/** The figures of one field, parsed once per enterprise (three tiers read the same years). */
const parsed = new WeakMap<Facts, Map<string, { blank: number[]; figures: YearFigure[] }>>();
function figuresOf(facts: Facts, field: ThresholdCondition['field']) {
  let byField = parsed.get(facts);
  if (!byField) parsed.set(facts, (byField = new Map()));
  let entry = byField.get(field);
  if (!entry) {
    const value = FIELD[field].value;
    entry = {
      blank: facts.taxAnnual.filter((r) => value(r) === null).map((r) => r.year),
      figures: facts.taxAnnual
        .filter((r) => value(r) !== null)
        .map((r) => ({ year: r.year, fen: toFen(value(r)!) })),
    };
    byField.set(field, entry);
  }
  return entry;
}

/** The years whose 31 December falls inside the window and on or before asOf: their returns decide. */
function decidingYears(window: { from: string; to: string }, asOf: string): number[] {
  const years: number[] = [];
  for (
    let y = Number(window.from.slice(0, 4));
    y <= lastClosedYear(lastEventDay(window, asOf));
    y++
  )
    years.push(y);
  return years;
}

/** Other tiers of the same figure (5亿/10亿/20亿) in the rule set, first crossed in the same year. */
function tiersCrossedTogether(
  c: ThresholdCondition,
  rules: readonly RuleLike[],
  figures: YearFigure[],
  year: number,
): number[] {
  const tiers = rules
    .map((r) => r.condition)
    .filter(
      (o): o is ThresholdCondition =>
        o.kind === c.kind && (o as ThresholdCondition).field === c.field,
    )
    .filter((o) => String(o.industryDivisions ?? '') === String(c.industryDivisions ?? ''))
    .filter((o) => firstCrossing(figures, o.thresholdYuan)?.year === year)
    .map((o) => o.thresholdYuan);
  return [...new Set(tiers)].sort((a, b) => a - b);
}

export const thresholdKind: RuleKind<ThresholdCondition> = {
  kind: 'annual-threshold-first-crossing',
  computesAmount: false,
  needs: () => ['taxAnnual'],
  prefilter(c, asOf, window) {
    const years = decidingYears(window, asOf);
    if (years.length === 0) return sql`select null::varchar as uscc where false`;
    const division = c.industryDivisions
      ? sql`and exists (select 1 from enterprises e where e.uscc = t.uscc and e.industry_division = any(${sql.param(c.industryDivisions)}::text[]))`
      : sql``;
    return sql`
      select t.uscc from tax_annual t
      where t.uscc is not null and t.year between ${years[0]} and ${years[years.length - 1]}
        and ${FIELD[c.field].column} >= ${c.thresholdYuan} ${division}`;
  },
  evaluate(c, facts: Facts, at): Outcome {
    const { label } = FIELD[c.field];
    const limit = limitText(c.thresholdYuan);
    const reasons: string[] = [];
    const missing: string[] = [];
    if (c.industryDivisions) {
      const kindName = c.industryLabel ?? c.industryDivisions.join('、');
      const division = facts.enterprise?.industryDivision ?? null;
      if (!division) {
        missing.push(
          `行业大类（市场监管局 企业登记 行业代码）为空，无法判断是否为${kindName}企业（${c.industryDivisions.join('、')}）`,
        );
        return { met: false, eventDate: null, reasons, missing };
      }
      if (!c.industryDivisions.includes(division)) {
        reasons.push(
          `行业大类 ${division} 不属于${kindName}（${c.industryDivisions.join('、')}），本项只适用于${kindName}企业`,
        );
        return { met: false, eventDate: null, reasons, missing };
      }
      reasons.push(`行业大类 ${division}，属于${kindName}企业`);
    }
    const { blank, figures } = figuresOf(facts, c.field);
    if (blank.length > 0) reasons.push(`${blank.join('、')}年度申报的${label}为空，视为无记录`);
    if (figures.length === 0) {
      missing.push(`税务局 企业所得税年度申报：无${label}记录`);
      return { met: false, eventDate: null, reasons, missing };
    }
    const crossing = firstCrossing(figures, c.thresholdYuan);
    const detail = FIELD[c.field].detail;
    /** the outcome, with the reasons told in full and, for a department's figure, by year only */
    const outcome = (met: boolean, eventDate: string | null, cite: (t: Telling) => string[]) => ({
      met,
      eventDate,
      reasons: [...reasons, ...cite(IN_FULL)],
      missing,
      ...(detail
        ? { withoutDetail: { department: detail, reasons: [...reasons, ...cite(BY_YEAR)] } }
        : {}),
    });
    if (!crossing) {
      const absent = decidingYears(at.window, at.asOf).filter(
        (y) => !figures.some((f) => f.year === y),
      );
      for (const y of absent) missing.push(`${y}年度${label}（税务局 企业所得税年度申报）无记录`);
      return outcome(false, null, (t) => [
        `有记录的年份 (${t.figures(figures)}) ${label}均未达到 ${limit}`,
      ]);
    }
    const eventDate = `${crossing.year}-12-31`;
    const check = checkEventDate(eventDate, at.window, at.asOf);
    const earlier = figures.filter((f) => f.year < crossing.year);
    const history = (t: Telling) =>
      earlier.length > 0
        ? `此前有记录的年份 (${t.figures(earlier)}) 均未达到`
        : `此前年份无申报记录（记录始于 ${crossing.year} 年），按有记录的首次突破认定，如需更严格的认定请核实 ${crossing.year} 年以前的${label}`;
    const tiers = tiersCrossedTogether(c, at.rules, figures, crossing.year);
    return outcome(check.ok, eventDate, (t) => [
      `${crossing.year}年${label}${t.value(crossing.fen)} ≥ ${limit}，${history(t)}；${check.reason}`,
      ...(tiers.length > 1
        ? [
            `${crossing.year}年同时首次突破 ${tiers.map(limitText).join('、')} ${tiers.length} 档，各档独立认定，均按首次突破计`,
          ]
        : []),
    ]);
  },
  frozenWithoutDetail(c, reasons, eventDate) {
    const { label, detail } = FIELD[c.field];
    if (!detail) return null;
    // a line of a round is an award granted: its figure crossed the threshold in the event's year
    const year = eventDate ? `${eventDate.slice(0, 4)}年` : '';
    const general = `${year}${label} ≥ ${limitText(c.thresholdYuan)}（各年度${label}属税务局年度申报明细，本角色不可查看）`;
    return {
      department: detail,
      reasons: reasons.map((r) => (r.includes(label) ? general : r)),
    };
  },
};
