/**
 * Benchmark: loading the power company's file through the full pipeline (parse, validate, resolve,
 * upsert) against the floor of a bare `\copy` of the same file into a table of text columns.
 * Goal: ≥ 0.5× the bare copy's rows/s, peak RSS of the loading process < 300 MB.
 *
 *   npm run bench:ingest -- [--accounts 40000] [--months 48] [--seed 1] [--runs 5] [--keep]
 *
 * 1. writes the power file (accounts × months rows, every third account name-only) and its register
 *    with the demo generator (demo/benchmark.ts) into a scratch directory;
 * 2. creates a fresh database on EDP_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 *    migrates it and loads the register;
 * 3. `--runs` times, one after the other, each after a CHECKPOINT: times
 *    `psql … -c "\copy bench_bare from FILE csv header"` into the emptied bare table (the floor), then
 *    `edp ingest power FILE` in a child process into the emptied power tables (its own peak RSS; into
 *    the empty table it takes the bulk path, see connectors/pipeline/load.ts LoadPath); reports every
 *    pair and the medians (the machine is shared and its speed drifts by ±20% between runs: pairs side
 *    by side and medians compare like with like);
 * 4. loads the file again (every row unchanged: the staging path) and reports it;
 * 5. for scale, times `\copy` of the finished rows (in the binary format the load sends) into a table
 *    like power_readings, then its primary key (the floor any loader of that table has: its columns,
 *    primary key, WAL);
 * 6. drops the database (unless --keep).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { ingestFile } from '../connectors/pipeline/ingest.js';
import type { LoadPath } from '../connectors/pipeline/load.js';
import { openDatabase } from '../db/client.js';

/** The 1-minute load average, printed beside each figure (the machine is shared: a busy one gives lower bounds). */
const load = () => `load average ${os.loadavg()[0].toFixed(2)}`;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '40000' },
    months: { type: 'string', default: '48' },
    seed: { type: 'string', default: '1' },
    runs: { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    // internal: the child process that loads one file and reports its own peak RSS
    child: { type: 'string' },
  },
});

