/**
 * `npm run bench:peer`: the platform's relational reads beside PostGraphile 5 on the same data.
 *
 *   npm run bench:peer -- [--only 1234] [--seconds 10] [--rounds 2] [--connections 32] [--pool 20]
 *                         [--year 2024] [--role analyst] [--check 50] [--markdown] [--fresh]
 *                         [--fresh-copy] [--show-sql [full]] [--cpu-prof DIR]
 *                         [--enterprises 20000] [--seed 20221224] [--peer-dir /tmp/edp-bench-peer]
 *                         [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * Loads (once; kept as edp_bench_<n>_<seed>, the database of bench:api) the demo county through the
 * real connectors, and copies it (kept as edp_peer_<n>_<seed>) for PostGraphile with the links to
 * the register declared as foreign keys (bench/lib/postgraphile.ts); `--fresh` loads both again,
 * `--fresh-copy` makes only the copy again. Installs PostGraphile into a throwaway folder outside
 * the project (`npm install --prefix`, first run only) and runs it in a child process; the platform runs in this process, queried with an API key of `--role`. Both
 * answer the same data for `--check` enterprises of each document (and every page of (3)) before
 * anything is timed. Then autocannon drives them in turn, document by document, for `--rounds`
 * rounds (the side that goes first alternates), each run `--seconds` long after a warm-up in the
 * first round; the table keeps each side's best run of each document. `--rounds 0` checks only;
 * `--show-sql` prints the statements one request of each document sends on each side; `--cpu-prof
 * DIR` writes a V8 CPU profile of the platform's process during each of its timed runs into DIR
 * (open it in Chrome DevTools or speedscope). Each of the platform's runs also reports its event
 * loop's delay (how long a ready callback waited, p50 and p99) and its garbage collector's pauses
 * (per request; the scavenges, the longest, and any full collection).
 *
 * Documents, each cycling through 1,000 enterprises:
 *   (1) register + the latest 100 tax receipts + parcels;
 *   (2) register + power accounts with their months of `--year`;
 *   (3) a page of 50 enterprises of the busiest town with each one's parcels (20 pages in turn);
 *   (4) one enterprise with every department's detail at once.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../db/client.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { createApiKey, revokeApiKey } from '../resolvers/keys.js';
import { isRole } from '../resolvers/roles.js';
import { createApp } from '../server/app.js';
import { machineCpuMs, postgresCpuMs } from './lib/backend-cpu.js';
import { type CannonResult, cannon } from './lib/cannon.js';
import { benchCounty } from './lib/county.js';
import { type GcPauses, watchGcPauses } from './lib/gc-pauses.js';
import {
  installPostGraphile,
  POSTGRAPHILE_VERSION,
  peerDatabase,
  startPostGraphile,
} from './lib/postgraphile.js';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const enterprises = Number(option('enterprises', '20000'));
const seed = Number(option('seed', '20221224'));
const seconds = Number(option('seconds', '10'));
const rounds = Number(option('rounds', '2'));
const connections = Number(option('connections', '32'));
const pool = Number(option('pool', '20'));
const year = Number(option('year', '2024'));
const role = option('role', 'analyst');
const checked = Number(option('check', '50'));
const only = option('only', '1234');
const markdown = flag('markdown');
/** `--show-sql` prints the statements of one request of each document on each side (`full`: untruncated) */
const showSql = flag('show-sql') ? (option('show-sql', '') === 'full' ? 'full' : 'short') : '';
/** `--cpu-prof DIR`: a CPU profile of the platform per timed run */
const cpuProfDir = flag('cpu-prof') ? path.resolve(option('cpu-prof', 'bench-profiles')) : '';
const peerDir = option('peer-dir', path.join(os.tmpdir(), 'edp-bench-peer'));
const adminUrl = option(
  'admin-url',
  process.env.EDP_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
);
const log = (line: string) => process.stdout.write(`${line}\n`);

/** How many enterprises each document cycles through, and the page of (3). */
const CYCLE = 1000;
const PAGE = 50;

/** an answer's data, read loosely and normalised below */
type Json = any;
type Variables = Record<string, unknown>;

/** A decimal as text with two places: the platform answers Float, PostGraphile BigFloat strings. */
const dec = (x: unknown) => (x == null ? null : Number(x).toFixed(2));
/** Rows in a fixed order, for lists whose order either side may choose. */
const sorted = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();

