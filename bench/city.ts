/**
 * `npm run bench:city`: the demo county at the size of a city (济宁市, ~200,000 enterprises) on
 * PostgreSQL. Goals: a cold evaluation of a year < 5 s; a service instance with every year's
 * evaluation cached < 1 GB RSS.
 *
 *   npm run bench:city -- [--enterprises 200000] [--seed 20221224] [--files DIR] [--generate-only]
 *                         [--reload] [--drop] [--admin-url postgres://postgres@127.0.0.1:5432/postgres]
 *
 * 1. writes the demo county's department files with `edp demo` into `--files` (default
 *    $TMPDIR/edp-city-<n>-<seed>), or reuses them when that folder already holds them for this size
 *    and seed; `--generate-only` stops here;
 * 2. loads them into a fresh database `edp_bench_<n>_<seed>` (the one `bench:api --enterprises <n>`
 *    uses) through the connectors: `edp ingest <source> <files…>` in a child process per source, in
 *    the manifest's order, reporting each source's rows, wall time, CPU time and peak RSS. A
 *    database already loaded is kept unless `--reload`; `--from <source>` loads the sources from
 *    that one on into it (after an interrupted load);
 * 3. in a new process (nothing cached): a cold evaluation of every evaluable year, then the year's
 *    figures snapshot of every enterprise (the table the lists and pages read);
 * 4. in another new process, the service (createApp, as `npm start` opens it): for every evaluable
 *    year the ranking, a town's page by 亩均税收 and a profile through GraphQL, so that every year's
 *    evaluation and figures are cached; then, after garbage collection, its RSS and heap;
 * 5. `--drop` drops the database at the end (it is kept for `bench:api` otherwise).
 *
 * The API under load at this size: `npm run bench:api -- --enterprises 200000 [--replica-url URL]`.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { openDatabase } from '../db/client.js';
import { metricsSnapshots } from '../db/search.js';
import type { Manifest } from '../demo/manifest.js';
import { loadConfig } from '../lib/config.js';
import { createLogger } from '../lib/logger.js';
import { evaluableYears } from '../resolvers/evaluable-years.js';
import { evaluateYear } from '../resolvers/evaluation.js';
import { ensureYearFigures } from '../resolvers/year-figures.js';
import { createApp } from '../server/app.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    enterprises: { type: 'string', default: '200000' },
    seed: { type: 'string', default: '20221224' },
    files: { type: 'string' },
    'generate-only': { type: 'boolean', default: false },
    reload: { type: 'boolean', default: false },
    drop: { type: 'boolean', default: false },
    from: { type: 'string' },
    'admin-url': {
      type: 'string',
      default: process.env.EDP_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    },
    // internal: the child processes that measure a cold evaluation and a service instance
    child: { type: 'string' },
  },
});

const log = (line: string) => process.stdout.write(`${line}\n`);
const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
/** The 1-minute load average, printed beside each figure (the machine is shared). */
const load = () => `load average ${os.loadavg()[0].toFixed(2)}`;

interface Run {
  seconds: number;
  peakRssKb: number;
  /** CPU time the process used (user + system) */
  cpuSeconds: number;
  stdout: string;
}

/**
 * Runs `node --import tsx --import bench/lib/peak-rss.ts <args>` (a command of this project,
 * unchanged) and answers its wall time, its own peak RSS and what it printed.
 */
function runNode(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const rssFile = path.join(os.tmpdir(), `edp-city-rss-${process.pid}-${Date.now()}`);
  const started = performance.now();
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        '--import',
        path.join(ROOT, 'bench/lib/peak-rss.ts'),
        ...args,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'warn', EDP_PEAK_RSS_FILE: rssFile, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const lines = existsSync(rssFile) ? readFileSync(rssFile, 'utf8').trim().split('\n') : [];
      const peakRssKb = Number(lines.at(-1) ?? Number.NaN);
      const cpuMicros = Number(lines.at(-2)?.replace('cpu ', '') ?? Number.NaN);
      rmSync(rssFile, { force: true });
      if (code === 0) resolve({ seconds, peakRssKb, cpuSeconds: cpuMicros / 1e6, stdout });
      else reject(new Error(`${args.join(' ')} exited with ${code}:\n${stdout}`));
    });
  });
}

