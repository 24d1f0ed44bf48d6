import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestManifest } from '../../connectors/pipeline/ingest.js';
import { listUnmatched } from '../../connectors/unmatched.js';
import { generateDemo } from '../../demo/generate.js';
import type { Manifest } from '../../demo/manifest.js';
import { setClock } from '../../lib/clock.js';
import { allocationOf, countyAllocation } from '../../resolvers/allocation.js';
import { eligibilityFor } from '../../resolvers/awards/engine.js';
import { evaluateYear, muEfficiencyOf, storedAnswers } from '../../resolvers/evaluation.js';
import { landRevitalizationCases } from '../../resolvers/land-revitalization/cases.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { englishWords } from '../support/english.js';

/**
 * Every reason and `missing` text a clerk reads on the demo county — every enterprise, every year
 * from the one before the data to the one still running, every award code at the end of each
 * year — is Chinese: the figures, units, codes and clause numbers it cites, and no English word.
 */
describe(`the demo county's reasons are Chinese (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  let manifest: Manifest;
  let usccs: string[];
  let years: number[];
  beforeAll(async () => {
    setClock(() => new Date('2026-12-05T04:00:00Z'));
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-clerk-texts-'));
    manifest = await generateDemo(dir, { enterprises: 300 });
    await ingestManifest(t.database, dir);
    usccs = (
      await t.database.rows<{ uscc: string }>(sql`select uscc from enterprises order by uscc`)
    ).map((r) => r.uscc);
    const [first, last] = manifest.years;
    years = Array.from({ length: last - first + 3 }, (_, i) => first - 1 + i);
  }, 300_000);
  afterAll(async () => {
    setClock(null);
    await t?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Each English word found, with the first text it was found in. */
  const offenders = (texts: { where: string; text: string }[]) => {
    const found = new Map<string, string>();
    for (const x of texts)
      for (const word of englishWords(x.text))
        if (!found.has(word)) found.set(word, `${x.where}: ${x.text}`);
    return [...found].map(([word, example]) => `${word} ← ${example}`);
  };

  it('the allow-list is not empty-handed: English is caught', () => {
    expect(englishWords('亩均税收 is 3.4 × the benchmark')).toEqual(['is', 'the', 'benchmark']);
    expect(
      englishWords(
        '第4条 A 级 USCC 91370830MA3C4D5E6F 文号 AIITRE-0759IIIMS20 「MES系统」 1,200 kWh 亩 tce',
      ),
    ).toEqual([]);
  });

  it('evaluation reasons and metrics `missing`, every enterprise and year', async () => {
    const texts: { where: string; text: string }[] = [];
    let results = 0;
    for (const year of years) {
      const evaluation = await evaluateYear(t.database, year);
      for (const text of evaluation.notEvaluated) texts.push({ where: `${year}`, text });
      for (const r of storedAnswers(evaluation)) {
        results++;
        for (const text of r.reasons) texts.push({ where: `${r.uscc} ${year}`, text });
        for (const text of r.metrics?.missing ?? [])
          texts.push({ where: `${r.uscc} ${year} missing`, text });
      }
      for (const text of muEfficiencyOf(evaluation, '91370830MA00000000').reasons)
        texts.push({ where: `unregistered ${year}`, text });
    }
    expect(results).toBeGreaterThan(usccs.length * 2);
    expect(texts.length).toBeGreaterThan(results);
    expect(offenders(texts)).toEqual([]);
  });

  it('award reasons and `missing`, every enterprise and code at the end of each year', async () => {
    const texts: { where: string; text: string }[] = [];
    const codes = new Set<string>();
    for (const year of years) {
      const asOf = year === years[years.length - 1] ? '2026-12-05' : `${year}-12-31`;
      const answers = await eligibilityFor(t.database, [...usccs, '91370830MA00000000'], asOf);
      for (const [uscc, list] of answers)
        for (const a of list) {
          codes.add(a.code);
          for (const text of a.reasons) texts.push({ where: `${uscc} ${a.code} ${asOf}`, text });
          for (const text of a.missing)
            texts.push({ where: `${uscc} ${a.code} ${asOf} missing`, text });
        }
    }
    expect(codes.size).toBeGreaterThanOrEqual(19);
    expect(offenders(texts)).toEqual([]);
  });

  it('quarantine reasons and unmatched reasons, every row and record of the load', async () => {
    const texts: { where: string; text: string }[] = [];
    const quarantined = await t.database.rows<{
      source: string;
      row_number: number;
      reasons: string[];
    }>(sql`select source, row_number, reasons from quarantined_rows order by id`);
    // a cell quoted from the department's file ("abc" 不是金额) is the file's, not the platform's words
    for (const r of quarantined)
      for (const text of r.reasons)
        texts.push({
          where: `${r.source} row ${r.row_number}`,
          text: text.replace(/"[^"]*"/g, '「」'),
        });
    expect(quarantined.length).toBeGreaterThan(0);
    let unmatched = 0;
    for (let after: string | null = null; ; ) {
      const page = await listUnmatched(t.database, { first: 100, after });
      for (const r of page.records) {
        unmatched++;
        texts.push({ where: r.id, text: r.reason });
      }
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(unmatched).toBeGreaterThan(0);
    expect(offenders(texts)).toEqual([]);
  });

  it('allocation reasons and land revitalization reasons and notes, every year', async () => {
    const texts: { where: string; text: string }[] = [];
    for (const year of years) {
      const county = await countyAllocation(t.database, year);
      for (const uscc of [...usccs, '91370830MA00000000'])
        for (const text of allocationOf(county, uscc).reasons)
          texts.push({ where: `${uscc} ${year} allocation`, text });
      const page = await landRevitalizationCases(t.database, { year }, { first: null });
      for (const note of page.notes) texts.push({ where: `${year} note`, text: note.text });
      for (const c of page.cases)
        for (const text of c.reasons) texts.push({ where: `${c.uscc} ${year} land`, text });
    }
    expect(texts.length).toBeGreaterThan(usccs.length);
    expect(offenders(texts)).toEqual([]);
  });
});