const register = (e: Json) => [e.uscc, e.name, e.town, e.industryCode];
const receipts = (nodes: Json[]) =>
  nodes.map((t) => [t.receiptNo, t.period, t.taxType, dec(t.amountYuan)]);
const parcels = (rows: Json[]) =>
  sorted(rows.map((p) => [p.unitNo, dec(p.areaM2), p.registeredOn, p.cancelledOn]));
const accounts = (rows: { accountNo: string; name: string | null; months: Json[] }[]) =>
  sorted(rows.map((a) => [a.accountNo, a.name, a.months.map((m) => [m.month, dec(m.kwh)])]));
const platformAccounts = (rows: Json[]) =>
  accounts(rows.map((a) => ({ accountNo: a.accountNo, name: a.accountName, months: a.months })));
const peerAccounts = (holders: Json) =>
  accounts(
    holders.nodes
      .map((h: Json) => ({ accountNo: h.accountNo, name: h.rawName, months: h.months.nodes }))
      .filter((a: { months: Json[] }) => a.months.length > 0),
  );

interface Document {
  key: string;
  name: string;
  platform: string;
  peer: string;
  /** the answer's data in one form for both sides */
  platformData: (data: Json) => unknown;
  peerData: (data: Json) => unknown;
}

const DOCUMENTS: Document[] = [
  {
    key: '1',
    name: '(1) register + 100 tax receipts + parcels',
    platform: /* GraphQL */ `
      query TaxAndLand($uscc: String!) {
        enterprise(uscc: $uscc) {
          uscc name town industryCode
          taxPayments(first: 100) { nodes { receiptNo period taxType amountYuan } }
          parcels { unitNo areaM2 registeredOn cancelledOn }
        }
      }`,
    peer: /* GraphQL */ `
      query TaxAndLand($uscc: String!) {
        enterprisByUscc(uscc: $uscc) {
          uscc name town industryCode
          taxPaymentsByUscc(first: 100, orderBy: [PERIOD_DESC, RECEIPT_NO_ASC]) {
            nodes { receiptNo period taxType amountYuan }
          }
          landParcelsByUscc { nodes { unitNo areaM2 registeredOn cancelledOn } }
        }
      }`,
    platformData: ({ enterprise: e }) => ({
      e: register(e),
      tax: receipts(e.taxPayments.nodes),
      parcels: parcels(e.parcels),
    }),
    peerData: ({ enterprisByUscc: e }) => ({
      e: register(e),
      tax: receipts(e.taxPaymentsByUscc.nodes),
      parcels: parcels(e.landParcelsByUscc.nodes),
    }),
  },
  {
    key: '2',
    name: '(2) register + power accounts, 12 months',
    platform: /* GraphQL */ `
      query Power($uscc: String!, $year: Int!) {
        enterprise(uscc: $uscc) {
          uscc name town industryCode
          powerAccounts(year: $year) { accountNo accountName months { month kwh } }
        }
      }`,
    peer: /* GraphQL */ `
      query Power($uscc: String!, $year: Int!) {
        enterprisByUscc(uscc: $uscc) {
          uscc name town industryCode
          powerHoldersByUscc {
            nodes { accountNo rawName months: readingsInYear(year: $year) { nodes { month kwh } } }
          }
        }
      }`,
    platformData: ({ enterprise: e }) => ({
      e: register(e),
      power: platformAccounts(e.powerAccounts),
    }),
    peerData: ({ enterprisByUscc: e }) => ({
      e: register(e),
      power: peerAccounts(e.powerHoldersByUscc),
    }),
  },
  {
    key: '3',
    name: `(3) a page of ${PAGE} of one town + parcels`,
    platform: /* GraphQL */ `
      query TownParcels($town: String!, $after: String) {
        enterprises(first: ${PAGE}, after: $after, filter: { town: $town }, orderBy: { field: USCC }) {
          pageInfo { hasNextPage endCursor }
          nodes { uscc name parcels { unitNo areaM2 registeredOn cancelledOn } }
        }
      }`,
    peer: /* GraphQL */ `
      query TownParcels($town: String!, $after: Cursor) {
        allEnterprises(first: ${PAGE}, after: $after, condition: { town: $town }, orderBy: [USCC_ASC]) {
          pageInfo { hasNextPage endCursor }
          nodes { uscc name landParcelsByUscc { nodes { unitNo areaM2 registeredOn cancelledOn } } }
        }
      }`,
    platformData: ({ enterprises: c }) => ({
      more: c.pageInfo.hasNextPage,
      page: c.nodes.map((e: Json) => [e.uscc, e.name, parcels(e.parcels)]),
    }),
    peerData: ({ allEnterprises: c }) => ({
      more: c.pageInfo.hasNextPage,
      page: c.nodes.map((e: Json) => [e.uscc, e.name, parcels(e.landParcelsByUscc.nodes)]),
    }),
  },
  {
    key: '4',
    name: "(4) one enterprise, every department's detail",
    platform: /* GraphQL */ `
      query Everything($uscc: String!, $year: Int!) {
        enterprise(uscc: $uscc) {
          uscc name town industryCode status legalForm registeredCapitalYuan establishedOn address
          taxPayments(first: 100) { nodes { receiptNo period taxType amountYuan } }
          taxAnnual { year revenueYuan softwareRevenueYuan rdExpenseYuan employees }
          parcels { unitNo areaM2 registeredOn cancelledOn }
          leasesOut { filingNo unitNo startsOn endsOn lesseeName lesseeUscc }
          leasesIn { filingNo unitNo startsOn endsOn lessorName lessorUscc }
          powerAccounts(year: $year) { accountNo accountName months { month kwh } }
          penalties { decisionNo violationType decidedOn amountYuan }
          designations { type recognizedOn issuer documentNo }
          techProjects { projectNo projectName equipmentYuan softwareYuan acceptedOn alreadySupported }
        }
      }`,
    peer: /* GraphQL */ `
      query Everything($uscc: String!, $year: Int!) {
        enterprisByUscc(uscc: $uscc) {
          uscc name town industryCode status legalForm registeredCapitalYuan establishedOn address
          taxPaymentsByUscc(first: 100, orderBy: [PERIOD_DESC, RECEIPT_NO_ASC]) {
            nodes { receiptNo period taxType amountYuan }
          }
          taxAnnualsByUscc { nodes { year revenueYuan softwareRevenueYuan rdExpenseYuan employees } }
          landParcelsByUscc { nodes { unitNo areaM2 registeredOn cancelledOn } }
          landLeasesByLessorUscc { nodes { filingNo unitNo startsOn endsOn lesseeName lesseeUscc } }
          landLeasesByLesseeUscc { nodes { filingNo unitNo startsOn endsOn lessorName lessorUscc } }
          powerHoldersByUscc {
            nodes { accountNo rawName months: readingsInYear(year: $year) { nodes { month kwh } } }
          }
          marketPenaltiesByUscc { nodes { decisionNo violationType decidedOn amountYuan } }
          designationsByUscc { nodes { type recognizedOn issuer documentNo } }
          techProjectsByUscc {
            nodes { projectNo projectName equipmentYuan softwareYuan acceptedOn alreadySupported }
          }
        }
      }`,
    platformData: ({ enterprise: e }) =>
      everything(e, {
        tax: e.taxPayments.nodes,
        taxAnnual: e.taxAnnual,
        parcels: e.parcels,
        leasesOut: e.leasesOut,
        leasesIn: e.leasesIn,
        power: platformAccounts(e.powerAccounts),
        penalties: e.penalties,
        designations: e.designations,
        techProjects: e.techProjects,
      }),
    peerData: ({ enterprisByUscc: e }) =>
      everything(e, {
        tax: e.taxPaymentsByUscc.nodes,
        taxAnnual: e.taxAnnualsByUscc.nodes,
        parcels: e.landParcelsByUscc.nodes,
        leasesOut: e.landLeasesByLessorUscc.nodes,
        leasesIn: e.landLeasesByLesseeUscc.nodes,
        power: peerAccounts(e.powerHoldersByUscc),
        penalties: e.marketPenaltiesByUscc.nodes,
        designations: e.designationsByUscc.nodes,
        techProjects: e.techProjectsByUscc.nodes,
      }),
  },
];