/** The demo files for this size and seed in `dir`: reused when its manifest says so, else written. */
async function demoFiles(dir: string, enterprises: number, seed: number): Promise<Manifest> {
  const manifestFile = path.join(dir, 'manifest.json');
  if (existsSync(manifestFile)) {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
    if (
      manifest.enterprises === enterprises &&
      manifest.seed === seed &&
      manifest.files.every((f) => existsSync(path.join(dir, f.file)))
    ) {
      log(`reusing the demo files in ${dir}`);
      return manifest;
    }
  }
  mkdirSync(dir, { recursive: true });
  log(`writing the demo county (${enterprises} enterprises, seed ${seed}) into ${dir}`);
  const run = await runNode([
    path.join(ROOT, 'cli/index.ts'),
    'demo',
    '--out',
    dir,
    '--enterprises',
    String(enterprises),
    '--seed',
    String(seed),
  ]);
  log(
    `  written in ${run.seconds.toFixed(0)} s, peak RSS ${Math.round(run.peakRssKb / 1024)} MB (${load()})`,
  );
  return JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
}

interface SourceLoad {
  source: string;
  files: number;
  bytes: number;
  rowsRead: number;
  loaded: number;
  quarantined: number;
  unmatched: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  load: string;
}

/** Loads every source of the manifest with `edp ingest`, one child process per source. */
async function loadSources(
  dir: string,
  manifest: Manifest,
  url: string,
  from?: string,
): Promise<SourceLoad[]> {
  let sources: string[] = [];
  for (const f of manifest.files) if (!sources.includes(f.source)) sources.push(f.source);
  if (from) {
    if (!sources.includes(from)) throw new Error(`--from ${from}: not a source of the manifest`);
    sources = sources.slice(sources.indexOf(from));
  }
  const loads: SourceLoad[] = [];
  for (const source of sources) {
    const files = manifest.files
      .filter((f) => f.source === source)
      .map((f) => path.join(dir, f.file));
    const before = load();
    const run = await runNode([path.join(ROOT, 'cli/index.ts'), 'ingest', source, ...files], {
      DATABASE_URL: url,
    });
    // "  rows read R = loaded L + quarantined Q + unmatched U (replaced X)" per file
    const sum = (name: string) =>
      [...run.stdout.matchAll(new RegExp(`${name} (\\d+)`, 'g'))].reduce(
        (total, m) => total + Number(m[1]),
        0,
      );
    const entry: SourceLoad = {
      source,
      files: files.length,
      bytes: files.reduce((total, f) => total + statSync(f).size, 0),
      rowsRead: sum('rows read'),
      loaded: sum('loaded'),
      quarantined: sum('quarantined'),
      unmatched: sum('unmatched'),
      seconds: run.seconds,
      cpuSeconds: run.cpuSeconds,
      peakRssMb: run.peakRssKb / 1024,
      load: before,
    };
    loads.push(entry);
    log(
      `  ${source.padEnd(17)} ${String(entry.rowsRead).padStart(10)} rows in ${entry.seconds.toFixed(1).padStart(6)} s (CPU ${entry.cpuSeconds.toFixed(1)} s), ` +
        `peak RSS ${entry.peakRssMb.toFixed(0)} MB (${before})`,
    );
  }
  return loads;
}

/** Child: every evaluable year evaluated cold, then its figures snapshot rebuilt; one JSON line. */
async function childCold() {
  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, max: 2 });
  const years = await evaluableYears(database);
  const out: {
    year: number;
    enterprises: number;
    evaluated: number;
    ms: number;
    snapshotMs: number;
  }[] = [];
  for (const year of [...years].sort()) {
    let started = performance.now();
    const evaluation = await evaluateYear(database, year);
    const ms = performance.now() - started;
    await database.db.delete(metricsSnapshots).where(sql`${metricsSnapshots.year} = ${year}`);
    started = performance.now();
    await ensureYearFigures(database, year);
    const snapshotMs = performance.now() - started;
    const results = [...evaluation.results.values()];
    out.push({
      year,
      enterprises: results.length,
      evaluated: results.filter((r) => r.evaluated).length,
      ms,
      snapshotMs,
    });
  }
  await database.close();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

const RANKING = `query ($year: Int!) { muEfficiencyRanking(year: $year, first: 100) { rank grade enterprise { uscc name } } }`;
const TOWN_PAGE = `query ($town: String!, $year: Int!) {
  enterprises(first: 50, filter: { town: $town }, orderBy: { field: MU_AVERAGE_TAX_YUAN, year: $year }) {
    totalCount nodes { uscc metrics(year: $year) { muAverageTaxYuan } } } }`;
