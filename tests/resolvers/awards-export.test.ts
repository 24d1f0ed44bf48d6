import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { registerAwards } from '../../cli/commands/awards.js';
import { type Database, openDatabase } from '../../db/client.js';
import { sheetName } from '../../lib/spreadsheet.js';
import {
  awardExport,
  awardsCsv,
  shortReason,
  writeAwardsCsv,
  writeAwardsXlsx,
} from '../../resolvers/awards/export.js';
import { createTestDatabase, type TestDatabase, testDbMode } from '../support/db.js';
import { addDesignation, addEnterprise, addProject, addTaxYears } from './awards-seed.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const run = promisify(execFile);
const edp = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, ['--import', 'tsx', 'cli/index.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', ...env },
  });

/** A small county: three smart factories, two revenue crossings, a subsidy, a 首次纳统 with its amount set elsewhere. */
async function seed(database: Database) {
  const factories: string[] = [];
  for (const town of ['汶上街道', '南站镇', '康驿镇']) {
    const uscc = await addEnterprise(database, { town });
    await addDesignation(database, uscc, '省级智能工厂', '2023-05-05');
    factories.push(uscc);
  }
  for (const revenue of ['520000000.00', '1200000000.00']) {
    const uscc = await addEnterprise(database, {
      name: `汶上县"大"企业${revenue.slice(0, 4)},有限公司`,
    });
    await addTaxYears(database, uscc, [
      { year: 2022, revenue: '100000000.00' },
      { year: 2023, revenue },
    ]);
  }
  const subsidised = await addEnterprise(database);
  await addProject(database, subsidised, {
    equipment: '1800000.00',
    software: '200000.00',
    acceptedOn: '2024-01-20',
  });
  const entry = await addEnterprise(database);
  await addDesignation(database, entry, '规上工业企业首次纳统', '2023-02-02');
  return { factories };
}

