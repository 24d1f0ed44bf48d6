/**
 * PostGraphile 5 beside the platform, for `bench:peer`: installed into a throwaway folder outside
 * the project's dependencies, serving a copy of the benchmark database on which the links to the
 * register are declared as foreign keys, so that it sees the relations.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';

/** The versions installed: pinned, so that reruns compare the same engine. */
export const POSTGRAPHILE_VERSION = '5.1.5';
const PG_VERSION = '8.16.3';

/**
 * What a PostGraphile user declares on the copy: the department tables' links to the register as
 * foreign keys (`not valid`: unmatched rows have no enterprise, and none is checked), and the power
 * readings of one year of an account holder as a computed column (PostGraphile filters by
 * equality only; a range needs a function or a plugin). The platform's own database has none of
 * these: its links are kept by entity resolution, not by constraints.
 */
const PREPARE = `
alter table tax_payments add constraint tax_payments_uscc_fkey foreign key (uscc) references enterprises (uscc) not valid;
alter table tax_annual add constraint tax_annual_uscc_fkey foreign key (uscc) references enterprises (uscc) not valid;
alter table land_parcels add constraint land_parcels_uscc_fkey foreign key (uscc) references enterprises (uscc) not valid;
alter table land_leases add constraint land_leases_lessor_uscc_fkey foreign key (lessor_uscc) references enterprises (uscc) not valid;
alter table land_leases add constraint land_leases_lessee_uscc_fkey foreign key (lessee_uscc) references enterprises (uscc) not valid;
alter table power_holders add constraint power_holders_uscc_fkey foreign key (uscc) references enterprises (uscc) not valid;
alter table power_readings add constraint power_readings_holder_id_fkey foreign key (holder_id) references power_holders (id) not valid;
alter table market_penalties add constraint market_penalties_uscc_fkey foreign key (uscc) references enterprises (uscc) not valid;
alter table designations add constraint designations_uscc_fkey foreign key (uscc) references enterprises (uscc) not valid;
alter table tech_projects add constraint tech_projects_uscc_fkey foreign key (uscc) references enterprises (uscc) not valid;
create function power_holders_readings_in_year(h power_holders, year int) returns setof power_readings
  language sql stable as $$
    select r.* from power_readings r
    where r.account_id = h.account_id and r.holder_id = h.id
      and r.month >= make_date(year, 1, 1) and r.month < make_date(year + 1, 1, 1)
    order by r.month
  $$;
`;
/** Kept as the copy's comment with the source's oid: a copy prepared otherwise, or of a source
 * since dropped and loaded again, is made again. */
const PREPARED_MARK = 'bench:peer copy, v1, of';

/**
 * The database `copy` as a copy of `source` with PREPARE applied; kept between runs, made again
 * when missing, prepared otherwise, of another `source`, or `fresh`. A template copy needs
 * `source` to have no other session; while one holds it (another benchmark), the copy is made
 * with pg_dump instead.
 */
export async function peerDatabase(
  adminUrl: string,
  source: string,
  copy: string,
  options: { fresh?: boolean; log?: (line: string) => void } = {},
): Promise<string> {
  const log = options.log ?? (() => {});
  const url = new URL(adminUrl);
  url.pathname = `/${copy}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ oid }] = await admin<{ oid: string }[]>`
      select oid::text from pg_database where datname = ${source}`;
    const mark = `${PREPARED_MARK} ${oid}`;
    const [found] = await admin<{ mark: string | null }[]>`
      select shobj_description(oid, 'pg_database') as mark from pg_database where datname = ${copy}`;
    if (found && found.mark === mark && !options.fresh) return url.toString();
    await admin.unsafe(`drop database if exists ${copy} with (force)`);
    const started = performance.now();
    log(`copying ${source} to ${copy} for PostGraphile`);
    try {
      await admin.unsafe(`create database ${copy} template ${source}`);
    } catch (error) {
      if ((error as { code?: string }).code !== '55006') throw error; // source is being accessed by other users
      log('  (the source is in use: copying with pg_dump)');
      await admin.unsafe(`create database ${copy}`);
      const sourceUrl = new URL(adminUrl);
      sourceUrl.pathname = `/${source}`;
      await run('sh', [
        '-c',
        'pg_dump --no-owner --no-privileges "$0" | psql -q -v ON_ERROR_STOP=1 "$1" > /dev/null',
        sourceUrl.toString(),
        url.toString(),
      ]);
      const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
      await db.unsafe('analyze').finally(() => db.end());
    }
    const db = postgres(url.toString(), { max: 1, onnotice: () => {} });
    await db.unsafe(PREPARE).finally(() => db.end());
    await admin.unsafe(`comment on database ${copy} is '${mark}'`);
    log(`  copied and prepared in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await admin.end();
  }
  return url.toString();
}

