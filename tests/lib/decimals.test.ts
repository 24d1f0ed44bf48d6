import { describe, expect, it } from 'vitest';
import { roundTo } from '../../lib/decimals.js';

describe('roundTo', () => {
  it('rounds half away from zero on the decimal form, as a clerk does by hand', () => {
    expect(roundTo(250790.0042408833, 2)).toBe(250790);
    expect(roundTo(13.59694636640813, 2)).toBe(13.6);
    expect(roundTo(21811.236436590676, 2)).toBe(21811.24);
    expect(roundTo(1.005, 2)).toBe(1.01); // 1.005 × 100 is 100.49999… in binary
    expect(roundTo(123.455, 2)).toBe(123.46);
    expect(roundTo(-123.455, 2)).toBe(-123.46);
    expect(roundTo(-2.5, 0)).toBe(-3);
    expect(roundTo(0.00015, 4)).toBe(0.0002);
    expect(roundTo(0.030000000000000002, 4)).toBe(0.03);
  });

  it('keeps what has no decimals to lose, and null', () => {
    expect(roundTo(6191.4, 2)).toBe(6191.4);
    expect(roundTo(1e-7, 2)).toBe(0);
    expect(Object.is(roundTo(-0.001, 2), 0)).toBe(true);
    expect(roundTo(1.23456789e21, 2)).toBe(1.23456789e21);
    expect(roundTo(null, 2)).toBeNull();
    expect(roundTo(Number.NaN, 2)).toBeNaN();
  });

  it('gives every figure the rounding of its decimal form, short or long, whole or not', () => {
    /** the rounding spelt out on the decimal text: half away from zero at `places` */
    const byText = (value: number, places: number): number => {
      const [mantissa, exponent = '0'] = String(Math.abs(value)).split('e');
      const shifted = Number(`${mantissa}e${Number(exponent) + places}`);
      const [m2, e2 = '0'] = String(Math.round(shifted)).split('e');
      const rounded = Number(`${m2}e${Number(e2) - places}`);
      return value < 0 && rounded !== 0 ? -rounded : rounded;
    };
    let seed = 20221224;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 20000; i++) {
      const places = i % 5;
      const digits = 1 + (i % 7);
      // figures with few decimals (the fast path) and with many (the decimal form)
      const value =
        i % 2
          ? Math.round((random() - 0.3) * 10 ** (digits + places)) / 10 ** places
          : (random() - 0.3) * 10 ** digits;
      if (value === 0) continue; // ±0 is kept as it comes
      expect({ value, places, rounded: roundTo(value, places) }).toEqual({
        value,
        places,
        rounded: byText(value, places),
      });
    }
  });
});