const PROFILE = `query ($uscc: String!, $year: Int!) { enterprise(uscc: $uscc) { name
  metrics(year: $year) { muAverageTaxYuan } muEfficiency(year: $year) { grade rank } } }`;

/**
 * Child: the service as `npm start` opens it on DATABASE_URL (its request timeout also bounds each
 * statement); every evaluable year asked for through GraphQL; then its memory after collection.
 */
async function childService() {
  const config = loadConfig({
    port: 0,
    host: '127.0.0.1',
    allowAnonymous: true,
    logLevel: 'warn',
    rateLimitPerMinute: 1e9,
    rateLimitBurst: 1e9,
  });
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    statementTimeoutMs: config.requestTimeoutMs,
    pooler: config.poolerMode,
  });
  const app = createApp({ config, database, logger: createLogger('warn') });
  const url = `${await app.start()}/graphql`;
  /**
   * One question; a request timed out is asked again (as a client would) while the year's
   * evaluation, which it started, goes on in the background. The time is until the answer.
   */
  const ask = async (query: string, variables: Record<string, unknown>) => {
    const started = performance.now();
    let timeouts = 0;
    for (;;) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      const json = (await res.json()) as {
        data?: any;
        errors?: { message: string; extensions?: { code?: string } }[];
      };
      if (json.errors?.[0]?.extensions?.code === 'TIMEOUT' && timeouts < 60) {
        timeouts++;
        continue;
      }
      if (json.errors) throw new Error(json.errors.map((e) => e.message).join('; '));
      return { data: json.data, ms: performance.now() - started, timeouts };
    }
  };
  const years = (await ask('{ evaluableYears }', {})).data.evaluableYears as number[];
  const [{ town }] = await database.rows<{ town: string }>(
    sql`select town from enterprises where town is not null group by town order by count(*) desc limit 1`,
  );
  const requests: {
    year: number;
    rankingMs: number;
    townPageMs: number;
    profileMs: number;
    timeouts: number;
  }[] = [];
  for (const year of [...years].sort()) {
    const ranking = await ask(RANKING, { year });
    const page = await ask(TOWN_PAGE, { town, year });
    const uscc = ranking.data.muEfficiencyRanking[0]?.enterprise.uscc;
    const profile = uscc ? await ask(PROFILE, { uscc, year }) : { ms: 0, timeouts: 0 };
    requests.push({
      year,
      rankingMs: ranking.ms,
      townPageMs: page.ms,
      profileMs: profile.ms,
      timeouts: ranking.timeouts + page.timeouts + profile.timeouts,
    });
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const memory = process.memoryUsage();
  const peakRssKb = process.resourceUsage().maxRSS;
  // every year again: still cached (each answer costs no evaluation)
  const again = [];
  for (const year of [...years].sort()) again.push((await ask(RANKING, { year })).ms);
  await app.stop();
  await database.close();
  process.stdout.write(
    `${JSON.stringify({ years, town, requests, memory, peakRssKb, againMs: again, collected: Boolean(gc) })}\n`,
  );
}

