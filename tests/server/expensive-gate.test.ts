import { describe, expect, it } from 'vitest';
import { EXPENSIVE_WAITING, ExpensiveGate } from '../../server/expensive-gate.js';

describe('the expensive-request gate', () => {
  it('hands a slot to the first waiting request, refuses a wait that runs out, and keeps callers apart', async () => {
    const gate = new ExpensiveGate(1, 100);
    const first = await gate.enter('key:1');
    const order: string[] = [];
    const second = gate.enter('key:1').then((release) => (order.push('second'), release));
    const third = gate.enter('key:1').then((release) => (order.push('third'), release));
    // another caller is not held up
    const other = await gate.enter('key:2');
    expect(gate.running('key:2')).toBe(1);
    other();

    first();
    (await second)();
    (await third)();
    expect(order).toEqual(['second', 'third']);
    expect(gate.running('key:1')).toBe(0);

    // a wait longer than the gate's: 429 with Retry-After
    const held = await gate.enter('key:1');
    const started = Date.now();
    const refused = await gate.enter('key:1').catch((error) => error);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(refused.extensions.code).toBe('TOO_MANY_EXPENSIVE_REQUESTS');
    expect(refused.extensions.http.status).toBe(429);
    expect(refused.extensions.http.headers.get('retry-after')).toBe('1');
    held();
    held(); // a second release is ignored
    expect(gate.running('key:1')).toBe(0);
  });

  it('refuses at once beyond the waiting requests, and lets all through when off', async () => {
    const gate = new ExpensiveGate(1, 10_000);
    const running = await gate.enter('k');
    const waiting = Array.from({ length: EXPENSIVE_WAITING }, () => gate.enter('k'));
    const started = Date.now();
    await expect(gate.enter('k')).rejects.toMatchObject({
      extensions: { code: 'TOO_MANY_EXPENSIVE_REQUESTS' },
    });
    expect(Date.now() - started).toBeLessThan(50);
    running();
    for (const w of waiting) (await w)();
    expect(gate.running('k')).toBe(0);

    const off = new ExpensiveGate(0);
    await Promise.all(Array.from({ length: 20 }, () => off.enter('k')));
    expect(off.running('k')).toBe(0);
  });
});
