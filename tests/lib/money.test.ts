import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fenText, fenToYuan, sumDecimals, sumYuan, toFen } from '../../lib/money.js';

/** Hundredths as a decimal string the way PostgreSQL prints numeric(…, 2), by plain string work. */
const asNumeric = (fen: bigint) => {
  const text = (fen < 0n ? -fen : fen).toString().padStart(3, '0');
  return `${fen < 0n ? '-' : ''}${text.slice(0, -2)}.${text.slice(-2)}`;
};

describe('exact money (lib/money.ts)', () => {
  it('reads decimals exactly, rounding half away from zero on the third decimal', () => {
    expect(toFen('612345678.00')).toBe(61234567800n);
    expect(toFen(' -5.5 ')).toBe(-550n);
    expect(toFen('+3')).toBe(300n);
    expect(toFen('.25')).toBe(25n);
    expect(toFen('0.005')).toBe(1n);
    expect(toFen('-0.005')).toBe(-1n);
    expect(toFen('0.0049')).toBe(0n);
    expect(toFen(0.1 + 0.2)).toBe(30n); // 0.30000000000000004 as a number
    for (const bad of ['', '-', '.', '1e5', '1,000.00', 'abc', '1.2.3'])
      expect(() => toFen(bad)).toThrow(/not a decimal amount/);
  });

  it('sums like integer arithmetic in hundredths, whatever the order, for any amounts', () => {
    const fens = fc.array(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), { maxLength: 40 });
    fc.assert(
      fc.property(fens, (list) => {
        const exact = list.reduce((a, b) => a + b, 0n);
        const strings = list.map(asNumeric);
        expect(sumDecimals(strings)).toBe(asNumeric(exact));
        expect(sumDecimals([...strings].reverse())).toBe(asNumeric(exact));
        expect(toFen(fenText(exact))).toBe(exact);
      }),
    );
  });

  it('skips missing values and turns hundredths into numbers once', () => {
    expect(sumDecimals([null, undefined, '', '1.10', '2.20'])).toBe('3.30');
    expect(sumDecimals([])).toBe('0.00');
    expect(fenText(-5n)).toBe('-0.05');
    expect(sumYuan([0.1, 0.2, null])).toBe(0.3); // not 0.30000000000000004
    expect(sumYuan(Array(10).fill(0.1))).toBe(1);
    expect(fenToYuan(61234567800n)).toBe(612345678);
  });
});
