import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PRELOAD = '--import ./server/graphql-production.ts';

/**
 * Run with graphql-js as the service loads it: a type test handed an object that only looks like a
 * graphql type (as one from a second copy of graphql would) answers "no" in production mode; in
 * development mode graphql-js throws, having looked for the second copy.
 */
const PROBE = `
import { isObjectType } from 'graphql';
class GraphQLObjectType { get [Symbol.toStringTag]() { return 'GraphQLObjectType'; } }
let mode;
try { isObjectType(Object.assign(new GraphQLObjectType(), { name: 'X' })); mode = 'production'; }
catch { mode = 'development'; }
process.stdout.write(JSON.stringify({ mode, NODE_ENV: process.env.NODE_ENV ?? null }));`;

async function probe(imports: string[], env: Record<string, string | undefined>) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...imports, '--input-type=module', '-e', PROBE],
    { cwd: ROOT, env: { ...process.env, NODE_ENV: undefined, ...env } },
  );
  return JSON.parse(stdout) as { mode: string; NODE_ENV: string | null };
}

describe('graphql-js runs in production mode in the service, NODE_ENV keeps its meaning', () => {
  it('npm start and the service benchmarks preload server/graphql-production.ts', () => {
    const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    for (const script of ['start', 'bench:api', 'bench:peer', 'bench:city'])
      expect(scripts[script], script).toContain(`--import tsx ${PRELOAD}`);
  });

  it('the preload loads graphql-js in production mode and puts NODE_ENV back', async () => {
    const preloaded = ['--import', 'tsx', '--import', './server/graphql-production.ts'];
    expect(await probe(preloaded, {})).toEqual({ mode: 'production', NODE_ENV: null });
    expect(await probe(preloaded, { NODE_ENV: 'development' })).toEqual({
      mode: 'production',
      NODE_ENV: 'development',
    });
    // without it (as in the tests), graphql-js keeps its development checks
    expect(await probe(['--import', 'tsx'], {})).toEqual({ mode: 'development', NODE_ENV: null });
  }, 60_000);
});
