import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../db/client.js';
import { createApiKey } from '../../resolvers/keys.js';
import { ROLES, type Role } from '../../resolvers/roles.js';
import { seedCounty } from '../schema/support.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/** Headers that present `key`. */
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** One fresh key per role (named after the role). */
export async function keysForEveryRole(database: Database): Promise<Record<Role, string>> {
  const keys = {} as Record<Role, string>;
  for (const role of ROLES)
    keys[role] = (await createApiKey(database, { name: `test ${role}`, role })).key;
  return keys;
}

/** The real HTTP service with the rate limit off unless `env` sets one (matrix tests send many requests). */
export function startAuthApp(
  database: Database,
  env: Record<string, string | undefined> = {},
): Promise<TestApp> {
  return startTestApp(database, { EDP_RATE_LIMIT_PER_MINUTE: '0', ...env });
}

/** The GraphQL errors of a response with this code. */
export const errorsWithCode = (body: any, code: string): any[] =>
  (body?.errors ?? []).filter((e: any) => e.extensions?.code === code);

/** POSTs a raw body to /graphql. */
export async function post(app: TestApp, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json };
}

/** A database of its own with tests/schema's small county, and the HTTP service over it; `uscc` is enterprise A's. */
export async function seededApp(env: Record<string, string | undefined> = {}) {
  const t = await createTestDatabase();
  const county = await seedCounty(t.database);
  const app = await startAuthApp(t.database, env);
  return { t, app, county, uscc: county.A.uscc };
}

/** Stops what seededApp started (either may be missing when beforeAll failed). */
export async function stopSeeded(t: TestDatabase | undefined, app: TestApp | undefined) {
  await app?.stop();
  await t?.drop();
}

/**
 * seededApp for the tests of the calling `describe`: started before them, stopped after; read
 * `app` and `uscc` inside the tests.
 */
export function useSeededApp(): { app: TestApp; uscc: string } {
  const seeded = {} as { t: TestDatabase; app: TestApp; uscc: string };
  beforeAll(async () => {
    Object.assign(seeded, await seededApp());
  });
  afterAll(() => stopSeeded(seeded.t, seeded.app));
  return seeded;
}