/** Runs a command to its end; rejects with its standard error when it fails. */
function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${err}`)),
    );
  });
}

/** Installs PostGraphile into `dir` with `npm install --prefix`, unless that version is there. */
export async function installPostGraphile(dir: string, log: (line: string) => void) {
  const installed = path.join(dir, 'node_modules', 'postgraphile', 'package.json');
  if (
    existsSync(installed) &&
    JSON.parse(readFileSync(installed, 'utf8')).version === POSTGRAPHILE_VERSION
  )
    return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'edp-bench-peer', private: true, type: 'module' }, null, 2)}\n`,
  );
  log(`installing postgraphile@${POSTGRAPHILE_VERSION} into ${dir}`);
  await run('npm', [
    'install',
    '--prefix',
    dir,
    '--no-audit',
    '--no-fund',
    '--save-exact',
    `postgraphile@${POSTGRAPHILE_VERSION}`,
    `pg@${PG_VERSION}`,
  ]);
}

/** Node < 22 lacks Promise.withResolvers, which PostGraphile 5 uses; preloaded with --import. */
const POLYFILL = `if (typeof Promise.withResolvers !== 'function') {
  Promise.withResolvers = function withResolvers() {
    let resolve;
    let reject;
    const promise = new this((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
`;

/**
 * PostGraphile as its documentation starts it (the Amber preset, grafserv on node:http, no
 * GraphiQL, production mode), over a pg pool of PEER_POOL connections. It counts the statements
 * its clients send and answers {statements, inFlight, cpu} on the IPC channel to any message; after
 * 'record' it keeps the statements' text, which 'recorded' returns (as `sql`) and stops.
 */
const SERVER = `import { createServer } from 'node:http';
import pg from 'pg';
import { postgraphile } from 'postgraphile';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';

const pool = new pg.Pool({
  connectionString: process.env.PEER_DATABASE_URL,
  max: Number(process.env.PEER_POOL),
});
let statements = 0;
let inFlight = 0;
/** the statements' text while asked to record them, else null */
let recorded = null;
pool.on('connect', (client) => {
  const query = client.query;
  client.query = function (...args) {
    statements++;
    recorded?.push(typeof args[0] === 'string' ? args[0] : args[0].text);
    return query.apply(this, args);
  };
});
const pgl = postgraphile({
  extends: [PostGraphileAmberPreset],
  pgServices: [makePgService({ pool, schemas: ['public'] })],
  grafserv: { graphiql: false, watch: false },
  grafast: { explain: false },
});
await pgl.getSchemaResult();
const server = createServer();
server.on('request', (_req, res) => {
  inFlight++;
  res.on('close', () => inFlight--);
});
await pgl.createServ(grafserv).addTo(server, false);
process.on('message', (message) => {
  if (message === 'record') recorded = [];
  const sql = message === 'recorded' ? recorded : undefined;
  if (message === 'recorded') recorded = null;
  process.send({ statements, inFlight, cpu: process.cpuUsage(), sql });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write('listening http://127.0.0.1:' + server.address().port + '/graphql\\n');
});
`;

export interface PeerStats {
  statements: number;
  inFlight: number;
  /** the server process's CPU so far, microseconds */
  cpu: { user: number; system: number };
  /** the statements sent since 'record', answering 'recorded' */
  sql?: string[];
}

export interface PeerServer {
  url: string;
  stats(message?: 'stats' | 'record' | 'recorded'): Promise<PeerStats>;
  stop(): Promise<void>;
}

/** Starts PostGraphile from `dir` over `databaseUrl` in a child process; resolves once it listens. */
export async function startPostGraphile(
  dir: string,
  databaseUrl: string,
  pool: number,
): Promise<PeerServer> {
  writeFileSync(path.join(dir, 'polyfill.mjs'), POLYFILL);
  writeFileSync(path.join(dir, 'server.mjs'), SERVER);
  const preload =
    typeof (Promise as { withResolvers?: unknown }).withResolvers === 'function'
      ? []
      : ['--import', path.join(dir, 'polyfill.mjs')];
  const child: ChildProcess = spawn(process.execPath, [...preload, 'server.mjs'], {
    cwd: dir,
    env: {
      ...process.env,
      GRAPHILE_ENV: 'production',
      PEER_DATABASE_URL: databaseUrl,
      PEER_POOL: String(pool),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const match = /listening (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    child.on('close', (code) => reject(new Error(`PostGraphile exited with ${code}: ${err}`)));
  });
  return {
    url,
    stats: (message = 'stats') =>
      new Promise<PeerStats>((resolve) => {
        child.once('message', (m) => resolve(m as PeerStats));
        child.send(message);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('close', () => resolve());
        child.kill();
      }),
  };
}
