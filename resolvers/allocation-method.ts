import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const ALLOCATION_METHODS_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'config',
  'allocation-methods.json',
);

const gradeSchema = z.enum(['A', 'B', 'C', 'D']);

const methodSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  legalBasis: z.string().min(1),
  /** the years whose grade this method turns into allocation (the surcharge applies in the year after) */
  effectiveYears: z.object({ from: z.number().int(), to: z.number().int().nullable() }),
  labels: z.record(gradeSchema, z.string().min(1)),
  surcharge: z.object({
    grade: gradeSchema,
    unit: z.string(),
    /** 元/kWh for the 1st, 2nd, 3rd … consecutive year of `grade`; the last applies to longer runs */
    ratesByConsecutiveYears: z.array(z.number().nonnegative()).min(1),
  }),
  /** how many years back a run of consecutive D years is followed */
  runLookbackYears: z.number().int().min(1).max(50),
});

export type AllocationMethod = z.infer<typeof methodSchema>;

/** Validates parsed allocation methods; throws listing every problem. Oldest first. */
export function parseAllocationMethods(data: unknown): AllocationMethod[] {
  const result = z.object({ methods: z.array(methodSchema).min(1) }).safeParse(data);
  if (!result.success) {
    throw new Error(
      `Invalid allocation methods: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return [...result.data.methods].sort((a, b) => a.effectiveYears.from - b.effectiveYears.from);
}

let shipped: AllocationMethod[] | undefined;

/** The shipped methods (config/allocation-methods.json), read once per process. */
export function allocationMethods(): readonly AllocationMethod[] {
  shipped ??= parseAllocationMethods(JSON.parse(readFileSync(ALLOCATION_METHODS_FILE, 'utf8')));
  return shipped;
}

/** The allocation method for the grade of `year`, or null when none is in force. */
export function allocationMethodForYear(
  year: number,
  methods: readonly AllocationMethod[] = allocationMethods(),
): AllocationMethod | null {
  return (
    methods.find(
      (m) =>
        m.effectiveYears.from <= year &&
        (m.effectiveYears.to === null || year <= m.effectiveYears.to),
    ) ?? null
  );
}

/** The surcharge in 元/kWh for a run of `run` consecutive surcharge-grade years; null for none. */
export function surchargeRate(method: AllocationMethod, run: number): number | null {
  if (run <= 0) return null;
  const rates = method.surcharge.ratesByConsecutiveYears;
  return rates[Math.min(run, rates.length) - 1];
}