function everything(e: Json, d: Record<string, Json>) {
  return {
    e: [
      ...register(e),
      e.status,
      e.legalForm,
      dec(e.registeredCapitalYuan),
      e.establishedOn,
      e.address,
    ],
    tax: receipts(d.tax),
    taxAnnual: sorted(
      d.taxAnnual.map((r: Json) => [
        r.year,
        dec(r.revenueYuan),
        dec(r.softwareRevenueYuan),
        dec(r.rdExpenseYuan),
        r.employees,
      ]),
    ),
    parcels: parcels(d.parcels),
    leasesOut: sorted(
      d.leasesOut.map((l: Json) => [
        l.filingNo,
        l.unitNo,
        l.startsOn,
        l.endsOn,
        l.lesseeName,
        l.lesseeUscc,
      ]),
    ),
    leasesIn: sorted(
      d.leasesIn.map((l: Json) => [
        l.filingNo,
        l.unitNo,
        l.startsOn,
        l.endsOn,
        l.lessorName,
        l.lessorUscc,
      ]),
    ),
    power: d.power,
    penalties: sorted(
      d.penalties.map((p: Json) => [p.decisionNo, p.violationType, p.decidedOn, dec(p.amountYuan)]),
    ),
    designations: sorted(
      d.designations.map((r: Json) => [r.type, r.recognizedOn, r.issuer, r.documentNo]),
    ),
    techProjects: sorted(
      d.techProjects.map((p: Json) => [
        p.projectNo,
        p.projectName,
        dec(p.equipmentYuan),
        dec(p.softwareYuan),
        p.acceptedOn,
        p.alreadySupported,
      ]),
    ),
  };
}

