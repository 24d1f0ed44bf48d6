/**
 * What callers of the service see while its PostgreSQL primary restarts (or fails over).
 *
 *   npx tsx bench/failover.ts --database-url URL --restart "pg_ctlcluster 15 main restart"
 *                             [--seconds 30] [--at 10] [--workers 4] [--year 2024] [--writes]
 *
 * Starts the service in this process on `--database-url` (opened as `npm start` opens it: the
 * request timeout also bounds each statement; a multi-host URL with target_session_attrs works as
 * postgres.js reads it), and `--workers` callers that each ask, one after the other, for enterprise
 * profiles with metrics and grade (a statement per request) and, every tenth request, /readyz. After
 * `--at` seconds it runs the `--restart` shell command (with `--writes`, one more caller holding an
 * administrator's key publishes the year's evaluation over and over: a write on the primary), and after `--seconds` it stops and prints,
 * per second, the answers (ok / errors by code) and the slowest one, then the window in which
 * callers saw errors and what they were told.
 */
import { exec } from 'node:child_process';
import { parseArgs, promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../db/client.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { evaluateYear } from '../resolvers/evaluation.js';
import { createApiKey } from '../resolvers/keys.js';
import { ensureYearFigures } from '../resolvers/year-figures.js';
import { createApp } from '../server/app.js';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string', default: process.env.DATABASE_URL },
    restart: { type: 'string' },
    seconds: { type: 'string', default: '30' },
    at: { type: 'string', default: '10' },
    workers: { type: 'string', default: '4' },
    year: { type: 'string', default: '2024' },
    writes: { type: 'boolean', default: false },
  },
});

const PUBLISH = `mutation ($year: Int!) { publishEvaluation(year: $year, note: "failover") { id } }`;

const PROFILE = `query ($uscc: String!, $year: Int!) { enterprise(uscc: $uscc) { uscc name
  metrics(year: $year) { muAverageTaxYuan } muEfficiency(year: $year) { grade } } }`;

interface Answer {
  /** ms since the start */
  at: number;
  ms: number;
  /** 'ok', or the GraphQL error code / HTTP status / network error */
  outcome: string;
  message?: string;
  /** a write that succeeded */
  write?: boolean;
}

