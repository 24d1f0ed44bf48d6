/**
 * `npm run bench:decisions`: what a run of record costs on PostgreSQL with the demo county.
 *
 *   npm run bench:decisions -- [--enterprises 20000] [--seed 20221224] [--year 2024] [--runs 5]
 *                              [--seconds 10] [--connections 32] [--rounds 2]
 *                              [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * Uses the county bench:api loads (kept as edp_bench_<n>_<seed>). Measures (1) publishing the year
 * (`publishEvaluation`: every enterprise's whole answer frozen as a notice run) from a new client,
 * the live evaluation computed first (cold), and with the evaluation already computed (the freeze
 * alone), `--runs` times each; (2) the first read of the published run in a new process; (3) one
 * enterprise profile with its grade read from the run and read live (`live: true`), through the
 * service under autocannon load, alternately `--rounds` times, medians quoted. The runs it publishes
 * are removed at the end, so that the county stays as bench:api expects it.
 */

import os from 'node:os';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../db/client.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { evaluationOfRecord, publishEvaluation } from '../resolvers/decisions/runs.js';
import { evaluateYear } from '../resolvers/evaluation.js';
import { CAPABILITIES, type Viewer } from '../resolvers/roles.js';
import { createApp } from '../server/app.js';
import { serverCpu } from './lib/backend-cpu.js';
import { type CannonResult, cannon } from './lib/cannon.js';
import { benchCounty } from './lib/county.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const enterprises = Number(option('enterprises', '20000'));
const seed = Number(option('seed', '20221224'));
const year = Number(option('year', '2024'));
const runs = Number(option('runs', '5'));
const rounds = Number(option('rounds', '2'));
const seconds = Number(option('seconds', '10'));
const connections = Number(option('connections', '32'));
const adminUrl = option(
  'admin-url',
  process.env.EDP_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
);
const log = (line: string) => process.stdout.write(`${line}\n`);
const viewer: Viewer = { role: 'admin', keyId: null, name: 'bench', can: CAPABILITIES.admin };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const PROFILE = /* GraphQL */ `
  query Profile($uscc: String!, $year: Int!, $live: Boolean) {
    enterprise(uscc: $uscc) {
      uscc name status town industryCode
      metrics(year: $year) { landAreaMu taxPaidYuan revenueYuan muAverageTaxYuan }
      muEfficiency(year: $year, live: $live) { status runId evaluated population rank score grade reasons indicators { name value points } }
    }
  }`;

