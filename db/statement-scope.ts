import { AsyncLocalStorage } from 'node:async_hooks';

/** A statement that can be stopped: postgres.js's pending query (queued, sent or running). */
export interface Cancellable {
  cancel(): unknown;
}

/** PostgreSQL's query_canceled, so that a statement refused here reads like one cancelled there. */
export class StatementCancelled extends Error {
  readonly code = '57014';
  constructor() {
    super('canceling statement: the request that started it has ended');
  }
}

/**
 * The statements one request started (docs/security.md, "Cancellation"). When the request ends —
 * answered, out of time, or abandoned by its client — {@link end} cancels those still queued or
 * running (PostgreSQL: a cancel request to the backend, or removal from postgres.js's queue) and
 * every statement it would start afterwards is refused before it reaches the database, so that no
 * work is left holding a pool connection for an answer nobody reads.
 */
export class StatementScope {
  private readonly statements = new Set<Cancellable>();
  private readonly deferred: (() => void)[] = [];
  private ended = false;
  private kept = false;
  private answeredOnce = false;

  /** Whether a statement of the request has been answered by the database (it is reachable). */
  get answered(): boolean {
    return this.answeredOnce;
  }

  /** Notes that the database answered one of the request's statements. */
  noteAnswer(): void {
    this.answeredOnce = true;
  }

  /** Whether the request has ended: a statement started now is refused. */
  get closed(): boolean {
    return this.ended && !this.kept;
  }

  /**
   * Lets the request's statements run to their end whatever becomes of the request: a mutation's
   * writes are not cut short halfway because its caller left (each is still bounded by the
   * connection's statement timeout).
   */
  keep(): void {
    this.kept = true;
  }

  /**
   * Keeps `statement` until `settled` resolves either way. Its own `then` is not called: postgres.js
   * starts a query on its first `then`, and drizzle still has to choose the query's row format.
   */
  track(statement: Cancellable, settled: (done: (answered: boolean) => void) => void): void {
    if (this.kept) return;
    if (this.ended) {
      statement.cancel();
      return;
    }
    this.statements.add(statement);
    settled((answered) => {
      this.statements.delete(statement);
      if (answered) this.noteAnswer();
    });
  }

  /** Runs `fn` once when the request ends (a concurrency slot's release). */
  defer(fn: () => void): void {
    if (this.ended) fn();
    else this.deferred.push(fn);
  }

  /** Ends the request's database work; returns how many statements were still queued or running. */
  end(): number {
    if (this.ended) return 0;
    this.ended = true;
    if (this.kept) this.statements.clear();
    const cancelled = this.statements.size;
    for (const statement of this.statements)
      void Promise.resolve(statement.cancel()).catch(() => {});
    this.statements.clear();
    for (const fn of this.deferred.splice(0)) fn();
    return cancelled;
  }
}

const scopes = new AsyncLocalStorage<StatementScope>();

/** Runs `fn` (and everything it starts) as the work of the request `scope` stands for. */
export function inStatementScope<T>(scope: StatementScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

/** The scope of the request whose work is running, if any (none in the CLI, loads and tests). */
export function currentStatementScope(): StatementScope | undefined {
  return scopes.getStore();
}

/**
 * Runs `fn` as nobody's request: work that other requests wait on or reuse (a county evaluation, a
 * year's figures, the data version, the shared audit insert) is not cancelled when the request
 * that happened to start it ends. Such work is bounded by what it computes (one per data version
 * and year), not by what callers ask.
 */
export function sharedWork<T>(fn: () => T): T {
  return scopes.exit(fn);
}
