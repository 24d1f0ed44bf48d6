import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';

/** Expensive requests of one caller that may wait for a slot, beyond those running. */
export const EXPENSIVE_WAITING = 4;
/** How long an expensive request waits for its caller's slot before it is refused (ms). */
export const EXPENSIVE_WAIT_MS = 5_000;

interface Caller {
  running: number;
  waiting: (() => void)[];
}

/**
 * At most `perCaller` expensive requests (cost at or above EDP_EXPENSIVE_COST) of one caller — an
 * API key, or the address of a caller without one — run at once, so that one caller cannot hold
 * every pool connection while the others wait. Up to EXPENSIVE_WAITING more wait for a slot, in
 * order, for at most EXPENSIVE_WAIT_MS (the dashboard asks for its six panels at once); the rest
 * are refused 429 with Retry-After. Per process: each instance has its own pool to protect.
 */
export class ExpensiveGate {
  private readonly callers = new Map<string, Caller>();

  constructor(
    private readonly perCaller: number,
    private readonly waitMs = EXPENSIVE_WAIT_MS,
  ) {}

  /** Waits for a slot of `caller`; resolves to its release (call it once), or throws a 429 refusal. */
  async enter(caller: string): Promise<() => void> {
    if (this.perCaller <= 0) return () => {};
    let state = this.callers.get(caller);
    if (!state) this.callers.set(caller, (state = { running: 0, waiting: [] }));
    if (state.running < this.perCaller) state.running++;
    else {
      if (state.waiting.length >= EXPENSIVE_WAITING) throw this.refusal();
      const current = state;
      // a slot handed over by leave(): `running` already counts it
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          current.waiting.splice(current.waiting.indexOf(turn), 1);
          reject(this.refusal());
        }, this.waitMs);
        current.waiting.push(turn);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.leave(caller);
    };
  }

  /** Expensive requests of `caller` running now (tests, logs). */
  running(caller: string): number {
    return this.callers.get(caller)?.running ?? 0;
  }

  private leave(caller: string) {
    const state = this.callers.get(caller);
    if (!state) return;
    const next = state.waiting.shift();
    if (next) return next(); // the slot passes to the first waiting request
    state.running--;
    if (state.running === 0) this.callers.delete(caller);
  }

  private refusal() {
    const seconds = Math.ceil(this.waitMs / 1000);
    return new GraphQLError(
      `同一密钥同时进行的全县范围查询最多 ${this.perCaller} 个，另有 ${EXPENSIVE_WAITING} 个可排队等候；请等前面的查询完成，${seconds} 秒后重试。`,
      {
        extensions: {
          code: 'TOO_MANY_EXPENSIVE_REQUESTS',
          http: { status: 429, headers: new HeaderMap([['retry-after', String(seconds)]]) },
        },
      },
    );
  }
}