/** POSTs one GraphQL request and returns its data; any error fails the benchmark. */
async function ask(
  url: string,
  headers: Record<string, string>,
  query: string,
  variables: Variables,
): Promise<Json> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const json = (await res.json()) as { data?: Json; errors?: { message: string }[] };
  if (json.errors?.length || !json.data)
    throw new Error(
      `${url} answered ${res.status}: ${json.errors?.map((e) => e.message).join('; ')}`,
    );
  return json.data;
}

interface Side {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** statements sent to PostgreSQL so far */
  statements(): Promise<number>;
  /** the serving process's CPU so far, ms */
  cpuMs(): Promise<number>;
  inFlight(): Promise<number>;
  /** the statements sent to PostgreSQL while `run` runs */
  recordSql(run: () => Promise<unknown>): Promise<string[]>;
}

interface Run {
  result: CannonResult;
  statements: number;
  cpuMs: number;
  /** PostgreSQL's CPU per request, ms (every postgres process) */
  postgresMs: number;
  /** the whole machine's CPU per request, ms (both cores: service, PostgreSQL, autocannon) */
  machineMs: number;
}

async function main() {
  const county = await benchCounty(adminUrl, enterprises, seed, {
    log,
    max: pool,
    fresh: flag('fresh'),
  });
  log(
    `database: ${county.enterprises} enterprises${county.loadSeconds ? `, loaded in ${county.loadSeconds.toFixed(0)} s` : ' (already loaded)'}`,
  );
  // the copy is made from the loaded database, which must have no session of ours meanwhile
  await county.database.close();
  const peerUrl = await peerDatabase(
    adminUrl,
    `edp_bench_${enterprises}_${seed}`,
    `edp_peer_${enterprises}_${seed}`,
    { fresh: flag('fresh') || flag('fresh-copy') || county.loadSeconds > 0, log },
  );
  await installPostGraphile(peerDir, log);
  const database = await openDatabase({ databaseUrl: county.url, max: pool });

  const step = Math.max(1, Math.floor(county.enterprises / CYCLE));
  const everyN = await database.rows<{ uscc: string }>(sql`
    select uscc from (select uscc, row_number() over (order by uscc) as n from enterprises) e
    where n % ${step} = 0 order by uscc limit ${CYCLE}`);
  // (2) cycles through enterprises that have power readings in the year
  const withPower = await database.rows<{ uscc: string }>(sql`
    select distinct uscc from power_consumption
    where uscc is not null and month >= make_date(${year}, 1, 1) and month < make_date(${year + 1}, 1, 1)
    order by uscc`);
  const powerStep = Math.max(1, Math.floor(withPower.length / CYCLE));
  const powered = withPower.filter((_, i) => i % powerStep === 0).slice(0, CYCLE);
  const [busiest] = await database.rows<{ town: string; n: number }>(
    sql`select town, count(*)::int as n from enterprises where town is not null group by town order by n desc limit 1`,
  );

  if (!isRole(role)) throw new Error(`--role ${role} is not a role`);
  const key = await createApiKey(database, { name: 'bench:peer', role });
  const config = loadConfig(
    {
      port: 0,
      host: '127.0.0.1',
      allowAnonymous: false,
      logLevel: 'warn',
      rateLimitPerMinute: 1e9,
      rateLimitBurst: 1e9,
    },
    { ...process.env, DATABASE_URL: county.url },
  );
  const app = createApp({ config, database, logger: createLogger('warn'), reads: undefined });
  const peer = await startPostGraphile(peerDir, peerUrl, pool);
  let appInFlight = 0;
  app.httpServer.on('request', (_req, res) => {
    appInFlight++;
    res.on('close', () => appInFlight--);
  });
  const platform: Side = {
    name: 'platform',
    url: `${await app.start()}/graphql`,
    headers: { authorization: `Bearer ${key.key}` },
    statements: async () => database.stats.queries,
    cpuMs: async () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    },
    inFlight: async () => appInFlight,
    recordSql: async (run) => {
      const recorded: string[] = [];
      database.onQuery = (query) => recorded.push(query);
      try {
        await run();
      } finally {
        database.onQuery = undefined;
      }
      return recorded;
    },
  };
  const postgraphile: Side = {
    name: `PostGraphile ${POSTGRAPHILE_VERSION}`,
    url: peer.url,
    headers: {},
    statements: async () => (await peer.stats()).statements,
    cpuMs: async () => {
      const { cpu } = await peer.stats();
      return (cpu.user + cpu.system) / 1000;
    },
    inFlight: async () => (await peer.stats()).inFlight,
    recordSql: async (run) => {
      await peer.stats('record');
      const failed = await run().then(
        () => null,
        (error: unknown) => error ?? new Error('failed'),
      );
      const { sql = [] } = await peer.stats('recorded');
      if (failed) throw failed;
      return sql;
    },
  };
  const sides = [platform, postgraphile];

  try {
    const documents = DOCUMENTS.filter((d) => only.includes(d.key));
    /** document key → side name → the request bodies its connections cycle through */
    const bodies = new Map<string, Map<string, { query: string; variables: Variables }[]>>();
    for (const doc of documents) {
      const perSide = new Map<string, { query: string; variables: Variables }[]>();
      bodies.set(doc.key, perSide);
      const queryOf = (side: Side) => (side === platform ? doc.platform : doc.peer);
      const dataOf = (side: Side, data: Json) =>
        side === platform ? doc.platformData(data) : doc.peerData(data);
      /** each side's time for one request alone, ms (the check's requests, one after the other) */
      const took = new Map<Side, number[]>(sides.map((side) => [side, []]));
      const askOn = async (side: Side, variables: Variables) => {
        const started = performance.now();
        const data = await ask(side.url, side.headers, queryOf(side), variables);
        took.get(side)!.push(performance.now() - started);
        return data;
      };
      let compared = 0;
      if (doc.key === '3') {
        // every page is walked on both sides with each one's own cursors, and compared
        const cursors = new Map<Side, (string | null)[]>(sides.map((s) => [s, [null]]));
        for (let page = 0; page < CYCLE / PAGE; page++) {
          const answers: string[] = [];
          for (const side of sides) {
            const after = cursors.get(side)![page];
            const data = await askOn(side, { town: busiest.town, after });
            const connection = data.enterprises ?? data.allEnterprises;
            cursors.get(side)!.push(connection.pageInfo.endCursor);
            answers.push(JSON.stringify(dataOf(side, data)));
          }
          if (answers[0] !== answers[1]) throw mismatch(doc, `page ${page + 1}`, answers);
          compared++;
        }
        for (const side of sides)
          perSide.set(
            side.name,
            cursors
              .get(side)!
              .slice(0, CYCLE / PAGE)
              .map((after) => ({ query: queryOf(side), variables: { town: busiest.town, after } })),
          );
      } else {
        const cycle = doc.key === '2' ? powered : everyN;
        for (const side of sides)
          perSide.set(
            side.name,
            cycle.map(({ uscc }) => ({ query: queryOf(side), variables: { uscc, year } })),
          );
        const every = Math.max(1, Math.floor(cycle.length / Math.max(1, checked)));
        for (let i = 0; i < cycle.length && compared < checked; i += every) {
          const answers: string[] = [];
          for (const side of sides)
            answers.push(
              JSON.stringify(dataOf(side, await askOn(side, { uscc: cycle[i].uscc, year }))),
            );
          if (answers[0] !== answers[1]) throw mismatch(doc, cycle[i].uscc, answers);
          compared++;
        }
      }
      log(
        `${doc.name}: both answer the same data (${compared} compared); one request alone, median: ${sides.map((side) => `${side.name} ${median(took.get(side)!).toFixed(1)} ms`).join(', ')}`,
      );
      if (showSql)
        for (const side of sides) {
          const { query, variables } = perSide.get(side.name)![0];
          const statements = await side.recordSql(() =>
            ask(side.url, side.headers, query, variables),
          );
          log(`  ${side.name}, one request: ${statements.length} statements`);
          for (const statement of statements)
            log(
              `    ${statement.replace(/\s+/g, ' ').slice(0, showSql === 'full' ? undefined : 300)}`,
            );
        }
    }

    if (rounds < 1) return; // --rounds 0: the check (and --show-sql) alone
    const best = new Map<string, Run>();
    const load: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const doc of documents) {
        for (const side of round % 2 ? sides : [...sides].reverse()) {
          const body = bodies.get(doc.key)!.get(side.name)!;
          const options = { connections, seconds, headers: side.headers };
          while ((await side.inFlight()) > 0) await new Promise((r) => setTimeout(r, 50));
          if (round === 1)
            await cannon(side.url, body, { ...options, seconds: Math.min(3, seconds) });
          while ((await side.inFlight()) > 0) await new Promise((r) => setTimeout(r, 50));
          const statements = await side.statements();
          const cpu = await side.cpuMs();
          const [postgres0, machine0] = [postgresCpuMs(), machineCpuMs()];
          const profiling = cpuProfDir && side === platform ? await startProfile() : null;
          // the platform's event loop: how long a ready callback (a statement's answer, the
          // audit's commit) waited for it during the run
          const loopDelay = side === platform ? monitorEventLoopDelay({ resolution: 1 }) : null;
          loopDelay?.enable();
          // and its garbage collector's pauses, which every request in flight waits out
          const gcWatch = side === platform ? watchGcPauses() : null;
          const result = await cannon(side.url, body, options);
          loopDelay?.disable();
          const gc = gcWatch?.stop();
          if (profiling) {
            const file = path.join(cpuProfDir, `peer-${doc.key}-round${round}.cpuprofile`);
            await profiling.stop(file);
            log(`  CPU profile: ${file}`);
          }
          const requests = Math.max(1, result.requests);
          const run: Run = {
            result,
            statements: ((await side.statements()) - statements) / requests,
            cpuMs: ((await side.cpuMs()) - cpu) / requests,
            postgresMs: (postgresCpuMs() - postgres0) / requests,
            machineMs: (machineCpuMs() - machine0) / requests,
          };
          load.push(os.loadavg()[0]);
          log(
            `round ${round} ${doc.name.slice(0, 3)} ${side.name.padEnd(18)} ${result.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${result.p50} ms  p99 ${result.p99} ms  ${run.statements.toFixed(2)} statements/request  ${run.cpuMs.toFixed(2)} CPU ms/request (PostgreSQL ${run.postgresMs.toFixed(2)}, machine ${run.machineMs.toFixed(2)}), ${(result.bytesPerResponse / 1024).toFixed(1)} KB/response${loopDelay ? `, event loop delay p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms` : ''}${gc ? `, ${gcSummary(gc, requests)}` : ''}${result.non2xx + result.errors + result.timeouts ? `  ${result.non2xx + result.errors + result.timeouts} errors` : ''}`,
          );
          const id = `${doc.key}|${side.name}`;
          const previous = best.get(id);
          if (!previous || result.requestsPerSecond > previous.result.requestsPerSecond)
            best.set(id, run);
        }
      }
    }

    log('');
    log(`command: npm run bench:peer -- ${process.argv.slice(2).join(' ')}`.trimEnd());
    log(
      `autocannon: ${connections} connections, ${seconds} s a run, ${rounds} rounds, the best run of each; ${county.enterprises} enterprises; pools of ${pool}; role ${role}; Node ${process.versions.node}`,
    );
    log(
      `machine: ${os.cpus().length} CPUs, load average during the runs ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)} (both services, PostgreSQL and autocannon share them)`,
    );
    log('');
    const headers = [
      'document',
      'platform req/s',
      'p50 ms',
      'p99 ms',
      'PostGraphile req/s',
      'p50 ms',
      'p99 ms',
      '× PostGraphile req/s',
      'p99 ≤ PostGraphile',
      'SQL / request (platform, PostGraphile)',
      'CPU ms / request (platform, PostGraphile)',
      'PostgreSQL CPU ms / request',
      'machine CPU ms / request',
    ];
    const rows = documents.map((doc) => {
      const a = best.get(`${doc.key}|${platform.name}`)!;
      const b = best.get(`${doc.key}|${postgraphile.name}`)!;
      return [
        doc.name,
        a.result.requestsPerSecond.toFixed(0),
        String(a.result.p50),
        String(a.result.p99),
        b.result.requestsPerSecond.toFixed(0),
        String(b.result.p50),
        String(b.result.p99),
        `${(a.result.requestsPerSecond / b.result.requestsPerSecond).toFixed(2)}×`,
        a.result.p99 <= b.result.p99 ? 'yes' : 'no',
        `${a.statements.toFixed(2)}, ${b.statements.toFixed(2)}`,
        `${a.cpuMs.toFixed(2)}, ${b.cpuMs.toFixed(2)}`,
        `${a.postgresMs.toFixed(2)}, ${b.postgresMs.toFixed(2)}`,
        `${a.machineMs.toFixed(2)}, ${b.machineMs.toFixed(2)}`,
      ];
    });
    log(table(headers, rows, markdown));
  } finally {
    while (appInFlight > 0) await new Promise((r) => setTimeout(r, 50));
    await app.stop();
    await peer.stop();
    await revokeApiKey(database, String(key.id));
    await database.close();
  }
}

