import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

export interface CannonResult {
  requestsPerSecond: number;
  p50: number;
  p90: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** bytes received per response, headers included */
  bytesPerResponse: number;
}

/**
 * The load generator's own process: autocannon's API over the request bodies in `argv[1]` (a JSON
 * file), each connection cycling through them in order; prints autocannon's JSON summary.
 */
const CHILD = `
const autocannon = require(process.argv[1]);
const { url, bodies, connections, seconds, headers } = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
autocannon({
  url, connections, duration: seconds, method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  requests: bodies.map((body) => ({ method: 'POST', body })),
}, (error, result) => {
  if (error) { console.error(error); process.exit(1); }
  process.stdout.write(JSON.stringify(result));
});
`;

/**
 * Runs autocannon in a child process (so that load generation does not share the server's event
 * loop) against a GraphQL endpoint, POSTing `body` — or, given several, each connection cycles
 * through them (e.g. the profiles of many enterprises) — and returns its summary.
 */
export function cannon(
  url: string,
  body: unknown | unknown[],
  options: { connections: number; seconds: number; headers?: Record<string, string> },
): Promise<CannonResult> {
  const bodies = (Array.isArray(body) ? body : [body]).map((b) => JSON.stringify(b));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edp-cannon-'));
  const spec = path.join(dir, 'spec.json');
  writeFileSync(
    spec,
    JSON.stringify({
      url,
      bodies,
      connections: options.connections,
      seconds: options.seconds,
      headers: options.headers ?? {},
    }),
  );
  return new Promise<CannonResult>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD, require.resolve('autocannon'), spec], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}: ${err}`));
      const r = JSON.parse(out);
      resolve({
        requestsPerSecond: r.requests.average,
        p50: r.latency.p50,
        p90: r.latency.p90,
        p99: r.latency.p99,
        requests: r.requests.total,
        non2xx: r.non2xx,
        errors: r.errors,
        timeouts: r.timeouts,
        bytesPerResponse: r.throughput.total / Math.max(1, r.requests.total),
      });
    });
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