describe(`the finance bureau's award list (${testDbMode()})`, () => {
  let t: TestDatabase;
  let dir: string;
  let county: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    t = await createTestDatabase();
    county = await seed(t.database);
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-awards-'));
  });
  afterAll(async () => {
    await t?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a summary sheet and one sheet per award code, read back with the totals', async () => {
    const data = await awardExport(t.database, '2024-06-30');
    const file = path.join(dir, 'awards.xlsx');
    await writeAwardsXlsx(data, file);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const names = book.worksheets.map((s) => s.name);
    expect(names[0]).toBe('汇总');
    expect(names).toHaveLength(20);
    // the award's Chinese name with its code beside it, as Excel takes a sheet name
    expect(names).toContain('年营业收入首次突破5亿元（REVENUE_500M）');
    expect(names).toContain('智能化改造补助（SMART_UPGRADE_SUBSIDY）');
    expect(names).toContain('工业互联网（INDUSTRIAL_INTERNET_DEMO）');
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      expect(name.length, name).toBeLessThanOrEqual(31);
      expect(name, name).not.toMatch(/[[\]:*?/\\]/);
    }
    for (const code of data.rules.map((b) => b.rule.code))
      expect(
        names.filter((n) => n.endsWith(`（${code}）`)),
        code,
      ).toHaveLength(1);

    const smart = book.getWorksheet('获得省级智能工厂（SMART_FACTORY）')!;
    expect(smart.getRow(1).values).toEqual([
      undefined,
      '奖励名称',
      '奖励代码',
      '企业名称',
      '统一社会信用代码',
      '所属乡镇',
      '奖励金额(元)',
      '事件日期',
      '项目编号',
      '政策文号',
      '条款',
      '已核定轮次',
      '轮次行号',
      '已兑现金额(元)',
      '理由摘要',
      '理由全文',
    ]);
    expect(smart.getRow(1).font?.bold).toBe(true);
    expect(smart.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(smart.getColumn(15).width).toBe(100);
    expect(smart.rowCount).toBe(4);
    const rows = [2, 3, 4].map((i) => smart.getRow(i));
    expect(rows.map((r) => [r.getCell(1).value, r.getCell(2).value])).toEqual(
      Array(3).fill(['获得省级智能工厂', 'SMART_FACTORY']),
    );
    expect(rows.map((r) => r.getCell(4).value).sort()).toEqual([...county.factories].sort());
    expect(rows.map((r) => r.getCell(5).value).sort()).toEqual(['南站镇', '康驿镇', '汶上街道']);
    expect(
      rows.every((r) => r.getCell(6).value === 50000 && r.getCell(7).value === '2023-05-05'),
    ).toBe(true);
    // the reasons short and in full, wrapped, the row as tall as the full text
    const full = String(rows[0].getCell(15).value);
    expect(full).toContain('「省级智能工厂」认定日期 2023-05-05');
    expect(full.split('\n').length).toBeGreaterThan(1);
    const short = String(rows[0].getCell(14).value);
    expect(short).toContain('「省级智能工厂」认定日期 2023-05-05');
    expect(short).not.toContain('本县登记企业');
    expect(short.length).toBeLessThanOrEqual(140);
    for (const col of [14, 15]) expect(rows[0].getCell(col).alignment?.wrapText).toBe(true);
    expect(rows[0].height).toBeGreaterThanOrEqual(15 * full.split('\n').length);
    // an award whose amount another document sets says so, not an empty cell
    expect(
      book.getWorksheet('小微工业企业首次纳统（FIRST_SCALE_ENTRY）')!.getRow(2).getCell(6).value,
    ).toBe('金额另定');

    const summary = book.getWorksheet('汇总')!;
    expect((summary.getRow(1).values as unknown[]).slice(1, 5)).toEqual([
      '奖励名称',
      '奖励代码',
      '政策文号',
      '条款',
    ]);
    const byCode = new Map<string, ExcelJS.Row>();
    summary.eachRow((row) => byCode.set(String(row.getCell(2).value ?? row.getCell(1).value), row));
    expect(byCode.get('REVENUE_500M')!.getCell(1).value).toBe('年营业收入首次突破5亿元');
    expect(byCode.get('SMART_FACTORY')!.getCell(5).value).toBe(3);
    expect(byCode.get('SMART_FACTORY')!.getCell(6).value).toBe(150000);
    expect(byCode.get('REVENUE_1B')!.getCell(6).value).toBe(100000);
    expect(byCode.get('FIRST_SCALE_ENTRY')!.getCell(7).value).toBe(1);
    expect(byCode.get('第4条 合计')!.getCell(6).value).toBe(200000); // 2 × 50,000 + 100,000
    expect(byCode.get('第8条 合计')!.getCell(6).value).toBe(100000);
    const grand = byCode.get('总计（查询日期 2024-06-30）')!;
    expect(grand.getCell(5).value).toBe(3 + 3 + 1 + 1);
    expect(grand.getCell(6).value).toBe(150000 + 200000 + 100000);
    expect(grand.font?.bold).toBe(true);
  });

  it('names sheets within Excel’s rules: 31 characters, none of []:*?/\\, each once', () => {
    const used = new Set(['汇总']);
    expect(sheetName('年营业收入首次突破5亿元', 'REVENUE_500M', used)).toBe(
      '年营业收入首次突破5亿元（REVENUE_500M）',
    );
    // too long: the parenthesised part goes first, then the tail
    expect(
      sheetName(
        '智能化改造补助（软件和设备投资额的5%，每个项目最高100万元）',
        'SMART_UPGRADE_SUBSIDY',
        used,
      ),
    ).toBe('智能化改造补助（SMART_UPGRADE_SUBSIDY）');
    expect(sheetName('入选工业互联网创新示范企业', 'INDUSTRIAL_INTERNET_DEMO', used)).toBe(
      '入选工业…（INDUSTRIAL_INTERNET_DEMO）',
    );
    // Excel's refused characters in their full-width forms; a name taken gets a number
    expect(sheetName('A/B: [试点]?', 'X', used)).toBe('A／B： 【试点】？（X）');
    expect(sheetName('A/B: [试点]?', 'X', used)).toBe('A／B： 【试点】？（X）~2');
    // a code too long to leave room for a title stands alone, cut to 31
    expect(sheetName('任意', 'A_VERY_LONG_AWARD_CODE_OF_MANY_WORDS', used)).toBe(
      'A_VERY_LONG_AWARD_CODE_OF_MANY_',
    );
    for (const name of used) expect(name.length).toBeLessThanOrEqual(31);
  });

  it('shortens the reasons to what the award rests on, the full text kept beside it', () => {
    const reasons = [
      '本县登记企业，登记状态「存续」，成立日期 2015-03-02',
      '已备案：「服装加工龙头企业(核心厂)备案」认定日期 2023-03-15',
      ...Array.from(
        { length: 40 },
        (_, i) =>
          `单品精益化工厂 汶上县第${i + 1}服饰有限公司（91370830…）挂靠认定日期 2023-04-01 → 计入（第 ${i + 1} 家）`,
      ),
      '挂靠本企业的单品精益化工厂 40 家（每家按首次挂靠计一次），符合条件的 40 家，达到 10 家',
      '奖励金额 100,000.00 元（汶政发〔2022〕9号 第5条）',
    ];
    const short = shortReason(reasons);
    expect(reasons.join('\n').length).toBeGreaterThan(2000);
    expect(short).toBe(
      '已备案：「服装加工龙头企业(核心厂)备案」认定日期 2023-03-15；挂靠本企业的单品精益化工厂 40 家（每家按首次挂靠计一次），符合条件的 40 家，达到 10 家',
    );
    const long = shortReason(['理由'.repeat(200)]);
    expect([long.length, long.endsWith('…')]).toEqual([140, true]);
  });

  it('writes the same rows as one CSV with a code column, UTF-8 with BOM', async () => {
    const data = await awardExport(t.database, '2024-06-30');
    const file = path.join(dir, 'awards.csv');
    await writeAwardsCsv(data, file);
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(
      '奖励代码,条款,政策文号,奖励名称,企业名称,统一社会信用代码,所属乡镇,奖励金额(元),事件日期,项目编号,已核定轮次,轮次行号,已兑现金额,理由',
    );
    expect(lines).toHaveLength(1 + data.rows.length);
    expect(lines.filter((l) => l.startsWith('SMART_FACTORY,9,汶政发〔2022〕9号,'))).toHaveLength(3);
    expect(lines.find((l) => l.startsWith('FIRST_SCALE_ENTRY'))).toMatch(/,金额另定,2023-02-02,/); // no amount
    expect(text).toContain('"汶上县""大""企业1200,有限公司"'); // quoted as CSV wants
    expect(
      awardsCsv(await awardExport(t.database, '2024-06-30', { codes: ['REVENUE_500M'] }))
        .split('\r\n')
        .filter(Boolean),
    ).toHaveLength(3);
  });

  it('the command refuses a bad date, an unknown code and an unknown file type, clearly', async () => {
    // In process: the checks come before the database is opened.
    const fails = async (args: string[]) => {
      const program = new Command('edp').exitOverride();
      registerAwards(program);
      return (
        await program.parseAsync(['node', 'edp', 'awards', ...args]).then(
          () => null,
          (e: Error) => e,
        )
      )?.message;
    };
    expect(await fails(['--as-of', '2024-02-30', '--out', 'x.xlsx'])).toBe(
      '--as-of 须写作 YYYY-MM-DD，收到 "2024-02-30"',
    );
    expect(await fails(['--as-of', '2024-06-30', '--code', 'LOTTERY', '--out', 'x.xlsx'])).toMatch(
      /^--code LOTTERY 不是奖励代码；可选代码：REVENUE_500M、/,
    );
    expect(await fails(['--as-of', '2024-06-30', '--out', 'x.pdf'])).toBe(
      '--out 须以 .xlsx 或 .csv 结尾，收到 "x.pdf"',
    );
  });

  it('the command writes the list from the configured database', async () => {
    // PostgreSQL: this file's database; PGlite: a data directory made from the run's migrated snapshot.
    let env: Record<string, string>;
    if (t.url) env = { DATABASE_URL: t.url };
    else {
      const dataDir = path.join(dir, 'pglite');
      const database = await openDatabase({
        dataDir,
        loadDataDir: new Blob([readFileSync(inject('pgliteSnapshot'))]),
      });
      await seed(database);
      await database.close();
      env = { EDP_DATA_DIR: dataDir };
    }
    const out = path.join(dir, 'cli.csv');
    const { stdout } = await edp(
      ['awards', '--as-of', '2024-06-30', '--code', 'SMART_FACTORY', '--out', out],
      env,
    );
    expect(stdout).toContain(
      `wrote 3 candidates over 1 award codes as of 2024-06-30 to ${out} (total 150,000 元)`,
    );
    expect(readFileSync(out, 'utf8').split('\r\n').filter(Boolean)).toHaveLength(4);
    // and a bad date through the real command line: exit code 1 and the message on stderr
    const error = (await edp(['awards', '--as-of', '2024-13-01', '--out', out], env).then(
      () => null,
      (e) => e,
    )) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain('edp: --as-of 须写作 YYYY-MM-DD，收到 "2024-13-01"');
  }, 180_000);
});
