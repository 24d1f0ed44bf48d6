import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { RATIO_METRICS, type RatioMetric } from './metric-table.js';

/** The methods shipped with the platform (docs/metrics.md): data, validated when first used. */
export const EVALUATION_METHODS_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'config',
  'evaluation-methods.json',
);

/** 规上 / 规下 (docs/metrics.md, who is evaluated); the GraphQL enum Population. */
export const POPULATIONS = ['ABOVE_SCALE', 'BELOW_SCALE'] as const;
export type Population = (typeof POPULATIONS)[number];

export const GRADES = ['A', 'B', 'C', 'D'] as const;
export type Grade = (typeof GRADES)[number];

const share = z.number().min(0).max(1);
const identifier = z
  .string()
  .regex(/^[a-zA-Z][a-zA-Z0-9]*$/, 'letters and digits, starting with a letter');

const indicatorSchema = z.object({
  /** the indicator's name in the API, e.g. muAverageTax */
  id: identifier,
  /** e.g. 亩均税收 */
  nameZh: z.string().min(1),
  /** e.g. 元/亩 */
  unit: z.string().min(1),
  metric: z.enum(Object.keys(RATIO_METRICS) as [RatioMetric, ...RatioMetric[]]),
});

const populationSchema = z.object({
  id: z.enum(POPULATIONS),
  nameZh: z.string().min(1),
  /** member when 营业收入 of the year ≥ this (元) */
  minRevenueYuan: z.number().nonnegative().optional(),
  /** member when land in use on Dec 31 ≥ this (亩) */
  minLandMu: z.number().nonnegative().optional(),
  /** indicator id → weight (points at benchmark level) */
  weights: z.record(z.string(), z.number().positive()),
});

const methodSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and dashes'),
    title: z.string().min(1),
    effectiveYears: z.object({ from: z.number().int().min(1990), to: z.number().int().nullable() }),
    /** tonnes of standard coal (tce) per 10⁴ kWh, 当量值 */
    tcePer10kKwh: z.number().positive(),
    /** per-year overrides of tcePer10kKwh, keyed by the year */
    tcePer10kKwhByYear: z.record(z.string().regex(/^\d{4}$/), z.number().positive()).default({}),
    evaluated: z.object({
      /** GB/T 4754 section letters evaluated (B, C: industry) */
      industrySections: z.array(z.string().regex(/^[A-T]$/)).min(1),
      /** 登记状态 values that count as active */
      activeStatuses: z.array(z.string().min(1)).min(1),
    }),
    indicators: z.array(indicatorSchema).min(1),
    /** populations in order: an enterprise belongs to the first whose thresholds it meets */
    populations: z.array(populationSchema).min(1),
    /** the cap on value ÷ benchmark */
    pointsCap: z.number().positive(),
    grades: z.object({
      /** A: positions p ≤ ⌊aMaxShare·n⌋ */
      aMaxShare: share,
      /** B: the next ⌊bShare·n⌋ positions */
      bShare: share,
      /** D: positions p > n − ⌈dMinShare·n⌉ (D wins over A and B) */
      dMinShare: share,
      labels: z.record(z.enum(GRADES), z.string().min(1)),
    }),
  })
  .superRefine((m, ctx) => {
    const ids = new Set(m.indicators.map((i) => i.id));
    if (ids.size !== m.indicators.length)
      ctx.addIssue({ code: 'custom', message: `${m.id}: indicator ids repeat` });
    const pops = new Set(m.populations.map((p) => p.id));
    if (pops.size !== m.populations.length)
      ctx.addIssue({ code: 'custom', message: `${m.id}: populations repeat` });
    for (const p of m.populations) {
      if (Object.keys(p.weights).length === 0)
        ctx.addIssue({
          code: 'custom',
          message: `${m.id}: population ${p.id} weighs no indicator`,
        });
      for (const id of Object.keys(p.weights)) {
        if (!ids.has(id))
          ctx.addIssue({
            code: 'custom',
            message: `${m.id}: population ${p.id} weighs unknown indicator ${id}`,
          });
      }
    }
    if (m.effectiveYears.to !== null && m.effectiveYears.to < m.effectiveYears.from) {
      ctx.addIssue({ code: 'custom', message: `${m.id}: effectiveYears.to is before from` });
    }
    if (m.grades.aMaxShare + m.grades.bShare > 1)
      ctx.addIssue({ code: 'custom', message: `${m.id}: A and B shares exceed 1` });
  });

export type EvaluationMethod = z.infer<typeof methodSchema>;
export type Indicator = EvaluationMethod['indicators'][number];

const fileSchema = z.object({ methods: z.array(methodSchema).min(1) }).superRefine((file, ctx) => {
  const sorted = [...file.methods].sort((a, b) => a.effectiveYears.from - b.effectiveYears.from);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (
      prev.effectiveYears.to === null ||
      prev.effectiveYears.to >= sorted[i].effectiveYears.from
    ) {
      ctx.addIssue({
        code: 'custom',
        message: `methods ${prev.id} and ${sorted[i].id} overlap in effective years`,
      });
    }
  }
  if (new Set(file.methods.map((m) => m.id)).size !== file.methods.length)
    ctx.addIssue({ code: 'custom', message: 'method ids repeat' });
});

/** Validates parsed method data; throws with every problem listed. Methods come back oldest first. */
export function parseEvaluationMethods(data: unknown): EvaluationMethod[] {
  const result = fileSchema.safeParse(data);
  if (!result.success) {
    throw new Error(
      `Invalid evaluation methods: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return [...result.data.methods].sort((a, b) => a.effectiveYears.from - b.effectiveYears.from);
}

/** Reads and validates a methods file (default: config/evaluation-methods.json). */
export function loadEvaluationMethods(file = EVALUATION_METHODS_FILE): EvaluationMethod[] {
  return parseEvaluationMethods(JSON.parse(readFileSync(file, 'utf8')));
}

let shipped: EvaluationMethod[] | undefined;

/** The shipped methods, read once per process. */
export function evaluationMethods(): readonly EvaluationMethod[] {
  shipped ??= loadEvaluationMethods();
  return shipped;
}

/** The method in force for `year`, or null when none is. */
export function methodForYear(
  year: number,
  methods: readonly EvaluationMethod[] = evaluationMethods(),
): EvaluationMethod | null {
  return (
    methods.find(
      (m) =>
        m.effectiveYears.from <= year &&
        (m.effectiveYears.to === null || year <= m.effectiveYears.to),
    ) ?? null
  );
}

/**
 * tce per 10⁴ kWh for `year`: the method in force (its per-year override first); for a year
 * no method covers, the nearest method's factor, so energy is still reported.
 */
export function tcePer10kKwhFor(
  year: number,
  methods: readonly EvaluationMethod[] = evaluationMethods(),
): number {
  const method =
    methodForYear(year, methods) ??
    (year < methods[0].effectiveYears.from ? methods[0] : methods[methods.length - 1]);
  return method.tcePer10kKwhByYear[String(year)] ?? method.tcePer10kKwh;
}
