import { describe, expect, it } from 'vitest';
import { watchGcPauses } from '../../bench/lib/gc-pauses.js';

describe('bench: GC pauses', () => {
  it('counts the scavenges and their pauses while watched, and nothing after stop', async () => {
    const watch = watchGcPauses();
    // short-lived garbage, several young generations of it (kept a moment, so that it is allocated)
    let bag: object[] = [];
    let kept = 0;
    for (let i = 0; i < 400_000; i++) {
      bag.push({ i, s: `x${i}`, a: [i, i + 1] });
      if (bag.length === 1000) {
        kept += bag.length;
        bag = [];
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    const pauses = watch.stop();
    expect(kept).toBe(400_000);
    expect(pauses.scavenges).toBeGreaterThan(0);
    expect(pauses.scavengeMs).toBeGreaterThan(0);
    expect(pauses.longestScavengeMs).toBeLessThanOrEqual(pauses.scavengeMs);
    expect(pauses.totalMs).toBeGreaterThanOrEqual(pauses.scavengeMs + pauses.fullCollectionMs);

    const after = { ...pauses };
    for (let i = 0; i < 400_000; i++) {
      bag.push({ i });
      if (bag.length === 1000) bag = [];
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(pauses).toEqual(after);
  });
});
