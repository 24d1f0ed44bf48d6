/**
 * Seeded pseudo-random numbers for the demo data set. Everything the generator writes comes
 * from these streams (never Math.random or the clock), so one seed gives byte-identical files.
 *
 * Streams are forked by name (`rngFor(seed, 'tax', enterpriseIndex)`) rather than shared, so
 * that adding a column to one source does not shift the values of every other source.
 */

/** A 32-bit hash of numbers and strings (FNV-1a, then the murmur3 finaliser). */
export function hash32(...parts: ReadonlyArray<number | string>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    if (typeof part === 'number') {
      h = Math.imul(h ^ (part | 0), 0x01000193);
      h = Math.imul(h ^ Math.floor(part / 4294967296), 0x01000193);
    } else {
      for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
    }
    h = Math.imul(h ^ 0x9e3779b9, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) from a hash of the parts: for values that need no stream. */
export const unitHash = (...parts: ReadonlyArray<number | string>): number =>
  hash32(...parts) / 4294967296;

/** mulberry32: small, fast, and good enough for synthetic data. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform number in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A whole number in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** A number in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: ArrayLike<T>): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight: `[[value, weight], …]`. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (let i = 0; i < items.length; i++) total += items[i][1];
    let r = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      r -= items[i][1];
      if (r < 0) return items[i][0];
    }
    return items[items.length - 1][0];
  }

  /** A standard normal deviate (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A log-normal value with the given median and log-scale spread. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Shuffles a copy (Fisher–Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }
}

/** A stream of its own for one purpose: `rngFor(seed, 'power', accountIndex)`. */
export const rngFor = (...parts: ReadonlyArray<number | string>): Rng => new Rng(hash32(...parts));
