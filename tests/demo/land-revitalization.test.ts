import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestManifest } from '../../connectors/pipeline/ingest.js';
import { generateDemo } from '../../demo/generate.js';
import type { Manifest } from '../../demo/manifest.js';
import { landRevitalizationCases } from '../../resolvers/land-revitalization/cases.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';

/** The demo county's revitalization scenarios show what its manifest says, through the real connectors. */
describe(`the demo county's land revitalization cases (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  let manifest: Manifest;
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-demo-land-'));
    manifest = await generateDemo(dir, { enterprises: 300 });
    await ingestManifest(t.database, dir);
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists each scenario with the categories the manifest names', async () => {
    const scenarios = manifest.scenarios.filter((s) => s.landRevitalization);
    expect(scenarios.length).toBeGreaterThanOrEqual(5);
    const categories = new Set(scenarios.flatMap((s) => s.landRevitalization!.categories));
    expect([...categories].sort()).toEqual([
      'DEREGISTERED_HOLDER',
      'LOW_EFFICIENCY',
      'SUSPECTED_IDLE',
    ]);
    expect(scenarios.some((s) => s.landRevitalization!.categories.length === 2)).toBe(true);
    const year = scenarios[0].landRevitalization!.year;
    const page = await landRevitalizationCases(t.database, { year }, { first: null });
    const byUscc = new Map(page.cases.map((c) => [c.uscc, c]));
    for (const s of scenarios) {
      const found = byUscc.get(s.uscc);
      expect(found?.categories, s.role).toEqual(s.landRevitalization!.categories);
      expect(found!.reasons, s.role).toHaveLength(s.landRevitalization!.categories.length);
    }
  });
});
