import { sql } from 'drizzle-orm';
import { connectionTarget, type Database, type OpenOptions, openDatabase } from './client.js';

/** What the service knows of one streaming replica, from its last health check. */
export interface ReplicaStatus {
  /** host:port/database of the replica (no credentials) */
  name: string;
  /** answered its last check, is in recovery and lags at most the allowed lag */
  healthy: boolean;
  /** how far its replay is behind, measured on the replica (ms); null when it did not answer */
  lagMs: number | null;
  /** the WAL position it has replayed up to, e.g. 0/3000148; null when unknown */
  replayLsn: string | null;
  /** why it is left out, when it is */
  reason: string | null;
}

export interface ReadRouterOptions {
  /** a replica lagging more than this is left out of reads (ms; EDP_MAX_REPLICA_LAG_MS) */
  maxLagMs: number;
  /** how often each replica is checked (ms) */
  checkIntervalMs?: number;
  /** told when a replica leaves or rejoins the reads */
  onChange?: (status: ReplicaStatus) => void;
}

/** A WAL position (`X/Y`, two hex numbers) as one comparable number. */
export function lsnValue(lsn: string): bigint {
  const [high, low] = lsn.split('/');
  return (BigInt(`0x${high}`) << 32n) + BigInt(`0x${low}`);
}

/** The replica's own view of its replay: in recovery, what it replayed, and how far behind it is. */
const REPLICA_CHECK = sql`
  select pg_is_in_recovery() as recovery,
    pg_last_wal_replay_lsn()::text as replay_lsn,
    case
      when pg_last_wal_receive_lsn() is null
        or pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() then 0
      else coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()) * 1000, 0)
    end::float8 as lag_ms`;

/**
 * Chooses the database a read goes to: one of the streaming replicas that answered its last check
 * within the allowed lag (in turn), else the primary. A reader that wrote may ask for a replica
 * that has replayed at least the WAL position of its write (read-your-writes); when none has, the
 * read goes to the primary. Checks run every `checkIntervalMs` in the background and never delay a
 * request; a replica that is down or behind rejoins by itself once a check finds it healthy.
 */
export class ReadRouter {
  private readonly states: ReplicaStatus[];
  private next = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly primary: Database,
    readonly replicas: readonly { name: string; database: Database }[],
    private readonly options: ReadRouterOptions,
  ) {
    this.states = replicas.map(({ name }) => ({
      name,
      healthy: false,
      lagMs: null,
      replayLsn: null,
      reason: '尚未检查',
    }));
  }

  /** Checks every replica now, then every `checkIntervalMs` (the timer does not hold the process). */
  async start(): Promise<void> {
    await this.check();
    if (this.replicas.length === 0) return;
    this.timer = setInterval(() => void this.check(), this.options.checkIntervalMs ?? 1000);
    this.timer.unref();
  }

  /** Stops the background checks. */
  stop(): void {
    clearInterval(this.timer);
  }

  /** Stops the checks and closes the replicas' connections (not the primary's). */
  async close(): Promise<void> {
    this.stop();
    await Promise.all(this.replicas.map((r) => r.database.close()));
  }

  /** Checks every replica once (each with a 2-second bound) and updates the routing. */
  async check(): Promise<void> {
    await Promise.all(this.replicas.map((replica, i) => this.checkOne(replica.database, i)));
  }

  private async checkOne(database: Database, i: number): Promise<void> {
    const before = this.states[i];
    let after: ReplicaStatus;
    try {
      const [row] = await withTimeout(
        database.rows<{ recovery: boolean; replay_lsn: string | null; lag_ms: number }>(
          REPLICA_CHECK,
        ),
        2000,
      );
      const lagMs = Math.round(Number(row.lag_ms));
      const reason = !row.recovery
        ? '不是只读副本（未处于恢复状态）'
        : lagMs > this.options.maxLagMs
          ? `复制延迟 ${lagMs} ms，超过上限 ${this.options.maxLagMs} ms`
          : null;
      after = {
        name: before.name,
        healthy: reason === null,
        lagMs,
        replayLsn: row.replay_lsn,
        reason,
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      after = { ...before, healthy: false, lagMs: null, reason: `无法连接：${message}` };
    }
    this.states[i] = after;
    if (after.healthy !== before.healthy) this.options.onChange?.(after);
  }

  /**
   * The database for a read: a healthy replica (in turn) that has replayed `minLsn` when given,
   * else the primary.
   */
  reader(minLsn?: string): Database {
    const n = this.replicas.length;
    const needed = minLsn ? lsnValue(minLsn) : undefined;
    for (let k = 0; k < n; k++) {
      const i = (this.next + k) % n;
      const state = this.states[i];
      if (!state.healthy) continue;
      if (needed !== undefined && (!state.replayLsn || lsnValue(state.replayLsn) < needed))
        continue;
      this.next = (i + 1) % n;
      return this.replicas[i].database;
    }
    return this.primary;
  }

  /** Each replica as its last check found it. */
  status(): ReplicaStatus[] {
    return this.states.map((s) => ({ ...s }));
  }
}

/** The WAL position of the primary now: a reader that wrote reads from where this is replayed. */
export async function currentLsn(primary: Database): Promise<string | undefined> {
  if (primary.kind !== 'postgres') return undefined;
  const [row] = await primary.rows<{ lsn: string }>(sql`select pg_current_wal_lsn()::text as lsn`);
  return row?.lsn;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${ms} ms 内无应答`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** host:port/database of a connection string, without its credentials. */
export function databaseName(url: string): string {
  const { hosts, path } = connectionTarget(url);
  return `${hosts}${path}`;
}

/**
 * Opens a replica of `primary` for each connection string (DATABASE_READ_URLS) and a router over
 * them, checked once before it answers. A replica that is down when opened is simply left out
 * until a check finds it healthy.
 */
export async function openReadRouter(
  primary: Database,
  urls: readonly string[],
  open: Omit<OpenOptions, 'databaseUrl' | 'dataDir' | 'loadDataDir'>,
  options: ReadRouterOptions,
): Promise<ReadRouter> {
  const replicas = await Promise.all(
    urls.map(async (url) => {
      const database = await openDatabase({ ...open, databaseUrl: url });
      database.primary = primary;
      return { name: databaseName(url), database };
    }),
  );
  const router = new ReadRouter(primary, replicas, options);
  await router.start();
  return router;
}

/**
 * Waits until `replica` has replayed the primary's WAL up to `lsn` (polling every 20 ms), at most
 * `timeoutMs`; false when it has not by then.
 */
export async function waitForReplay(
  replica: Database,
  lsn: string,
  timeoutMs: number,
): Promise<boolean> {
  const target = lsnValue(lsn);
  const until = performance.now() + timeoutMs;
  for (;;) {
    const [row] = await replica.rows<{ lsn: string | null }>(
      sql`select pg_last_wal_replay_lsn()::text as lsn`,
    );
    if (row?.lsn && lsnValue(row.lsn) >= target) return true;
    if (performance.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
