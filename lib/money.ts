/**
 * Exact decimal arithmetic for the platform's figures: money in 元, areas in m², electricity in
 * kWh, all kept by the database as numeric with two decimals. Sums are made in hundredths (分 for
 * money) as bigint, never in floating point, and turned into a number or a numeric string once.
 */

/** A decimal ("612345678.00", "-5.5", "+3") or a number → hundredths; half away from zero on the third decimal. */
export function toFen(value: string | number): bigint {
  const text = typeof value === 'number' ? value.toFixed(2) : value.trim();
  const m = /^([-+])?(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === ''))
    throw new Error(`not a decimal amount: "${value}"`);
  const digits = (m[3] ?? '').padEnd(3, '0');
  let fen =
    BigInt(m[2] || '0') * 100n + BigInt(digits.slice(0, 2)) + (Number(digits[2]) >= 5 ? 1n : 0n);
  if (m[1] === '-') fen = -fen;
  return fen;
}

/** Hundredths → a number (exact for any amount below 90 trillion). */
export const fenToYuan = (fen: bigint): number => Number(fen) / 100;

/** Hundredths → a numeric string with two decimals ("-1234.50"). */
export function fenText(fen: bigint): string {
  const abs = fen < 0n ? -fen : fen;
  return `${fen < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

/** Exact Σ of decimal strings, as a numeric string with two decimals; null, undefined and '' add nothing. */
export function sumDecimals(values: Iterable<string | null | undefined>): string {
  let fen = 0n;
  for (const v of values) if (v !== null && v !== undefined && v !== '') fen += toFen(v);
  return fenText(fen);
}

/** Exact Σ of amounts given as numbers (null adds nothing), as a number. */
export const sumYuan = (values: readonly (number | null)[]): number =>
  fenToYuan(values.reduce<bigint>((sum, v) => sum + (v === null ? 0n : toFen(v)), 0n));

/** An amount in 元 as every export writes it: two decimals, no grouping ("6191.40"). */
export const yuanCell = (value: string | number): string => fenText(toFen(value));

const grouped = new Intl.NumberFormat('en-US', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** An amount in 元 as a reason cites it: to the fen, with thousands grouped ("19,302.70"). */
export const yuanText = (value: string | number): string => {
  const fen = toFen(value);
  const [whole, part] = fenText(fen < 0n ? -fen : fen).split('.');
  return `${fen < 0n ? '-' : ''}${grouped.format(BigInt(whole)).split('.')[0]}.${part}`;
};