/** Child mode: load one power file into DATABASE_URL and print a JSON line with the report and peak RSS. */
async function child(file: string) {
  const database = await openDatabase({ databaseUrl: process.env.DATABASE_URL, max: 2 });
  const started = process.hrtime.bigint();
  let loadPath: LoadPath | undefined;
  const phases: string[] = [];
  const at = () => (Number(process.hrtime.bigint() - started) / 1e9).toFixed(2);
  const cpu = process.cpuUsage();
  /**
   * A phase's end: the wall time, the CPU time this process had used by then (below the wall time:
   * it waited for the database), and its memory in MB (RSS, JavaScript heap used, array buffers: the
   * COPY messages postgres.js copies each piece into, garbage until V8 collects them).
   */
  const onPhase = (phase: string) => {
    const used = process.cpuUsage(cpu);
    const m = process.memoryUsage();
    phases.push(
      `${phase} ${at()} s (CPU ${((used.user + used.system) / 1e6).toFixed(2)} s; RSS ${m.rss >> 20}, heap ${m.heapUsed >> 20}, buffers ${m.arrayBuffers >> 20})`,
    );
  };
  const report = await ingestFile(database, 'power', file, {
    onPath: (p) => (loadPath = p),
    onPhase,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await database.close();
  // resourceUsage().maxRSS is in kilobytes
  process.stdout.write(
    `${JSON.stringify({ report, seconds, loadPath, phases, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
}

function runChild(
  file: string,
  databaseUrl: string,
): Promise<{
  report: Record<string, number>;
  seconds: number;
  loadPath: LoadPath;
  phases: string[];
  maxRssMb: number;
}> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'bench/ingest.ts'), '--child', file],
      {
        cwd: ROOT,
        env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    proc.stdout.on('data', (chunk) => (out += chunk));
    proc.on('error', reject);
    proc.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()!))
        : reject(new Error(`loader exited with ${code}`)),
    );
  });
}

async function main() {
  const accounts = Number(values.accounts);
  const months = Number(values.months);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edp-bench-ingest-'));
  const adminUrl = process.env.EDP_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `edp_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  try {
    let t = Date.now();
    // (imported here, not in the loading child: its peak RSS is the loader's own)
    const { generatePowerBenchmark } = await import('../demo/benchmark.js');
    const files = await generatePowerBenchmark(path.join(dir, 'power.csv'), {
      accounts,
      months,
      seed: Number(values.seed),
    });
    console.log(
      `generated ${files.rows} rows (${files.nameOnlyAccounts} of ${files.accounts} accounts name-only, ${files.enterprises} enterprises) in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );

    await admin.unsafe(`create database ${name}`);
    const database = await openDatabase({ databaseUrl, max: 2 });
    await database.migrate();
    t = Date.now();
    const registry = await ingestFile(database, 'market-registry', files.registryFile);
    console.log(
      `register: ${registry.rowsLoaded} enterprises in ${((Date.now() - t) / 1000).toFixed(1)} s`,
    );
    await database.postgres!.unsafe(
      `create table bench_bare (c1 text, c2 text, c3 text, c4 text, c5 text)`,
    );
    await database.close();

    const u = new URL(databaseUrl);
    const psql = (command: string) =>
      execFileSync(
        'psql',
        [
          '-h',
          u.hostname,
          '-p',
          u.port || '5432',
          '-U',
          decodeURIComponent(u.username) || 'postgres',
          '-d',
          name,
          '-qc',
          command,
        ],
        {
          stdio: 'inherit',
        },
      );
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const bares: number[] = [];
    const loads: number[] = [];
    const rss: number[] = [];
    for (let run = 1; run <= Number(values.runs); run++) {
      // Each timed load starts after a checkpoint: one falling due during a load (every ~1 GB of WAL,
      // a few loads) slowed it by up to a second.
      psql('truncate bench_bare, power_readings, power_holders; checkpoint');
      const bareLoad = load();
      t = Date.now();
      psql(`\\copy bench_bare from '${files.powerFile}' csv header`);
      const bareSeconds = (Date.now() - t) / 1000;
      bares.push(bareSeconds);
      psql('checkpoint');
      const firstLoad = load();
      const first = await runChild(files.powerFile, databaseUrl);
      loads.push(first.seconds);
      rss.push(first.maxRssMb);
      console.log(
        `run ${run}: bare \\copy ${bareSeconds.toFixed(2)} s (${bareLoad}); edp ingest power (new rows, ${first.loadPath} path) ${first.seconds.toFixed(2)} s ` +
          `= ${(bareSeconds / first.seconds).toFixed(2)}× bare; peak RSS ${first.maxRssMb.toFixed(0)} MB; loaded ${first.report.rowsLoaded}, ` +
          `unmatched ${first.report.rowsUnmatched}, quarantined ${first.report.rowsQuarantined} (${firstLoad}); phases: ${first.phases.join(', ')}`,
      );
    }
    const bareRate = files.rows / median(bares);
    const rate = files.rows / median(loads);
    console.log(
      `median of ${bares.length}: bare \\copy ${median(bares).toFixed(2)} s = ${Math.round(bareRate)} rows/s; edp ingest power ${median(loads).toFixed(2)} s = ` +
        `${Math.round(rate)} rows/s = ${(rate / bareRate).toFixed(3)}× bare copy; peak RSS at most ${Math.max(...rss).toFixed(0)} MB`,
    );
    psql('checkpoint');
    const againLoad = load();
    const again = await runChild(files.powerFile, databaseUrl);
    console.log(
      `edp ingest power (same file again, every row unchanged, ${again.loadPath} path): ${again.seconds.toFixed(2)} s = ${Math.round(files.rows / again.seconds)} rows/s; ` +
        `peak RSS ${again.maxRssMb.toFixed(0)} MB; replaced ${again.report.rowsReplaced} (${againLoad})`,
    );

    // The target table's own floor: its rows, already parsed and resolved, \copy'd into a table of
    // the same columns, then its primary key built (what the bulk path has to pay in the database).
    const rows = path.join(dir, 'power-rows.bin');
    const list = 'account_id, holder_id, batch_id, month, kwh, source_row';
    psql(`\\copy (select ${list} from power_readings) to '${rows}' with (format binary)`);
    psql(`create table bench_target (like power_readings including defaults); checkpoint`);
    const targetLoad = load();
    t = Date.now();
    psql(`\\copy bench_target (${list}) from '${rows}' with (format binary)`);
    const copySeconds = (Date.now() - t) / 1000;
    psql(
      `set maintenance_work_mem = '256MB'; alter table bench_target add primary key (account_id, month)`,
    );
    const targetSeconds = (Date.now() - t) / 1000;
    console.log(
      `floor of the target table: \\copy of the ${files.rows} finished rows (binary, as the load sends them) into a table like power_readings, then its primary key: ` +
        `${copySeconds.toFixed(2)} + ${(targetSeconds - copySeconds).toFixed(2)} s = ${Math.round(files.rows / targetSeconds)} rows/s = ` +
        `${(files.rows / targetSeconds / bareRate).toFixed(2)}× bare copy (${targetLoad})`,
    );
  } finally {
    if (!values.keep) {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      rmSync(dir, { recursive: true, force: true });
    } else {
      console.log(`kept database ${name} and files in ${dir}`);
    }
    await admin.end();
  }
}

if (values.child) await child(values.child);
else await main();
