import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';

/**
 * CPU time (ms) used so far by the PostgreSQL server process behind a single-connection database,
 * read from /proc: wall time on a busy machine says little, CPU time is what the work costs. NaN
 * when the server is not on this machine (or for PGlite, whose work is Node's own).
 */
export async function serverCpu(database: Database): Promise<() => number> {
  if (database.kind !== 'postgres') return () => NaN;
  const [{ pid }] = await database.rows<{ pid: number }>(sql`select pg_backend_pid() as pid`);
  // parallel workers are processes of their own: keep the work in this one, so that its CPU time is all of it
  await database.rows(sql`set max_parallel_workers_per_gather = 0`);
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return () => NaN;
  return () => {
    const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in 1/100 s
  };
}

/**
 * CPU time (ms) used so far by every PostgreSQL process on this machine (the server's backends,
 * WAL writer, checkpointer, autovacuum workers…), read from /proc; NaN where /proc is not there.
 * A process that ended moves its time into the server's own `cutime`/`cstime` (the postmaster
 * reaps it), which are counted too, so the total only grows.
 */
export function postgresCpuMs(): number {
  if (!existsSync('/proc/self/stat')) return NaN;
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1].split(' ');
      // utime, stime, and the children's cutime, cstime
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended while the list was read
    }
  }
  return (ticks * 1000) / 100;
}

/** CPU time (ms) used so far by the whole machine, all cores, from /proc/stat; NaN without it. */
export function machineCpuMs(): number {
  if (!existsSync('/proc/stat')) return NaN;
  const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
  const [user, nice, system, , , irq, softirq, steal] = cpu.split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / 100;
}
