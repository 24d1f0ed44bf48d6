import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport } from '../../cli/commands/ingest.js';
import { ingestFile } from '../../connectors/pipeline/ingest.js';
import { SOURCES } from '../../connectors/pipeline/source.js';
import { dataFreshness } from '../../resolvers/aggregates.js';
import { quarantinedRowsPage } from '../../resolvers/quarantine.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { expectCountsAddUp, fixture, U } from './support.js';

const ANNUAL =
  '纳税人识别号,纳税人名称,年度,营业收入(元),软件业务收入(元),研发费用(元),年平均从业人数';
/** A USCC whose check character is wrong: its row is quarantined whatever else it says. */
const BAD_USCC = '91370830MA3C4A1B2X';
const POWER = '用电户号,户名,统一社会信用代码,抄表年月,用电量(千瓦时)';

describe(`a reload leaves one quarantine (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-requarantine-'));
    await ingestFile(t.database, 'market-registry', fixture('registry.csv'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, header: string, rows: string[]) => {
    const file = path.join(dir, name);
    writeFileSync(file, `${[header, ...rows].join('\n')}\n`);
    return file;
  };
  const load = async (source: string, file: string, path?: string) => {
    const paths: string[] = [];
    const report = await ingestFile(t.database, source, file, { onPath: (p) => paths.push(p) });
    if (path) expect(paths).toEqual([path]);
    await expectCountsAddUp(t.database, report);
    return report;
  };
  /** The source's current quarantined rows (batch, row number), as the API lists them. */
  const current = async (source: string) => {
    const page = await quarantinedRowsPage(t.database, SOURCES, { source, first: 1000 });
    expect(page.totalCount).toBe(page.rows.length);
    return page.rows.map((r) => [r.batchId, r.rowNumber]).sort((a, b) => a[1] - b[1]);
  };
  const freshness = async (source: string) =>
    (await dataFreshness(t.database)).find((f) => f.source === source)!.quarantined;

  // Row 3: a revenue that is no amount (its key reads); row 4: a year that is no year (no key);
  // row 5: an invalid USCC.
  const annual = [
    `${U.huali},汶上县华力机电（集团）有限公司,2024,1000.00,,10.00,5`,
    `${U.textile},汶上县纺织有限公司,2024,一千,,,`,
    `${U.xinhua},汶上县新华有限公司,20x4,500.00,,,`,
    `${BAD_USCC},汶上县坏码有限公司,2024,100.00,,,`,
  ];

  it('the same file loaded again, and twice at once, leaves its quarantined rows once: the latest load’s', async () => {
    const file = write('tax-annual-2024.csv', ANNUAL, annual);
    const first = await load('tax-annual', file);
    const second = await load('tax-annual', file);
    const both = await Promise.all([load('tax-annual', file), load('tax-annual', file)]);
    for (const report of [first, second, ...both]) {
      expect(report.rowsQuarantined).toBe(3);
      // the report says what the source's quarantine holds now: the file's rows once
      expect(report.quarantineCurrent).toBe(3);
    }
    expect(first.quarantineSuperseded).toBe(0);
    for (const report of [second, ...both]) expect(report.quarantineSuperseded).toBe(3);
    expect(formatReport(second)).toContain(
      'quarantine of tax-annual now 3 rows (3 earlier rows superseded by this load)',
    );
    expect(formatReport(first)).toContain('quarantine of tax-annual now 3 rows —');
    const rows = await current('tax-annual');
    expect(rows.map((r) => r[1])).toEqual([3, 4, 5]);
    // one batch's copy: the load that committed last
    const [{ last }] = await t.database.rows<{ last: number }>(
      sql`select id::int as last from ingest_batches where source = 'tax-annual' and status = 'committed'
        order by finished_at desc, id desc limit 1`,
    );
    expect(new Set(rows.map((r) => r[0]))).toEqual(new Set([last]));
    expect(await freshness('tax-annual')).toBe(3);
    // history: every batch still counts and lists its own rows, the earlier ones marked
    const [{ kept }] = await t.database.rows<{ kept: number }>(
      sql`select count(*)::int as kept from quarantined_rows where source = 'tax-annual'`,
    );
    expect(kept).toBe(12);
    const firstRows = await quarantinedRowsPage(t.database, SOURCES, { batchId: first.batchId });
    expect(firstRows.totalCount).toBe(3);
    expect(firstRows.rows.every((r) => r.supersededBy !== null)).toBe(true);
  });

  it('a corrected file under another name supersedes the quarantined row whose natural key it loads', async () => {
    const before = await current('tax-annual');
    const corrected = await load(
      'tax-annual',
      write('tax-annual-2024-更正.csv', ANNUAL, [
        `${U.textile},汶上县纺织有限公司,2024,2000.00,,,`,
      ]),
    );
    expect(corrected.rowsQuarantined).toBe(0);
    expect(corrected).toMatchObject({ quarantineSuperseded: 1, quarantineCurrent: 2 });
    expect(await current('tax-annual')).toEqual(before.filter((r) => r[1] !== 3));
    expect(await freshness('tax-annual')).toBe(2);
    const [{ superseded_by }] = await t.database.rows<{ superseded_by: number }>(
      sql`select superseded_by::int from quarantined_rows where batch_id = ${before[0][0]} and row_number = 3`,
    );
    expect(superseded_by).toBe(corrected.batchId);
  });

  it('the corrected file sent again under its name supersedes the row it now loads; a row still bad stays once', async () => {
    const fixed = [...annual];
    fixed[1] = `${U.textile},汶上县纺织有限公司,2024,2000.00,,,`;
    fixed[2] = `${U.xinhua},汶上县新华有限公司,2024,500.00,,,`;
    const resent = await load('tax-annual', write('tax-annual-2024.csv', ANNUAL, fixed));
    expect(resent.rowsQuarantined).toBe(1);
    expect(resent).toMatchObject({ quarantineSuperseded: 2, quarantineCurrent: 1 });
    expect(await current('tax-annual')).toEqual([[resent.batchId, 5]]);
    expect(await freshness('tax-annual')).toBe(1);
    const stored = await t.database.rows<{ identity_key: string; revenue: string }>(
      sql`select identity_key, revenue_yuan::text as revenue from tax_annual where year = 2024 order by 1`,
    );
    expect(stored).toContainEqual({ identity_key: U.xinhua, revenue: '500.00' });
  });

  it('power: a corrected reading supersedes its quarantined row, loaded directly or with rows already there', async () => {
    const first = await load(
      'power',
      write('power-2024-03.csv', POWER, [
        `0601,汶上县华力机电（集团）有限公司,${U.huali},2024-03,1200`,
        `0602,汶上县纺织有限公司,${U.textile},2024-03,很多`,
        `0603,汶上县新华有限公司,${U.xinhua},2024-03,-5`,
      ]),
    );
    expect(first.rowsQuarantined).toBe(2);
    expect((await current('power')).map((r) => r[1])).toEqual([3, 4]);
    // only new keys: the direct path
    await load(
      'power',
      write('power-更正-1.csv', POWER, [`0602,汶上县纺织有限公司,${U.textile},2024-03,800`]),
      'direct',
    );
    expect((await current('power')).map((r) => r[1])).toEqual([4]);
    // a row already stored, unchanged: the staging path
    await load(
      'power',
      write('power-更正-2.csv', POWER, [
        `0601,汶上县华力机电（集团）有限公司,${U.huali},2024-03,1200`,
        `0603,汶上县新华有限公司,${U.xinhua},2024-03,5`,
      ]),
      'stage',
    );
    expect(await current('power')).toEqual([]);
    expect(await freshness('power')).toBe(0);
  });
});
