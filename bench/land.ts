/**
 * Benchmark: the land revitalization list (docs/land-revitalization.md) on the demo county of 20,000
 * enterprises in PostgreSQL, loaded through the connectors (bench/lib/county.ts keeps it as
 * `edp_bench_20000_20221224` between runs, shared with bench:api). Target: a page of a year's list
 * under 300 ms once the year's figures are computed.
 *
 *   npx tsx bench/land.ts [--enterprises 20000] [--seed 20221224] [--year 2024] [--runs 30] [--fresh]
 *
 * It reports the cold first answer (a new client, the year's snapshot dropped: the evaluations of
 * Y−1 and Y and the snapshot are computed), then medians and 95th percentiles over `--runs` warm
 * answers of: the first page of 20 (resolver, and the whole GraphQL request with parcels and leases),
 * a page after a cursor, a category, a town, the whole list and the totals by town.
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { graphql } from 'graphql';
import { openDatabase } from '../db/client.js';
import { metricsSnapshots } from '../db/search.js';
import { createLogger } from '../lib/logger.js';
import { createContext, viewerFor } from '../resolvers/context.js';
import {
  landRevitalizationByTown,
  landRevitalizationCases,
} from '../resolvers/land-revitalization/cases.js';
import { schema } from '../schema/index.js';
import { benchCounty } from './lib/county.js';

const { values } = parseArgs({
  options: {
    enterprises: { type: 'string', default: '20000' },
    seed: { type: 'string', default: '20221224' },
    year: { type: 'string', default: '2024' },
    runs: { type: 'string', default: '30' },
    fresh: { type: 'boolean', default: false },
  },
});
const year = Number(values.year);
const runs = Number(values.runs);
const adminUrl = process.env.EDP_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const log = (line: string) => process.stderr.write(`${line}\n`);

const PAGE = /* GraphQL */ `
  query Land($year: Int!) {
    landRevitalization(year: $year, first: 20) {
      totalCount totalAreaMu
      nodes { enterprise { uscc name } categories landAreaMu reasons parcels { unitNo areaM2 registeredOn } leasesIn { unitNo areaM2 } }
    }
  }`;

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function timed(name: string, work: () => Promise<unknown>, rows: string[][]) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  rows.push([name, quantile(times, 0.5).toFixed(1), quantile(times, 0.95).toFixed(1)]);
}

async function main() {
  const county = await benchCounty(adminUrl, Number(values.enterprises), Number(values.seed), {
    fresh: values.fresh,
    log,
  });
  log(`database: ${county.enterprises} enterprises`);
  // cold: a new client (nothing cached in memory) and the year's snapshot dropped
  const cold = await openDatabase({ databaseUrl: county.url, max: 4 });
  await cold.db.delete(metricsSnapshots).where(sql`${metricsSnapshots.year} = ${year}`);
  const started = performance.now();
  const first = await landRevitalizationCases(cold, { year }, { first: 20 });
  const coldMs = performance.now() - started;
  await cold.close();

  const { database } = county;
  const logger = createLogger('silent');
  const rows: string[][] = [];
  const page = await landRevitalizationCases(database, { year }, { first: 20 });
  const town = page.cases[0]?.town ?? '中都街道';
  await timed(
    'first page of 20 (resolver)',
    () => landRevitalizationCases(database, { year }, { first: 20 }),
    rows,
  );
  await timed(
    'first page of 20, GraphQL with parcels and leases (natural-resources)',
    async () => {
      const result = await graphql({
        schema,
        source: PAGE,
        variableValues: { year },
        contextValue: createContext(database, viewerFor('natural-resources'), logger, 'bench'),
      });
      if (result.errors) throw new Error(result.errors[0].message);
    },
    rows,
  );
  await timed(
    'page after a cursor (21–40)',
    () => landRevitalizationCases(database, { year }, { first: 20, after: page.cursors.at(-1) }),
    rows,
  );
  await timed(
    'category LOW_EFFICIENCY, first 20',
    () => landRevitalizationCases(database, { year, category: 'LOW_EFFICIENCY' }, { first: 20 }),
    rows,
  );
  await timed(
    `town ${town}, first 20`,
    () => landRevitalizationCases(database, { year, town }, { first: 20 }),
    rows,
  );
  await timed(
    'the whole list (export)',
    () => landRevitalizationCases(database, { year }, { first: null }),
    rows,
  );
  await timed('totals by town and category', () => landRevitalizationByTown(database, year), rows);
  await database.close();

  process.stdout.write(
    `land revitalization ${year}: ${first.totalCount} cases, ${first.totalAreaMu.toFixed(1)} 亩 of ${county.enterprises} enterprises\n` +
      `cold first page (new client, snapshot dropped): ${coldMs.toFixed(0)} ms\n\n` +
      `| question | median ms | p95 ms |\n| --- | ---: | ---: |\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`,
  );
}

await main();