/** Starts V8's CPU profiler in this process (the platform's); `stop` writes the profile to a file. */
async function startProfile() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file: string) {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(profile));
    },
  };
}

/** GC pauses of a run, per request and the longest: the platform's requests in flight wait them out. */
function gcSummary(gc: GcPauses, requests: number): string {
  const full = gc.fullCollections
    ? `, ${gc.fullCollections} mark-compact ${gc.fullCollectionMs.toFixed(0)} ms`
    : '';
  return `GC pauses ${(gc.totalMs / requests).toFixed(2)} ms/request (${gc.scavenges} scavenges ${gc.scavengeMs.toFixed(0)} ms, longest ${gc.longestScavengeMs.toFixed(0)} ms${full})`;
}

function median(values: number[]): number {
  const ordered = [...values].sort((a, b) => a - b);
  const middle = Math.floor(ordered.length / 2);
  return ordered.length % 2 ? ordered[middle] : (ordered[middle - 1] + ordered[middle]) / 2;
}

function mismatch(doc: Document, what: string, answers: string[]) {
  return new Error(
    `${doc.name}, ${what}: the answers differ\n  platform:     ${answers[0].slice(0, 2000)}\n  PostGraphile: ${answers[1].slice(0, 2000)}`,
  );
}

/** A table: Markdown with --markdown, else columns padded for a terminal. */
function table(headers: string[], rows: string[][], asMarkdown: boolean): string {
  const width = (s: string) => [...s].reduce((w, c) => w + (/[\u3000-\uffff]/.test(c) ? 2 : 1), 0);
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  const right = (i: number) => i > 0 && i < 8;
  const pad = (s: string, i: number) =>
    right(i) ? ' '.repeat(widths[i] - width(s)) + s : s + ' '.repeat(widths[i] - width(s));
  if (!asMarkdown) return [headers, ...rows].map((r) => r.map(pad).join('  ').trimEnd()).join('\n');
  const line = (r: string[]) => `| ${r.map(pad).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (right(i) ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

main().then(
  () => process.exit(0), // a pooled connection or timer must not keep the benchmark alive
  (error) => {
    process.stderr.write(
      `bench:peer failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
