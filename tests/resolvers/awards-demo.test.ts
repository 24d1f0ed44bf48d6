import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestManifest } from '../../connectors/pipeline/ingest.js';
import { generateDemo } from '../../demo/generate.js';
import type { Manifest } from '../../demo/manifest.js';
import { awardCandidates, eligibilityFor } from '../../resolvers/awards/engine.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

/**
 * The demo county loaded through the real connectors: every award expectation its generator
 * promises for the hand-made scenario enterprises (boundaries included) is what the engine answers.
 */
describe(`awards on the demo county (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  let manifest: Manifest;
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-awards-demo-'));
    manifest = await generateDemo(dir, { enterprises: 300 });
    await ingestManifest(t.database, dir);
  }, 300_000);
  afterAll(async () => {
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers every scenario expectation of the manifest', async () => {
    const expectations = manifest.scenarios.flatMap((s) =>
      s.expect.map((e) => ({ ...e, uscc: s.uscc, role: s.role })),
    );
    expect(new Set(expectations.map((e) => e.code)).size).toBe(19);
    const got = [];
    const want = [];
    for (const e of expectations) {
      const a = (await eligibilityFor(t.database, [e.uscc], e.asOf))
        .get(e.uscc)!
        .find((x) => x.code === e.code)!;
      got.push({
        role: e.role,
        code: e.code,
        asOf: e.asOf,
        eligible: a.eligible,
        eventDate: e.eventDate === undefined ? undefined : a.eventDate,
        amountYuan: e.amountYuan === undefined ? undefined : a.amountYuan,
      });
      want.push({
        role: e.role,
        code: e.code,
        asOf: e.asOf,
        eligible: e.eligible,
        eventDate: e.eventDate,
        amountYuan: e.amountYuan,
      });
    }
    expect(got).toEqual(want);
  });

  it('lists each eligible scenario enterprise among the county’s candidates', async () => {
    const eligible = manifest.scenarios.flatMap((s) =>
      s.expect.filter((e) => e.eligible).map((e) => ({ ...e, uscc: s.uscc })),
    );
    const pairs = [...new Set(eligible.map((e) => `${e.code}|${e.asOf}`))];
    for (const pair of pairs) {
      const [code, asOf] = pair.split('|');
      const listed = new Set((await awardCandidates(t.database, code, asOf)).map((a) => a.uscc));
      for (const e of eligible.filter((x) => x.code === code && x.asOf === asOf))
        expect(listed, `${code} ${e.uscc}`).toContain(e.uscc);
    }
  });
});
