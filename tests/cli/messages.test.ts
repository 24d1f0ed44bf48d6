import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SOURCES } from '../../connectors/pipeline/source.js';
import { nearestName } from '../../lib/names.js';
import { ROLES } from '../../resolvers/roles.js';
import { edp } from '../auth/cli.js';
import { englishWords } from '../support/english.js';

/** Codes (roles, sources) stay English. */
const CODES = new RegExp(`\\b(${[...ROLES, ...SOURCES].join('|')})\\b`, 'g');

/** What the clerk typed comes back as typed, codes stay; everything else the message says is Chinese. */
const said = (stderr: string) =>
  englishWords(
    stderr
      .replace(CODES, '')
      .replace(
        /'[^']*'|"[^"]*"|「[^」]*」|--?[\w-]+|edp \w+|[\w-]+\.\w+|是否要找 [\w-]+|\/[\w./-]+/g,
        '',
      ),
  );

/** The command line's answers to a clerk's mistakes are Chinese, and name the nearest valid name. */
describe('edp: messages for mistakes', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'edp-messages-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('suggests the nearest name, and only a near one', () => {
    expect(nearestName('tax-payment', ['tax-payments', 'tax-annual'])).toBe('tax-payments');
    expect(nearestName('powr', ['power', 'land-leases'])).toBe('power');
    expect(nearestName('lottery', ['power', 'land-leases'])).toBeNull();
  });

  it('a mistyped command, a bad option value, an unknown source: Chinese, with the nearest name', async () => {
    const env = { EDP_DATA_DIR: dir };
    const command = await edp(['ingset'], env);
    expect(command.code).not.toBe(0);
    expect(command.stderr).toContain("错误：未知命令 'ingset'");
    expect(command.stderr).toContain('（是否要找 ingest？）');
    expect(said(command.stderr)).toEqual([]);

    const role = await edp(['keys', 'create', '--name', 'a', '--role', 'mayor'], env);
    expect(role.code).not.toBe(0);
    expect(role.stderr).toContain("错误：选项 '--role <role>' 的取值 'mayor' 无效。");
    expect(said(role.stderr)).toEqual([]);

    const source = await edp(['ingest', 'tax-payment', path.join(dir, 'x.csv')], env);
    expect(source.code).not.toBe(0);
    expect(source.stderr).toContain('未知数据源 "tax-payment"（是否要找「tax-payments」？）');
    expect(said(source.stderr)).toEqual([]);
  }, 120_000);

  it('the unmatched list and a link refused: Chinese', async () => {
    const env = { EDP_DATA_DIR: dir };
    const list = await edp(['unmatched'], env);
    expect(list.code).toBe(0);
    expect(list.stdout.trim()).toBe('共 0 条未匹配记录，此处列出 0 条');
    const link = await edp(['link', 'tax-payments:P1', '91370830MA3C4A1B8X'], env);
    expect(link.code).toBe(1);
    expect(link.stderr).toContain('企业登记中没有统一社会信用代码为 91370830MA3C4A1B8X 的企业');
    const id = await edp(['link', 'P1', '91370830MA3C4A1B8X'], env);
    expect(id.stderr).toContain('"P1" 不是记录编号（应写作 数据源:键');
    for (const answer of [list.stdout, link.stderr, id.stderr])
      expect(said(answer.replace(/^edp: /, ''))).toEqual([]); // the program's name aside
  }, 120_000);
});
