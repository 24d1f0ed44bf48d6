/**
 * Benchmark: award candidates for the whole county (docs/awards.md; an interactive page on 20,000
 * enterprises). Synthetic rows made in SQL with generate_series (deterministic: hashtext of the
 * row number): per enterprise tax-annual returns 2020–2025 (95%), software revenue for I65 firms,
 * recognitions of every type (about 12%, some re-recognised), tech projects (6%), and 25 apparel
 * core factories with 6–20 attached 单品精益化工厂 each.
 *
 *   npx tsx bench/awards.ts [--enterprises 20000] [--runs 3] [--as-of 2025-06-30] [--pglite] [--url postgres://…]
 *
 * PostgreSQL (default): a scratch database on EDP_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * dropped at the end. --pglite: in memory.
 */

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { type Database, openDatabase } from '../db/client.js';
import { awardCandidates, awardSummary, eligibilityFor } from '../resolvers/awards/engine.js';
import { awardCodes, defaultRegistry } from '../resolvers/awards/ruleset.js';

const { values } = parseArgs({
  options: {
    enterprises: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '3' },
    'as-of': { type: 'string', default: '2025-06-30' },
    pglite: { type: 'boolean', default: false },
    url: { type: 'string' },
  },
});
const n = Number(values.enterprises);
const runs = Number(values.runs);
const asOf = values['as-of']!;

/** A deterministic pseudo-random integer in [0, m) from the row number and a salt. */
const h = (salt: string, m: number) => sql.raw(`(abs(hashtext(i::text || '${salt}')) % ${m})`);
/** The same, varying also with the second series `k`. */
const hk = (salt: string, m: number) =>
  sql.raw(`(abs(hashtext(i::text || '${salt}' || k::text)) % ${m})`);
const uscc = sql.raw(`'91370830' || lpad(i::text, 10, '0')`);
const TYPES = [
  '国家级专精特新小巨人',
  '省级专精特新中小企业',
  '两化融合管理体系贯标',
  '省级智能工厂',
  '省级数字化车间',
  '省级5G产业试点示范项目',
  '工业互联网创新示范企业',
  '国家首台(套)重大技术装备',
  '省首台(套)重大技术装备',
  '规上工业企业首次纳统',
  '攀登工程协议完成',
];

async function seed(database: Database) {
  const types = sql.raw(`array[${TYPES.map((t) => `'${t}'`).join(',')}]`);
  const steps = [
    [
      'enterprises',
      sql`
      insert into enterprises (uscc, name, name_norm, status, established_on, town, industry_division, batch_id)
      select ${uscc}, '企业' || i, '企业' || i, case when ${h('s', 100)} < 94 then '存续' else '注销' end,
        date '2000-01-01' + ${h('e', 9000)}::int, (array['中都街道', '南站镇', '次丘镇', '寅寺镇', '郭楼镇', '康驿镇'])[1 + ${h('w', 6)}],
        case when ${h('d', 100)} < 15 then 'C18' when ${h('d', 100)} < 20 then 'I65' else 'C' || (20 + ${h('k', 20)}) end, 1
      from generate_series(1, ${n}::int) i`,
    ],
    [
      'tax_annual',
      sql`
      insert into tax_annual (identity_key, year, uscc, revenue_yuan, software_revenue_yuan, employees, batch_id)
      select ${uscc}, y, ${uscc},
        round(exp(13 + ${h('r', 700)}::numeric / 100 + (y - 2020) * ${h('g', 30)}::numeric / 100)::numeric, 2),
        case when ${h('d', 100)} between 15 and 19 then round((2e6 + ${h('f', 4000)}::numeric * 1e4 * (y - 2019))::numeric, 2) end,
        10 + ${h('m', 60)} + y % 3, 1
      from generate_series(1, ${n}::int) i cross join generate_series(2020, 2025) y where ${h('t', 100)} < 95`,
    ],
    [
      'designations',
      sql`
      insert into designations (identity_key, type, recognized_on, uscc, issuer, batch_id)
      select ${uscc}, (${types})[1 + ${hk('p', TYPES.length)}], date '2019-01-01' + ${hk('q', 2900)}::int, ${uscc}, '山东省工业和信息化厅', 1
      from generate_series(1, ${n}::int) i cross join generate_series(1, 2) k where ${hk('o', 100)} < (case k when 1 then 12 else 3 end)
      on conflict do nothing`,
    ],
    [
      'tech_projects',
      sql`
      insert into tech_projects (project_no, uscc, project_name, equipment_yuan, software_yuan, accepted_on, already_supported, batch_id)
      select 'ZN' || i, ${uscc}, '智能化改造' || i, 5e5 + ${h('x', 3000)}::numeric * 1e4, (1e5 + ${h('z', 500)}::numeric * 1e4),
        date '2022-06-01' + ${h('a', 1400)}::int, ${h('b', 100)} < 15, 1
      from generate_series(1, ${n}::int) i where ${h('j', 100)} < 6`,
    ],
    [
      'core factories',
      sql`
      insert into designations (identity_key, type, recognized_on, uscc, batch_id)
      select ${uscc}, '服装加工龙头企业(核心厂)备案', date '2022-06-01' + ${h('c', 500)}::int, ${uscc}, 1
      from generate_series(1, ${n}::int) i where i % (${n}::int / 25) = 0`,
    ],
    [
      'partners',
      sql`
      insert into designations (identity_key, type, recognized_on, uscc, core_factory_uscc, batch_id)
      select ${uscc}, '单品精益化工厂', date '2022-09-01' + ${h('u', 1000)}::int, ${uscc},
        '91370830' || lpad(((1 + ${h('v', 25)}) * (${n}::int / 25))::text, 10, '0'), 1
      from generate_series(1, ${n}::int) i where ${h('d', 100)} < 15 and ${h('l', 100)} < 12
      on conflict do nothing`,
    ],
  ] as const;
  for (const [what, statement] of steps) {
    const started = performance.now();
    await database.rows(statement);
    console.log(`  seeded ${what} in ${Math.round(performance.now() - started)} ms`);
  }
  await database.rows(sql`analyze`);
}

