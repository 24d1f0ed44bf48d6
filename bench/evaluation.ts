/**
 * Benchmark: cold 亩产效益 evaluation of a synthetic county (docs/metrics.md; target < 1 s for 20,000
 * enterprises on PostgreSQL).
 *
 *   npx tsx bench/evaluation.ts [--enterprises 20000] [--years 4] [--runs 5] [--year 2024] [--pglite] [--keep] [--url URL] [--explain]
 *
 * PostgreSQL: a scratch database is created on EDP_BENCH_PG_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and dropped at the end (kept with --keep);
 * --url URL measures an existing database instead (read only; seeded only when it has no
 * enterprise), e.g. a demo county loaded through the connectors. --pglite runs in memory.
 * Every run is a cold evaluation (a method id of its own, so the cache misses; nothing is written).
 * Besides wall time it reports CPU time of the database server process and of Node, which is
 * what the evaluation costs when the machine is shared.
 * Data is generated in SQL with generate_series (deterministic): per enterprise one parcel (85%),
 * and for each of `--years` years 12 monthly tax payments (90%), an annual return (95%) and 12
 * monthly readings on 1–2 power accounts (90%); one lease for every tenth enterprise.
 */

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { type SQL, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type Database, openDatabase } from '../db/client.js';
import { evaluateYear, evaluationSql } from '../resolvers/evaluation.js';
import { evaluationMethods, methodForYear } from '../resolvers/evaluation-method.js';
import { serverCpu } from './lib/backend-cpu.js';

const { values } = parseArgs({
  options: {
    enterprises: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '5' },
    years: { type: 'string', default: '4' },
    year: { type: 'string', default: '2024' },
    pglite: { type: 'boolean', default: false },
    explain: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    url: { type: 'string' },
  },
});
const n = Number(values.enterprises);
const runs = Number(values.runs);
const year = Number(values.year);

/** A deterministic pseudo-random integer in [0, m) from the row number and a salt. */
const h = (salt: string, m: number) => sql.raw(`(abs(hashtext(i::text || '${salt}')) % ${m})`);

async function seed(database: Database) {
  const uscc = sql.raw(`'91370830' || lpad(i::text, 10, '0')`);
  // every department's history covers `--years` years ending with the evaluated one
  const years = sql`generate_series(${year - Number(values.years) + 1}::int, ${year}::int)`;
  const steps: [string, SQL][] = [
    [
      'enterprises',
      sql`
      insert into enterprises (uscc, name, name_norm, status, established_on, town, industry_code, industry_section, industry_division, batch_id)
      select ${uscc}, '企业' || i, '企业' || i,
        case when ${h('s', 100)} < 95 then (array['存续', '在业'])[1 + ${h('t', 2)}] else '注销' end,
        date '2000-01-01' + (${h('e', 9000)})::int,
        (array['中都街道', '南站镇', '次丘镇', '寅寺镇', '郭楼镇', '康驿镇'])[1 + ${h('w', 6)}],
        x.section || lpad((13 + ${h('d', 30)})::text, 2, '0') || '00', x.section, x.section || lpad((13 + ${h('d', 30)})::text, 2, '0'), 1
      from generate_series(1, ${n}::int) i
      cross join lateral (select case when ${h('c', 100)} < 80 then 'C' when ${h('c', 100)} < 85 then 'B' when ${h('c', 100)} < 90 then 'D' else 'F' end as section) x`,
    ],
    [
      'land_parcels',
      sql`
      insert into land_parcels (unit_no, registered_on, uscc, area_m2, cancelled_on, batch_id)
      select 'U' || i, date '2005-01-01' + (${h('r', 7000)})::int, ${uscc}, 500 + ${h('a', 60000)},
        case when ${h('x', 100)} < 3 then date '2024-06-30' end, 1
      from generate_series(1, ${n}::int) i where ${h('l', 100)} < 85`,
    ],
    [
      'land_leases',
      sql`
      insert into land_leases (filing_no, lessor_uscc, lessee_uscc, area_m2, starts_on, ends_on, batch_id)
      select 'F' || i, ${uscc}, '91370830' || lpad((1 + ${h('o', n)})::text, 10, '0'), 100 + ${h('q', 2000)},
        date '2022-01-01', date '2026-12-31', 1
      from generate_series(1, ${n}::int) i where i % 10 = 0`,
    ],
    [
      'tax_payments',
      sql`
      insert into tax_payments (receipt_no, uscc, period, tax_type, amount_yuan, batch_id)
      select 'R' || i || '-' || y || '-' || m, ${uscc}, make_date(y, m, 1), '增值税',
        (${h('p', 500000)} - 10000)::numeric / 100 * (1 + m % 3), 1
      from generate_series(1, ${n}::int) i cross join ${years} y cross join generate_series(1, 12) m where ${h('y', 100)} < 90`,
    ],
    [
      'tax_annual',
      sql`
      insert into tax_annual (identity_key, year, uscc, revenue_yuan, rd_expense_yuan, employees, batch_id)
      select ${uscc}, y, ${uscc}, (${h('v', 100000)})::numeric * 1000 + 12.34,
        case when ${h('z', 10)} < 8 then (${h('v', 100000)})::numeric * ${h('k', 50)} / 10 end, 5 + ${h('m', 800)}, 1
      from generate_series(1, ${n}::int) i cross join ${years} y where ${h('n', 100)} < 95`,
    ],
    // power_consumption is a view: its accounts' holders (one per account, numbered i * 2 + a) and readings
    [
      'power_holders',
      sql`
      insert into power_holders (id, account_id, account_no, uscc, match_method)
      select i * 2 + a, i * 2 + a, 'P' || i || '-' || a, ${uscc}, 'uscc'
      from generate_series(1, ${n}::int) i cross join generate_series(1, 2) a`,
    ],
    [
      'power_readings',
      sql`
      insert into power_readings (account_id, month, kwh, holder_id, batch_id)
      select i * 2 + a, make_date(y, m, 1), 1000 + ${h('g', 2000000)} / a, i * 2 + a, 1
      from generate_series(1, ${n}::int) i cross join ${years} y cross join generate_series(1, 12) m cross join generate_series(1, 2) a
      where ${h('u', 100)} < 90 and (a = 1 or ${h('b', 100)} < 20)`,
    ],
    [
      'power_holders_id_seq',
      sql`select setval(pg_get_serial_sequence('power_holders', 'id'), (select max(id) from power_holders))`,
    ],
  ];
  for (const [table, statement] of steps) {
    const started = performance.now();
    await database.rows(statement);
    console.log(`  seeded ${table} in ${Math.round(performance.now() - started)} ms`);
  }
  await database.rows(sql`analyze`);
  const counts = await database.rows<{ t: string; c: number }>(sql`
    select 'enterprises' t, count(*)::int c from enterprises union all select 'tax_payments', count(*)::int from tax_payments
    union all select 'power_consumption', count(*)::int from power_consumption union all select 'land_parcels', count(*)::int from land_parcels`);
  console.log(`  rows: ${counts.map((r) => `${r.t} ${r.c}`).join(', ')}`);
}

