import { existsSync, readFileSync } from 'node:fs';
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