async function scratch(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (values.pglite || values.url) {
    const database = await openDatabase({ databaseUrl: values.url });
    await database.migrate();
    return { database, drop: () => database.close() };
  }
  const admin = postgres(
    process.env.EDP_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    { max: 1, onnotice: () => {} },
  );
  const name = `edp_bench_awards_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database ${name}`);
  const url = new URL(
    process.env.EDP_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
  );
  url.pathname = `/${name}`;
  const database = await openDatabase({ databaseUrl: url.toString(), max: 2 });
  await database.migrate();
  return {
    database,
    drop: async () => {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timed<T>(
  fn: () => Promise<T>,
): Promise<{ ms: number; result: T; statements: number }> {
  const times: number[] = [];
  let result!: T;
  let statements = 0;
  for (let r = 0; r < runs; r++) {
    const before = database.stats.queries;
    const started = performance.now();
    result = await fn();
    times.push(performance.now() - started);
    statements = database.stats.queries - before;
  }
  return { ms: median(times), result, statements };
}

const { database, drop } = await scratch();
try {
  console.log(
    `${database.kind}: ${n} enterprises, as of ${asOf}, median of ${runs} runs; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${os.cpus().length} CPUs`,
  );
  const [{ c }] = await database.rows<{ c: number }>(
    sql`select count(*)::int as c from enterprises`,
  );
  if (c === 0) await seed(database);
  for (const { rule } of awardCodes(defaultRegistry())) {
    const { ms, result, statements } = await timed(() =>
      awardCandidates(database, rule.code, asOf),
    );
    console.log(
      `  awardCandidates(${rule.code.padEnd(24)}) ${String(Math.round(ms)).padStart(5)} ms, ${String(result.length).padStart(5)} candidates, ${statements} statements`,
    );
  }
  const summary = await timed(() => awardSummary(database, asOf));
  const total = summary.result.reduce((s, r) => s + r.totalAmountYuan, 0);
  console.log(
    `  awardSummary (all codes)            ${Math.round(summary.ms)} ms, ${summary.result.reduce((s, r) => s + r.candidates, 0)} candidates, ${total.toLocaleString('en')} 元, ${summary.statements} statements`,
  );
  const all = (
    await database.rows<{ uscc: string }>(sql`select uscc from enterprises order by uscc`)
  ).map((r) => r.uscc);
  const page = await timed(() => eligibilityFor(database, all.slice(0, 100), asOf));
  console.log(
    `  eligibilityFor, a page of 100       ${Math.round(page.ms)} ms, ${page.statements} statements`,
  );
  const county = await timed(() => eligibilityFor(database, all, asOf));
  console.log(
    `  eligibilityFor, all ${all.length}         ${Math.round(county.ms)} ms, ${county.statements} statements`,
  );
} finally {
  await drop();
}
