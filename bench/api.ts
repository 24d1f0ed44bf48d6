/**
 * `npm run bench:api`: the API under load on PostgreSQL with the demo county.
 *
 *   npm run bench:api -- [--enterprises 20000] [--seed 20221224] [--seconds 10] [--connections 32]
 *                        [--year 2024] [--fresh] [--skip-cold] [--only abc] [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
 *                        [--replica-url postgres://postgres@127.0.0.1:5433/]
 *
 * Loads (once; kept as edp_bench_<n>_<seed>) the demo county through the real connectors, measures
 * a cold evaluation of the whole county, starts the service in this process and drives it with
 * autocannon from a child process: (a) one enterprise profile with metrics and grade, (b) a page of
 * 50 enterprises of one town by 亩均税收 with their metrics, (c) the ranking (first 100).
 * Prints requests/s, p50 and p99 latency and SQL statements per request for each.
 *
 * With `--replica-url` (a streaming replica of the admin URL's server; its database name is replaced
 * by the benchmark's), the service reads from that replica as with DATABASE_READ_URLS, and each
 * scenario says how many of its statements the replica answered. At 200,000 enterprises load the
 * database with `npm run bench:city` first (it is the same database, kept by size and seed).
 */

import os from 'node:os';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../db/client.js';
import { openReadRouter, type ReadRouter } from '../db/replicas.js';
import { metricsSnapshots } from '../db/search.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { evaluateYear } from '../resolvers/evaluation.js';
import { ensureYearFigures } from '../resolvers/year-figures.js';
import { createApp } from '../server/app.js';
import { type CannonResult, cannon } from './lib/cannon.js';
import { benchCounty } from './lib/county.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const enterprises = Number(option('enterprises', '20000'));
const seed = Number(option('seed', '20221224'));
const seconds = Number(option('seconds', '10'));
const connections = Number(option('connections', '32'));
const year = Number(option('year', '2024'));
const adminUrl = option(
  'admin-url',
  process.env.EDP_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
);
const replicaUrl = option('replica-url', '');
const log = (line: string) => process.stdout.write(`${line}\n`);

const PROFILE = /* GraphQL */ `
  query Profile($uscc: String!, $year: Int!) {
    enterprise(uscc: $uscc) {
      uscc name formerNames status active town industryCode industryDivision establishedOn
      metrics(year: $year) { year landAreaMu taxPaidYuan revenueYuan electricityKwh muAverageTaxYuan muAverageRevenueYuan revenuePerTceYuan rdIntensity employees }
      muEfficiency(year: $year) { evaluated population rank score grade reasons }
    }
  }`;

const TOWN_PAGE = /* GraphQL */ `
  query TownPage($town: String!, $year: Int!) {
    enterprises(first: 50, filter: { town: $town }, orderBy: { field: MU_AVERAGE_TAX_YUAN, year: $year }) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { uscc name industryCode metrics(year: $year) { landAreaMu taxPaidYuan revenueYuan muAverageTaxYuan } }
    }
  }`;

const RANKING = /* GraphQL */ `
  query Ranking($year: Int!) {
    muEfficiencyRanking(year: $year, first: 100) { rank score grade population enterprise { uscc name town } }
  }`;

interface Scenario {
  name: string;
  /** each connection cycles through these */
  bodies: { query: string; variables: Record<string, unknown> }[];
  goal: { rps: number; p99?: number };
}