async function scratch(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (values.pglite) {
    const database = await openDatabase();
    await database.migrate();
    return { database, drop: () => database.close() };
  }
  if (values.url) {
    // an existing database (e.g. a loaded demo county), read only: never migrated or written
    const database = await openDatabase({ databaseUrl: values.url, max: 1 });
    return { database, drop: () => database.close() };
  }
  const adminUrl = process.env.EDP_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `edp_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // one connection, so that its server process's CPU time can be read
  const database = await openDatabase({ databaseUrl: url.toString(), max: 1 });
  await database.migrate();
  return {
    database,
    drop: async () => {
      await database.close();
      if (values.keep) {
        console.log(`  kept ${url}`);
        return admin.end();
      }
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

const { database, drop } = await scratch();
try {
  console.log(`${database.kind}: ${n} enterprises, year ${year}`);
  const [{ c }] = await database.rows<{ c: number }>(
    sql`select count(*)::int as c from enterprises`,
  );
  if (c === 0) await seed(database);
  const backendCpu = await serverCpu(database);
  if (values.explain) {
    const plan = await database.rows<{ 'QUERY PLAN': string }>(
      sql`explain (analyze, buffers) ${evaluationSql(methodForYear(year)!, year)}`,
    );
    console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
    const started = performance.now();
    await database.rows(evaluationSql(methodForYear(year)!, year));
    console.log(`  the evaluation statement alone: ${Math.round(performance.now() - started)} ms`);
  }
  const cold: number[] = [];
  const cpu: { server: number; node: number }[] = [];
  const [method] = evaluationMethods();
  for (let r = 0; r < runs; r++) {
    // a method id of its own per run: every run is a cache miss, and nothing is written
    const methods = [
      { ...method, id: `${method.id}-bench-${r}`, effectiveYears: { from: 1990, to: null } },
    ];
    const [server0, node0] = [backendCpu(), process.cpuUsage()];
    const started = performance.now();
    const evaluation = await evaluateYear(database, year, { methods });
    cold.push(performance.now() - started);
    const node = process.cpuUsage(node0);
    cpu.push({ server: backendCpu() - server0, node: (node.user + node.system) / 1000 });
    if (r === 0) {
      const sizes = [...evaluation.ranked]
        .map(([p, members]) => `${p} ${members.length}`)
        .join(', ');
      console.log(
        `  evaluated: ${sizes}; not evaluated ${evaluation.results.size - [...evaluation.ranked.values()].reduce((s, m) => s + m.length, 0)}`,
      );
    }
  }
  const started = performance.now();
  await evaluateYear(database, year, {
    methods: [
      { ...method, id: `${method.id}-bench-${runs - 1}`, effectiveYears: { from: 1990, to: null } },
    ],
  });
  const warm = performance.now() - started;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(
    `  load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
  console.log(
    `  cold evaluateYear wall: ${cold.map((ms) => Math.round(ms)).join(', ')} ms (median ${Math.round(median(cold))} ms)`,
  );
  if (!Number.isNaN(cpu[0].server)) {
    const total = cpu.map((c) => c.server + c.node);
    console.log(
      `  cold evaluateYear CPU (database server + Node): ${cpu.map((c) => `${Math.round(c.server)} + ${Math.round(c.node)}`).join(', ')} ms (median total ${Math.round(median(total))} ms)`,
    );
  }
  console.log(`  warm evaluateYear (cache hit, data version only): ${warm.toFixed(1)} ms`);
} finally {
  await drop();
}