async function main() {
  const county = await benchCounty(adminUrl, enterprises, seed, { log, max: 20 });
  log(`database: ${county.enterprises} enterprises`);
  const published: number[] = [];
  try {
    // (1) publish from a new client: cold (the evaluation computed first), then the freeze alone
    const cold: number[] = [];
    const freeze: number[] = [];
    const freezeCpu: { server: number; node: number }[] = [];
    let frozen = 0;
    for (let i = 0; i < runs; i++) {
      // one connection, so that its server process's CPU time is all the work's
      const fresh = await openDatabase({ databaseUrl: county.url, max: 1 });
      const backend = await serverCpu(fresh);
      let started = performance.now();
      const run = await publishEvaluation(fresh, viewer, year, `bench cold ${i}`);
      cold.push(performance.now() - started);
      published.push(run.id);
      await evaluateYear(fresh, year); // cached now: the next publish only freezes
      const [server0, node0] = [backend(), process.cpuUsage()];
      started = performance.now();
      const again = await publishEvaluation(fresh, viewer, year, `bench freeze ${i}`);
      freeze.push(performance.now() - started);
      const node = process.cpuUsage(node0);
      freezeCpu.push({ server: backend() - server0, node: (node.user + node.system) / 1000 });
      published.push(again.id);
      [{ n: frozen }] = await fresh.rows<{ n: number }>(
        sql`select count(*)::int as n from evaluation_run_results where run_id = ${again.id}`,
      );
      await fresh.close();
    }
    log(
      `publish ${year} (${frozen} enterprises frozen), cold: ${cold.map((x) => x.toFixed(0)).join(', ')} ms; freeze alone: ${freeze.map((x) => x.toFixed(0)).join(', ')} ms`,
    );

    // (2) the first read of the run in a new process: the whole run read once, then kept
    const first: number[] = [];
    for (let i = 0; i < runs; i++) {
      const fresh = await openDatabase({ databaseUrl: county.url, max: 4 });
      const started = performance.now();
      const evaluation = await evaluationOfRecord(fresh, year);
      first.push(performance.now() - started);
      if (evaluation.status !== 'notice') throw new Error(`read ${evaluation.status}, not the run`);
      await fresh.close();
    }
    log(`first read of the run: ${first.map((x) => x.toFixed(0)).join(', ')} ms`);

    // (3) a profile read from the run and live, through the service, alternately
    const { database } = county;
    const sample = await database.rows<{ uscc: string }>(sql`
      select uscc from (select uscc, row_number() over (order by uscc) as n from enterprises) e where n % 20 = 0 limit 1000`);
    const config = loadConfig(
      {
        port: 0,
        host: '127.0.0.1',
        allowAnonymous: true,
        logLevel: 'warn',
        rateLimitPerMinute: 1e9,
        rateLimitBurst: 1e9,
      },
      { ...process.env, DATABASE_URL: county.url },
    );
    const app = createApp({ config, database, logger: createLogger('warn'), reads: undefined });
    const url = `${await app.start()}/graphql`;
    const bodies = (live: boolean) =>
      sample.map(({ uscc }) => ({ query: PROFILE, variables: { uscc, year, live } }));
    for (const live of [false, true]) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(bodies(live)[0]),
      });
      const json = (await res.json()) as { data?: any; errors?: { message: string }[] };
      if (json.errors) throw new Error(json.errors.map((e) => e.message).join('; '));
      const status = json.data.enterprise.muEfficiency.status;
      if (status !== (live ? 'live' : 'notice')) throw new Error(`live=${live} answered ${status}`);
      await cannon(url, bodies(live), { connections, seconds: Math.min(3, seconds) }); // warm-up
    }
    const results: Record<'published' | 'live', CannonResult[]> = { published: [], live: [] };
    for (let r = 0; r < rounds; r++)
      for (const live of r % 2 ? [true, false] : [false, true])
        results[live ? 'live' : 'published'].push(
          await cannon(url, bodies(live), { connections, seconds }),
        );
    await app.stop();

    log('');
    log(
      `PostgreSQL, ${county.enterprises} enterprises, year ${year}; machine: ${os.cpus().length} CPUs, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    log('| measure | median | runs | goal |');
    log('| --- | ---: | --- | --- |');
    const goal = (ms: number, limit: number) => `< ${limit} ms: ${ms < limit ? 'met' : 'NOT met'}`;
    log(
      `| publish, cold (evaluate + freeze ${frozen}) | ${median(cold).toFixed(0)} ms | ${cold.map((x) => x.toFixed(0)).join(', ')} | ${goal(median(cold), 2000)} |`,
    );
    log(
      `| publish, evaluation computed (the freeze) | ${median(freeze).toFixed(0)} ms | ${freeze.map((x) => x.toFixed(0)).join(', ')} | ${goal(median(freeze), 2000)} |`,
    );
    const cpuTotal = freezeCpu.map((c) => c.server + c.node);
    log(
      `| the freeze, CPU (database server + Node) | ${median(cpuTotal).toFixed(0)} ms | ${freezeCpu.map((c) => `${c.server.toFixed(0)} + ${c.node.toFixed(0)}`).join(', ')} | ${goal(median(cpuTotal), 2000)} |`,
    );
    log(
      `| first read of the run in a process | ${median(first).toFixed(0)} ms | ${first.map((x) => x.toFixed(0)).join(', ')} | |`,
    );
    log('');
    log(`autocannon: ${connections} connections, ${seconds} s each, ${rounds} rounds alternately`);
    log('| profile with grade | req/s (median) | p50 ms | p99 ms | errors |');
    log('| --- | ---: | ---: | ---: | ---: |');
    for (const [name, rs] of Object.entries(results)) {
      log(
        `| ${name} | ${median(rs.map((r) => r.requestsPerSecond)).toFixed(0)} | ${median(rs.map((r) => r.p50))} | ${median(rs.map((r) => r.p99))} | ${rs.reduce((s, r) => s + r.non2xx + r.errors + r.timeouts, 0)} |`,
      );
    }
    const ratio =
      median(results.published.map((r) => r.requestsPerSecond)) /
      median(results.live.map((r) => r.requestsPerSecond));
    log(
      `published ÷ live req/s: ${ratio.toFixed(2)} (goal ≥ 0.9: ${ratio >= 0.9 ? 'met' : 'NOT met'})`,
    );
  } finally {
    // the benchmark's runs go, so that bench:api reads the live evaluation as before
    if (published.length) {
      const ids = sql.param(published);
      await county.database.rows(
        sql`delete from evaluation_run_results where run_id = any(${ids}::bigint[])`,
      );
      await county.database.rows(sql`delete from evaluation_runs where id = any(${ids}::bigint[])`);
      await county.database.rows(
        sql`delete from audit_log where action = 'publishEvaluation' and key_name = 'bench'`,
      );
    }
    await county.database.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(
      `bench:decisions failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