async function main() {
  const enterprises = Number(values.enterprises);
  const seed = Number(values.seed);
  const dir = path.resolve(
    values.files ?? path.join(os.tmpdir(), `edp-city-${enterprises}-${seed}`),
  );
  const manifest = await demoFiles(dir, enterprises, seed);
  if (values['generate-only']) return;

  const adminUrl = values['admin-url']!;
  const name = `edp_bench_${enterprises}_${seed}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    if (values.reload) await admin.unsafe(`drop database if exists ${name} with (force)`);
    const [exists] = await admin`select 1 as one from pg_database where datname = ${name}`;
    let loads: SourceLoad[] = [];
    if (!exists || values.from) {
      if (!exists) await admin.unsafe(`create database ${name}`);
      const database = await openDatabase({ databaseUrl, max: 1 });
      await database.migrate();
      await database.close();
      log(
        `loading ${manifest.files.length} files into ${name} with edp ingest, a process per source${values.from ? ` (from ${values.from} on)` : ''}`,
      );
      const started = performance.now();
      loads = await loadSources(dir, manifest, databaseUrl, values.from);
      const db = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      await db.unsafe('vacuum analyze'); // what autovacuum would do after the load
      await db.end();
      log(
        `  loaded in ${((performance.now() - started) / 1000).toFixed(0)} s (vacuum analyze included)`,
      );
    } else log(`${name} is already loaded (--reload loads it again and measures the load)`);
    const [{ size }] = await admin<{ size: string }[]>`
      select pg_size_pretty(pg_database_size(${name})) as size`;

    log('cold evaluation, every evaluable year, in a new process');
    const coldLoad = load();
    const cold = JSON.parse(
      (
        await runNode([path.join(ROOT, 'bench/city.ts'), '--child', 'cold'], {
          DATABASE_URL: databaseUrl,
        })
      ).stdout
        .trim()
        .split('\n')
        .pop()!,
    ) as { year: number; enterprises: number; evaluated: number; ms: number; snapshotMs: number }[];
    for (const c of cold)
      log(
        `  ${c.year}: ${c.enterprises} enterprises (${c.evaluated} evaluated) in ${c.ms.toFixed(0)} ms; figures snapshot ${c.snapshotMs.toFixed(0)} ms`,
      );

    log('a service instance with every year cached, in a new process');
    const serviceLoad = load();
    const service = JSON.parse(
      (
        await runNode([path.join(ROOT, 'bench/city.ts'), '--child', 'service'], {
          DATABASE_URL: databaseUrl,
        })
      ).stdout
        .trim()
        .split('\n')
        .pop()!,
    ) as {
      years: number[];
      town: string;
      requests: {
        year: number;
        rankingMs: number;
        townPageMs: number;
        profileMs: number;
        timeouts: number;
      }[];
      memory: NodeJS.MemoryUsage;
      peakRssKb: number;
      againMs: number[];
      collected: boolean;
    };
    for (const r of service.requests)
      log(
        `  ${r.year}: ranking ${r.rankingMs.toFixed(0)} ms, 50 of ${service.town} ${r.townPageMs.toFixed(0)} ms, profile ${r.profileMs.toFixed(0)} ms (first requests, until answered; ${r.timeouts} timed out on the way)`,
      );
    log(`  cached again: ranking ${service.againMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);

    log('');
    log(
      `${enterprises} enterprises (seed ${seed}), database ${name} ${size}; machine: ${os.cpus().length} CPUs, ${mb(os.totalmem())}`,
    );
    if (loads.length) {
      log(
        '| source | files | rows read | loaded | quarantined | unmatched | seconds | rows/s | loader CPU s | peak RSS |',
      );
      log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
      for (const l of loads)
        log(
          `| ${l.source} | ${l.files} | ${l.rowsRead} | ${l.loaded} | ${l.quarantined} | ${l.unmatched} | ${l.seconds.toFixed(1)} | ${Math.round(l.rowsRead / l.seconds)} | ${l.cpuSeconds.toFixed(1)} | ${l.peakRssMb.toFixed(0)} MB |`,
        );
      const total = loads.reduce((t, l) => t + l.seconds, 0);
      log(
        `| all | | ${loads.reduce((t, l) => t + l.rowsRead, 0)} | | | | ${total.toFixed(0)} | | ${loads.reduce((t, l) => t + l.cpuSeconds, 0).toFixed(0)} | ${Math.max(...loads.map((l) => l.peakRssMb)).toFixed(0)} MB |`,
      );
      log('');
    }
    log(`| measure | figure | goal |`);
    log('| --- | ---: | --- |');
    for (const c of cold)
      log(
        `| cold evaluation of ${c.year} (${c.enterprises} enterprises, new process; ${coldLoad}) | ${(c.ms / 1000).toFixed(2)} s | < 5 s: ${c.ms < 5000 ? 'met' : 'NOT met'} |`,
      );
    for (const c of cold)
      log(
        `| figures snapshot of ${c.year} (every enterprise) | ${(c.snapshotMs / 1000).toFixed(2)} s | |`,
      );
    const rss = service.memory.rss;
    log(
      `| service RSS, ${service.years.length} years cached, after GC (${serviceLoad}) | ${mb(rss)} (heap ${mb(service.memory.heapUsed)}, peak ${Math.round(service.peakRssKb / 1024)} MB) | < 1 GB: ${rss < 2 ** 30 ? 'met' : 'NOT met'}${service.collected ? '' : ' (no GC: run with --expose-gc)'} |`,
    );
  } finally {
    if (values.drop) {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      log(`dropped ${name}`);
    }
    await admin.end();
  }
}

const run = values.child === 'cold' ? childCold : values.child === 'service' ? childService : main;
run().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(
      `bench:city failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