async function main() {
  const databaseUrl = values['database-url'];
  if (!databaseUrl || !values.restart)
    throw new Error('usage: bench/failover.ts --database-url URL --restart "COMMAND"');
  const seconds = Number(values.seconds);
  const year = Number(values.year);
  const config = loadConfig(
    {
      port: 0,
      host: '127.0.0.1',
      allowAnonymous: true,
      logLevel: 'error',
      rateLimitPerMinute: 1e9,
      rateLimitBurst: 1e9,
    },
    { ...process.env, DATABASE_URL: databaseUrl },
  );
  const database = await openDatabase({
    databaseUrl,
    statementTimeoutMs: config.requestTimeoutMs,
    pooler: config.poolerMode,
  });
  const usccs = (
    await database.rows<{ uscc: string }>(
      sql`select uscc from enterprises order by uscc limit 2000`,
    )
  ).map((r) => r.uscc);
  const admin = values.writes
    ? (await createApiKey(database, { name: 'bench failover', role: 'admin' })).key
    : undefined;
  // the year computed before the callers start: what they see is the restart, not a cold cache
  await evaluateYear(database, year);
  await ensureYearFigures(database, year);
  const app = createApp({ config, database, logger: createLogger('error') });
  const base = await app.start();

  const answers: Answer[] = [];
  const started = performance.now();
  const now = () => performance.now() - started;
  let stop = false;
  let n = 0;
  const ask = async (write = false): Promise<Answer> => {
    const at = now();
    const i = write ? 0 : n++;
    try {
      if (write) {
        const res = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
          body: JSON.stringify({ query: PUBLISH, variables: { year } }),
        });
        const json = (await res.json()) as {
          errors?: { message: string; extensions?: { code?: string } }[];
        };
        const error = json.errors?.[0];
        return error
          ? {
              at,
              ms: now() - at,
              outcome: `write ${error.extensions?.code}`,
              message: error.message,
            }
          : { at, ms: now() - at, outcome: 'ok', write: true };
      }
      if (i % 10 === 9) {
        const res = await fetch(`${base}/readyz`);
        return { at, ms: now() - at, outcome: res.ok ? 'ok' : `readyz ${res.status}` };
      }
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: PROFILE,
          variables: { uscc: usccs[i % usccs.length], year },
        }),
      });
      const json = (await res.json()) as {
        errors?: { message: string; extensions?: { code?: string } }[];
      };
      if (json.errors?.length)
        return {
          at,
          ms: now() - at,
          outcome: json.errors[0].extensions?.code ?? `HTTP ${res.status}`,
          message: json.errors[0].message,
        };
      return { at, ms: now() - at, outcome: res.ok ? 'ok' : `HTTP ${res.status}` };
    } catch (error) {
      return { at, ms: now() - at, outcome: 'network', message: String(error) };
    }
  };
  const worker = async (write: boolean) => {
    while (!stop) answers.push(await ask(write));
  };
  const workers = Array.from({ length: Number(values.workers) }, () => worker(false));
  if (admin) workers.push(worker(true));

  await new Promise((resolve) => setTimeout(resolve, Number(values.at) * 1000));
  const restartAt = now();
  // asynchronously: the service in this process keeps answering while the command runs
  const restart = await promisify(exec)(values.restart);
  process.stderr.write(restart.stdout + restart.stderr);
  const restartedAt = now();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, seconds * 1000 - restartedAt)));
  stop = true;
  await Promise.all(workers);
  await app.stop();
  await database.close();

  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(
    `restart command ran from ${(restartAt / 1000).toFixed(2)} s to ${(restartedAt / 1000).toFixed(2)} s: ${values.restart}`,
  );
  out('| second | ok | of which writes | errors | slowest ms |');
  out('| ---: | ---: | ---: | --- | ---: |');
  for (let s = 0; s * 1000 < now(); s++) {
    const inSecond = answers.filter((a) => a.at >= s * 1000 && a.at < (s + 1) * 1000);
    const errors = new Map<string, number>();
    for (const a of inSecond)
      if (a.outcome !== 'ok') errors.set(a.outcome, (errors.get(a.outcome) ?? 0) + 1);
    out(
      `| ${s} | ${inSecond.filter((a) => a.outcome === 'ok').length} | ${inSecond.filter((a) => a.write).length} | ${[...errors].map(([k, v]) => `${k} ${v}`).join(', ')} | ${Math.round(Math.max(0, ...inSecond.map((a) => a.ms)))} |`,
    );
  }
  const failed = answers.filter((a) => a.outcome !== 'ok');
  const ok = answers.length - failed.length;
  out(`${answers.length} answers: ${ok} ok, ${failed.length} errors`);
  if (failed.length) {
    const first = Math.min(...failed.map((a) => a.at));
    const last = Math.max(...failed.map((a) => a.at + a.ms));
    out(
      `errors from ${(first / 1000).toFixed(2)} s to ${(last / 1000).toFixed(2)} s (${((last - first) / 1000).toFixed(2)} s)`,
    );
    const seen = new Map<string, number>();
    for (const a of failed) {
      const key = `${a.outcome}: ${a.message ?? ''}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    for (const [what, count] of seen) out(`  ${count} × ${what}`);
  }
  const after = answers.filter((a) => a.at > restartedAt);
  const firstOk = after.find((a) => a.outcome === 'ok');
  if (firstOk)
    out(
      `first answer after the restart command returned: ${(firstOk.at / 1000).toFixed(2)} s; all answers after ${(restartedAt / 1000).toFixed(2)} s: ${after.filter((a) => a.outcome === 'ok').length} ok of ${after.length}`,
    );
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`failover: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
