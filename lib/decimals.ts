/**
 * How many decimals the API gives each kind of figure, as the county's offices write them
 * (docs/interface.md, "Figures and their decimals"). Figures are computed and compared unrounded
 * (scores, ranks, grades, benchmarks); only the answer a client reads is rounded.
 */
export const DECIMALS = {
  /** 元, and 元 per 亩 / tce / 人: to the fen */
  yuan: 2,
  /** 元/千瓦时, a unit price such as the surcharge: as a tariff is written */
  yuanPerKwh: 4,
  /** 亩 in the evaluation, the rankings and the county's figures */
  mu: 2,
  /** 亩 as the land office (自然资源和规划局) writes it: parcels, leases, land in use, revitalization */
  landMu: 4,
  /** m² (平方米) */
  m2: 2,
  /** kWh (千瓦时) */
  kwh: 2,
  /** tce (吨标准煤): 0.0001 tce is 0.1 kg of standard coal */
  tce: 4,
  /** a score, its points and weights */
  score: 2,
  /** a fraction (0.0312 = 3.12%): 研发投入强度, completion against a target */
  fraction: 4,
} as const;

/**
 * `value` to `places` decimals, half away from zero on its decimal form (1.005 → 1.01, −2.5 → −3),
 * as a clerk rounds by hand; null and non-finite values are returned as they are.
 */
export function roundTo<T extends number | null | undefined>(value: T, places: number): T {
  if (typeof value !== 'number' || !Number.isFinite(value)) return value;
  // most figures already have no more decimals than asked for: they are returned as they are.
  // Without a string first: when k / 10^places (correctly rounded) is the value itself, the value
  // is the double nearest that decimal, so its shortest form has at most `places` decimals.
  const factor = 10 ** places;
  if (Math.round(value * factor) / factor === value) return value;
  const text = String(value);
  const dot = text.indexOf('.');
  if ((dot < 0 || text.length - dot - 1 <= places) && !text.includes('e')) return value;
  // shifting through the decimal exponent, not by multiplying, keeps 1.005 from becoming 1.00499…
  const whole = Math.round(shift(Math.abs(value), places));
  const rounded = shift(whole, -places);
  return (value < 0 && rounded !== 0 ? -rounded : rounded) as T;
}

/** `value` × 10^`places` through its decimal form ("1.005e2"), exact where the product is. */
function shift(value: number, places: number): number {
  const [mantissa, exponent = '0'] = String(value).split('e');
  return Number(`${mantissa}e${Number(exponent) + places}`);
}

/** The words a field's description uses for its rounding, in both languages. */
export const decimalsNote = (places: number): string =>
  places === 0
    ? '取整 (a whole number).'
    : `保留 ${places} 位小数 (rounded to ${places} decimals).`;