async function main() {
  const county = await benchCounty(adminUrl, enterprises, seed, { log, max: 20 });
  log(
    `database: ${county.enterprises} enterprises${county.loadSeconds ? `, loaded in ${county.loadSeconds.toFixed(0)} s` : ' (already loaded)'}`,
  );

  // Cold: a new client has no evaluation cached; the snapshot row is dropped so the year is recomputed.
  let coldEvaluation = Number.NaN;
  if (!flag('skip-cold')) {
    const cold = await openDatabase({ databaseUrl: county.url, max: 2 });
    let started = performance.now();
    const evaluation = await evaluateYear(cold, year);
    coldEvaluation = performance.now() - started;
    await cold.db.delete(metricsSnapshots).where(sql`${metricsSnapshots.year} = ${year}`);
    started = performance.now();
    await ensureYearFigures(cold, year);
    const coldSnapshot = performance.now() - started;
    await cold.close();
    const evaluated = [...evaluation.results.values()].filter((r) => r.evaluated).length;
    log(
      `cold evaluation of ${evaluation.results.size} enterprises (${evaluated} evaluated) for ${year}: ${coldEvaluation.toFixed(0)} ms`,
    );
    log(
      `cold year snapshot (evaluation cached + figures of every enterprise): ${coldSnapshot.toFixed(0)} ms`,
    );
  }

  const { database } = county;
  // The service's own client computes the year once before the scenarios (the cold figures are
  // above): at a city's size that takes longer than a request may wait.
  const warming = performance.now();
  await evaluateYear(database, year);
  await ensureYearFigures(database, year);
  log(
    `the service's client warmed (the year evaluated, its figures current) in ${(performance.now() - warming).toFixed(0)} ms`,
  );
  // (a) cycles through the profiles of many enterprises (every 20th of the register: 1,000 of
  // 20,000, graded or not), so that no answer is the same twice in a row.
  const sample = await database.rows<{ uscc: string }>(sql`
    select uscc from (select uscc, row_number() over (order by uscc) as n from enterprises) e where n % 20 = 0 limit 1000`);
  const [busiest] = await database.rows<{ town: string; n: number }>(
    sql`select town, count(*)::int as n from enterprises where town is not null group by town order by n desc limit 1`,
  );

  const config = loadConfig(
    {
      port: 0,
      host: '127.0.0.1',
      allowAnonymous: true,
      logLevel: 'warn',
      rateLimitPerMinute: 1e9,
      rateLimitBurst: 1e9,
      // the 32 connections are one caller: the per-key gate on county-wide reads would refuse
      // most of (c); what is measured here is the service's throughput, not one key's share
      expensivePerKey: 0,
    },
    { ...process.env, DATABASE_URL: county.url },
  );
  let reads: ReadRouter | undefined;
  if (replicaUrl) {
    const replica = new URL(replicaUrl);
    replica.pathname = new URL(county.url).pathname;
    reads = await openReadRouter(
      database,
      [replica.toString()],
      { max: 20 },
      { maxLagMs: config.maxReplicaLagMs },
    );
    const [status] = reads.status();
    if (!status.healthy)
      throw new Error(`replica ${status.name} is not serving reads: ${status.reason}`);
    log(`reads from the replica ${status.name} (lag ${status.lagMs} ms)`);
  }
  const replicaDb = reads?.replicas[0]?.database;
  if (replicaDb) {
    const started = performance.now();
    await evaluateYear(replicaDb, year);
    await ensureYearFigures(replicaDb, year);
    log(`the replica's client warmed in ${(performance.now() - started).toFixed(0)} ms`);
  }
  /** statements so far on the primary and on the replica */
  const statementCount = () => database.stats.queries + (replicaDb?.stats.queries ?? 0);
  const app = createApp({ config, database, logger: createLogger('warn'), reads });
  const url = `${await app.start()}/graphql`;
  // requests autocannon abandons at the end are still answered before the database is closed
  let inFlight = 0;
  app.httpServer.on('request', (_req, res) => {
    inFlight++;
    res.on('close', () => inFlight--);
  });

  const scenarios: Scenario[] = [
    {
      name: `(a) enterprise profile + metrics + grade (${sample.length} enterprises in turn)`,
      bodies: sample.map(({ uscc }) => ({ query: PROFILE, variables: { uscc, year } })),
      goal: { rps: 1500, p99: 50 },
    },
    {
      name: `(b) 50 of ${busiest.town} (${busiest.n}) by 亩均税收 + metrics`,
      bodies: [{ query: TOWN_PAGE, variables: { town: busiest.town, year } }],
      goal: { rps: 300 },
    },
    {
      name: '(c) muEfficiencyRanking first 100',
      bodies: [{ query: RANKING, variables: { year } }],
      goal: { rps: 0 },
    },
  ];
  const rows: {
    scenario: Scenario;
    result: CannonResult;
    statements: number;
    statementsUnderLoad: number;
    /** share of the statements under load that the replica answered */
    onReplica: number;
    cpuMs: number;
  }[] = [];
  const only = option('only', 'abc');
  for (const scenario of scenarios.filter((s) => only.includes(s.name[1]))) {
    while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50)); // the previous scenario's leftovers
    // one request alone: its answer is checked and its statements counted exactly
    const before = statementCount();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(scenario.bodies[0]),
    });
    const json = (await res.json()) as { errors?: { message: string }[] };
    if (json.errors)
      throw new Error(`${scenario.name}: ${json.errors.map((e) => e.message).join('; ')}`);
    const statements = statementCount() - before;
    await cannon(url, scenario.bodies, { connections, seconds: Math.min(3, seconds) }); // warm-up
    const under = statementCount();
    const underReplica = replicaDb?.stats.queries ?? 0;
    const cpu = process.cpuUsage();
    const result = await cannon(url, scenario.bodies, { connections, seconds });
    const used = process.cpuUsage(cpu);
    const requests = Math.max(1, result.requests);
    rows.push({
      scenario,
      result,
      statements,
      statementsUnderLoad: (statementCount() - under) / requests,
      onReplica:
        ((replicaDb?.stats.queries ?? 0) - underReplica) / Math.max(1, statementCount() - under),
      cpuMs: (used.user + used.system) / 1000 / requests,
    });
  }
  while (inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  await app.stop();
  await reads?.close();
  await database.close();

  log('');
  log(
    `autocannon: ${connections} connections, ${seconds} s each, PostgreSQL${reads ? ' (reads on one streaming replica)' : ''}, ${county.enterprises} enterprises, year ${year}`,
  );
  log(
    `machine: ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (the service, PostgreSQL and autocannon share them)`,
  );
  log(
    `| scenario | req/s | p50 ms | p99 ms | SQL statements / request |${reads ? ' on the replica |' : ''} service CPU ms / request | errors | goal |`,
  );
  log(`| --- | ---: | ---: | ---: | ---: |${reads ? ' ---: |' : ''} ---: | ---: | --- |`);
  for (const { scenario, result, statements, statementsUnderLoad, onReplica, cpuMs } of rows) {
    const met =
      result.requestsPerSecond >= scenario.goal.rps &&
      (scenario.goal.p99 === undefined || result.p99 < scenario.goal.p99);
    const goal = scenario.goal.rps
      ? `≥ ${scenario.goal.rps} req/s${scenario.goal.p99 ? `, p99 < ${scenario.goal.p99} ms` : ''}: ${met ? 'met' : 'NOT met'}`
      : '—';
    log(
      `| ${scenario.name} | ${result.requestsPerSecond.toFixed(0)} | ${result.p50} | ${result.p99} | ${statements} (${statementsUnderLoad.toFixed(2)} under load) |${reads ? ` ${(onReplica * 100).toFixed(0)} % |` : ''} ${cpuMs.toFixed(2)} | ${result.non2xx + result.errors + result.timeouts} | ${goal} |`,
    );
  }
  // the goal: a county (20,000) in under a second, a city (200,000) in under five
  const coldGoal = county.enterprises > 100_000 ? 5000 : 1000;
  if (!Number.isNaN(coldEvaluation))
    log(
      `| cold evaluation, whole county | ${coldEvaluation.toFixed(0)} ms | | | | | | < ${coldGoal} ms: ${coldEvaluation < coldGoal ? 'met' : 'NOT met'} |`,
    );
}

main().then(
  () => process.exit(0), // a pooled connection or timer must not keep the benchmark alive
  (error) => {
    process.stderr.write(
      `bench:api failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
