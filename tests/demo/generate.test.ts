import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidUscc, LEGACY_TAX_NO } from '../../connectors/common/uscc.js';
import type { SourceName } from '../../connectors/pipeline/source.js';
import { generateDemo } from '../../demo/generate.js';
import type { Manifest } from '../../demo/manifest.js';
import { SCENARIOS } from '../../demo/scenarios.js';
import { normaliseName } from '../../lib/names.js';
import { isoDate, isoMonth, money, type RawFile, readRaw, text } from './raw.js';

/** The columns of docs/sources.md, in its order. */
const SPEC: Record<SourceName, string[]> = {
  'market-registry': [
    '统一社会信用代码',
    '企业名称',
    '曾用名',
    '法定代表人',
    '企业类型',
    '注册资本(万元)',
    '成立日期',
    '登记状态',
    '住所',
    '所属乡镇',
    '行业代码',
  ],
  'market-penalties': [
    '统一社会信用代码',
    '企业名称',
    '决定书文号',
    '违法类型',
    '处罚决定日期',
    '罚没金额(元)',
  ],
  'tax-payments': ['税票号码', '纳税人识别号', '纳税人名称', '税款所属期', '税种', '实缴金额(元)'],
  'tax-annual': [
    '纳税人识别号',
    '纳税人名称',
    '年度',
    '营业收入(元)',
    '软件业务收入(元)',
    '研发费用(元)',
    '年平均从业人数',
  ],
  'land-parcels': [
    '不动产单元号',
    '权利人',
    '权利人证件号',
    '坐落',
    '所属乡镇',
    '用途',
    '权利性质',
    '宗地面积(平方米)',
    '登记日期',
    '注销日期',
  ],
  'land-leases': [
    '备案编号',
    '出租方',
    '出租方证件号',
    '承租方',
    '承租方证件号',
    '不动产单元号',
    '租赁面积(平方米)',
    '起始日期',
    '终止日期',
  ],
  power: ['用电户号', '户名', '统一社会信用代码', '抄表年月', '用电量(千瓦时)'],
  designations: [
    '统一社会信用代码',
    '企业名称',
    '认定类型',
    '认定日期',
    '认定部门',
    '文号',
    '关联企业统一社会信用代码',
  ],
  'tech-projects': [
    '项目编号',
    '统一社会信用代码',
    '企业名称',
    '项目名称',
    '设备投资(元,不含税)',
    '软件投资(元,不含税)',
    '验收日期',
    '已享受技术改造扶持',
  ],
};
const ID_COLUMNS = [
  '统一社会信用代码',
  '纳税人识别号',
  '权利人证件号',
  '出租方证件号',
  '承租方证件号',
  '关联企业统一社会信用代码',
];
const DATE_COLUMNS: Record<string, boolean> = {
  成立日期: true,
  处罚决定日期: true,
  登记日期: true,
  注销日期: false,
  起始日期: true,
  终止日期: true,
  认定日期: true,
  验收日期: true,
  入库日期: true,
};
const MONTH_COLUMNS = ['税款所属期', '抄表年月'];
const MONEY_COLUMNS: Record<string, boolean> = {
  '注册资本(万元)': true,
  '罚没金额(元)': true,
  '实缴金额(元)': true,
  '营业收入(元)': true,
  '软件业务收入(元)': false,
  '研发费用(元)': false,
  '宗地面积(平方米)': true,
  '租赁面积(平方米)': true,
  '设备投资(元,不含税)': true,
  '软件投资(元,不含税)': true,
};

let dir: string;
let manifest: Manifest;
let files: RawFile[];
const scratch: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'edp-demo-'));
  scratch.push(d);
  return d;
}

beforeAll(async () => {
  dir = tempDir();
  const started = performance.now();
  manifest = await generateDemo(dir, { enterprises: 2000, seed: 20221224 });
  const seconds = (performance.now() - started) / 1000;
  const rows = manifest.files.reduce((n, f) => n + f.rows, 0);
  console.log(
    `demo generator: 2,000 enterprises, ${rows.toLocaleString('en')} rows in ${seconds.toFixed(1)} s`,
  );
  files = await Promise.all(manifest.files.map((f) => readRaw(dir, f)));
}, 300_000);

afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

const bySource = (source: SourceName): RawFile[] => files.filter((f) => f.entry.source === source);
const invalidAt = (f: RawFile): Map<number, string> =>
  new Map(f.entry.invalidRows.map((r) => [r.row, r.column]));

describe('demo generator', () => {
  it('writes byte-identical files for the same seed, and different ones for another seed', async () => {
    const again = tempDir();
    await generateDemo(again, { enterprises: 2000, seed: 20221224 });
    const names = readdirSync(dir).sort();
    expect(readdirSync(again).sort()).toEqual(names);
    for (const name of names)
      expect(
        readFileSync(path.join(again, name)).equals(readFileSync(path.join(dir, name))),
        name,
      ).toBe(true);
    const other = tempDir();
    await generateDemo(other, { enterprises: 300, seed: 7 });
    expect(
      readFileSync(path.join(other, 'market-registry.csv')).equals(
        readFileSync(path.join(dir, 'market-registry.csv')),
      ),
    ).toBe(false);
  }, 300_000);

  it('lists every file in the manifest, in load order, with its format and encoding', () => {
    expect(manifest.files[0].source).toBe('market-registry');
    expect(new Set(manifest.files.map((f) => f.source))).toEqual(new Set(Object.keys(SPEC)));
    expect(readdirSync(dir).sort()).toEqual(
      [...manifest.files.map((f) => f.file), 'manifest.json'].sort(),
    );
    for (const f of files) expect(f.rows.length, f.entry.file).toBe(f.entry.rows);
    const formats = manifest.files.map((f) => f.encoding ?? f.format);
    for (const kind of ['gb18030', 'utf-8-bom', 'utf-8', 'xlsx']) expect(formats).toContain(kind);
    const corrections = manifest.files.filter((f) => f.corrects);
    for (const c of corrections)
      expect(manifest.files.findIndex((f) => f.file === c.corrects)).toBeLessThan(
        manifest.files.indexOf(c),
      );
  });

  it('writes the headers of docs/sources.md exactly, with extra and reordered columns in some files', () => {
    for (const f of files) {
      expect(f.header, f.entry.file).toEqual(f.entry.columns);
      for (const column of SPEC[f.entry.source])
        expect(
          f.header.filter((h) => h === column),
          `${f.entry.file}: ${column}`,
        ).toHaveLength(1);
    }
    const reordered = files.filter(
      (f) =>
        SPEC[f.entry.source].join() !==
        f.header.filter((h) => SPEC[f.entry.source].includes(h)).join(),
    );
    const extra = files.filter((f) => f.header.length > SPEC[f.entry.source].length);
    expect(reordered.length).toBeGreaterThan(1);
    expect(extra.length).toBeGreaterThan(1);
    expect(bySource('market-registry')[0].header).toEqual(SPEC['market-registry']);
  });

  it('encodes each CSV as the manifest says: GB18030 decodes with iconv-lite, BOMs where stated', () => {
    for (const f of manifest.files.filter((m) => m.format === 'csv')) {
      const bytes = readFileSync(path.join(dir, f.file));
      const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
      expect(bom, f.file).toBe(f.encoding === 'utf-8-bom');
      if (f.encoding === 'gb18030') {
        expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), f.file).toThrow();
        expect(bytes.includes(Buffer.from(f.columns[0], 'utf8'))).toBe(false);
      } else
        expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes), f.file).not.toThrow();
    }
    const leases = files.find(
      (f) => f.entry.encoding === 'gb18030' && f.entry.source === 'land-leases',
    )!;
    expect(leases.rows.some((r) => text(leases, r, '出租方').startsWith('汶上县'))).toBe(true);
  });

  it('reads its xlsx files with exceljs, first sheet, dates as Excel dates or text', () => {
    const xlsx = files.filter((f) => f.entry.format === 'xlsx');
    expect(xlsx.length).toBeGreaterThan(0);
    for (const f of xlsx) {
      expect(f.rows.length).toBeGreaterThan(0);
      expect(
        f.rows.some((r) => r.some((c) => c instanceof Date)),
        f.entry.file,
      ).toBe(true);
    }
  });

  it('carries valid USCCs everywhere except the rows made invalid on purpose', () => {
    let legacy = 0;
    const problems: string[] = [];
    for (const f of files) {
      const invalid = new Map(
        f.entry.invalidRows.filter((r) => r.kind === 'bad-check').map((r) => [r.row, r.column]),
      );
      const columns = ID_COLUMNS.filter((c) => f.header.includes(c));
      f.rows.forEach((row, i) => {
        for (const column of columns) {
          const v = text(f, row, column);
          if (!v) continue;
          const where = `${f.entry.file} row ${i + 2} ${column} "${v}"`;
          if (invalid.get(i + 2) === column) {
            if (isValidUscc(v)) problems.push(`${where} should fail its check`);
          } else if (v.length === 15) {
            if (column !== '纳税人识别号' || !LEGACY_TAX_NO.test(v))
              problems.push(`${where} is not a legacy tax number`);
            legacy++;
          } else if (!isValidUscc(v)) problems.push(`${where} is not a valid USCC`);
        }
      });
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(legacy).toBeGreaterThan(0);
  }, 120_000);

  it('keeps natural keys unique within a source, except in a file that corrects another', () => {
    const keyOf: Record<SourceName, (f: RawFile, r: RawFile['rows'][number]) => string> = {
      'market-registry': (f, r) => text(f, r, '统一社会信用代码'),
      'market-penalties': (f, r) => text(f, r, '决定书文号'),
      'tax-payments': (f, r) => text(f, r, '税票号码'),
      'tax-annual': (f, r) =>
        `${text(f, r, '纳税人识别号') || normaliseName(text(f, r, '纳税人名称'))}|${text(f, r, '年度')}`,
      'land-parcels': (f, r) => `${text(f, r, '不动产单元号')}|${isoDate(text(f, r, '登记日期'))}`,
      'land-leases': (f, r) => text(f, r, '备案编号'),
      power: (f, r) => `${text(f, r, '用电户号')}|${isoMonth(text(f, r, '抄表年月'))}`,
      designations: (f, r) =>
        `${text(f, r, '统一社会信用代码') || normaliseName(text(f, r, '企业名称'))}|${text(f, r, '认定类型')}|${isoDate(text(f, r, '认定日期'))}`,
      'tech-projects': (f, r) => text(f, r, '项目编号'),
    };
    for (const source of Object.keys(SPEC) as SourceName[]) {
      const seen = new Set<string>();
      const duplicates: string[] = [];
      for (const f of bySource(source).filter((x) => !x.entry.corrects)) {
        const invalid = invalidAt(f);
        f.rows.forEach((r, i) => {
          if (invalid.has(i + 2)) return;
          const key = keyOf[source](f, r);
          if (seen.has(key)) duplicates.push(`${f.entry.file} row ${i + 2}: ${key}`);
          seen.add(key);
        });
      }
      expect(duplicates.slice(0, 5), source).toEqual([]);
    }
    const correction = files.find((f) => f.entry.corrects)!;
    const original = files.find((f) => f.entry.file === correction.entry.corrects)!;
    const originalKeys = new Set(original.rows.map((r) => keyOf['tax-annual'](original, r)));
    expect(correction.rows.length).toBeGreaterThan(0);
    for (const r of correction.rows)
      expect(originalKeys.has(keyOf['tax-annual'](correction, r))).toBe(true);
  }, 120_000);

  it('makes about 0.2–0.5 % of rows invalid, of every kind, and they are invalid', () => {
    const total = manifest.files.reduce((n, f) => n + f.rows, 0);
    const invalid = manifest.files.reduce((n, f) => n + f.invalidRows.length, 0);
    expect(invalid / total).toBeGreaterThan(0.002);
    expect(invalid / total).toBeLessThan(0.005);
    const kinds = new Set(manifest.files.flatMap((f) => f.invalidRows.map((r) => r.kind)));
    expect(kinds).toEqual(new Set(['bad-check', 'bad-date', 'empty-required', 'unknown-type']));
    for (const f of files) {
      for (const { row, kind, column } of f.entry.invalidRows) {
        const v = text(f, f.rows[row - 2], column);
        if (kind === 'empty-required') expect(v, `${f.entry.file} row ${row}`).toBe('');
        if (kind === 'bad-date')
          expect(
            MONTH_COLUMNS.includes(column) ? isoMonth(v) : isoDate(v),
            `${f.entry.file} row ${row}: ${v}`,
          ).toBeNull();
        if (kind === 'unknown-type')
          expect(Object.keys(DESIGNATION_TYPES_OF_SPEC)).not.toContain(v);
      }
    }
  });

  it('parses every date, month and amount of the valid rows in one of the listed formats', () => {
    const problems: string[] = [];
    for (const f of files) {
      const invalid = invalidAt(f);
      f.rows.forEach((row, i) => {
        if (invalid.has(i + 2)) return;
        for (const column of f.header) {
          const v = text(f, row, column);
          const bad =
            (column in DATE_COLUMNS && (v || DATE_COLUMNS[column]) && isoDate(v) === null) ||
            (MONTH_COLUMNS.includes(column) && isoMonth(v) === null) ||
            (column in MONEY_COLUMNS && (v || MONEY_COLUMNS[column]) && Number.isNaN(money(v))) ||
            (column === '用电量(千瓦时)' && !/^\d+$/.test(v));
          if (bad) problems.push(`${f.entry.file} row ${i + 2} ${column}: "${v}"`);
        }
      });
    }
    expect(problems.slice(0, 10)).toEqual([]);
  }, 120_000);

  it('shows the messy variations of docs/sources.md', () => {
    const cells = files.flatMap((f) =>
      f.rows.flatMap((r) => r.filter((c): c is string => typeof c === 'string')),
    );
    const has = (re: RegExp): boolean => cells.some((c) => re.test(c));
    expect(has(/^\d{1,3}(,\d{3})+\.\d{2}$/)).toBe(true);
    expect(has(/^¥[\d,]+\.\d{2}$/)).toBe(true);
    expect(has(/^¥-[\d,]+\.\d{2}$/)).toBe(true);
    expect(has(/^[\d,]+\.\d{2}-$/)).toBe(true);
    expect(has(/^-[\d,]+\.\d{2}$/)).toBe(true);
    for (const re of [
      /^\d{4}-\d{2}-\d{2}$/,
      /^\d{4}\/\d{1,2}\/\d{1,2}$/,
      /^\d{4}年\d{1,2}月\d{1,2}日$/,
      /^\d{8}$/,
    ])
      expect(has(re), String(re)).toBe(true);
    for (const re of [/^\d{4}-\d{2}$/, /^\d{6}$/, /^\d{4}年\d{1,2}月$/, /^\d{4}\/\d{2}$/])
      expect(has(re), String(re)).toBe(true);
    expect(has(/^\u3000|\u3000\s*$/)).toBe(true);
    expect(has(/^ \S|\S $/)).toBe(true);
    expect(has(/（集团）/)).toBe(true);
    expect(has(/\(集团\)/)).toBe(true);
    const registry = bySource('market-registry')[0];
    expect(registry.rows.some((r) => text(registry, r, '曾用名').includes('；'))).toBe(true);
    expect(registry.rows.some((r) => text(registry, r, '曾用名').includes(';'))).toBe(true);
  }, 120_000);

  it('covers the fifteen towns, the county clusters and every register status', () => {
    const registry = bySource('market-registry')[0];
    const towns = new Set(registry.rows.map((r) => text(registry, r, '所属乡镇')));
    for (const town of [
      '中都街道',
      '汶上街道',
      '南站街道',
      '南旺镇',
      '次邱镇',
      '寅寺镇',
      '郭楼镇',
      '康驿镇',
      '苑庄镇',
      '义桥镇',
      '郭仓镇',
      '白石镇',
      '杨店镇',
      '刘楼镇',
      '军屯乡',
    ])
      expect(towns).toContain(town);
    const divisions = new Set(registry.rows.map((r) => text(registry, r, '行业代码').slice(0, 3)));
    for (const d of [
      'C34',
      'C35',
      'C36',
      'C26',
      'C17',
      'C18',
      'C30',
      'C38',
      'C39',
      'C27',
      'D44',
      'I65',
      'F51',
      'L72',
      'M73',
    ])
      expect(divisions).toContain(d);
    const statuses = new Set(registry.rows.map((r) => text(registry, r, '登记状态')));
    expect(statuses).toEqual(new Set(['存续', '在业', '迁出', '吊销', '注销']));
  });

  it('places every scenario enterprise in the register, and every award code is expected somewhere', () => {
    const registry = bySource('market-registry')[0];
    const usccs = new Set(registry.rows.map((r) => text(registry, r, '统一社会信用代码')));
    expect(manifest.scenarios).toHaveLength(SCENARIOS.length);
    for (const s of manifest.scenarios) expect(usccs.has(s.uscc), s.role).toBe(true);
    const eligibleCodes = new Set(
      manifest.scenarios.flatMap((s) => s.expect.filter((e) => e.eligible).map((e) => e.code)),
    );
    expect(eligibleCodes.size).toBe(19);
  });

  it('refuses a county too small for its scenario enterprises', async () => {
    await expect(generateDemo(tempDir(), { enterprises: 100 })).rejects.toThrow(/at least/);
  });
});

const DESIGNATION_TYPES_OF_SPEC = Object.fromEntries(
  [
    '国家级专精特新小巨人',
    '省级专精特新中小企业',
    '两化融合管理体系贯标',
    '省级智能工厂',
    '省级数字化车间',
    '省级5G产业试点示范项目',
    '工业互联网创新示范企业',
    '国家首台(套)重大技术装备',
    '省首台(套)重大技术装备',
    '规上工业企业首次纳统',
    '攀登工程协议完成',
    '服装加工龙头企业(核心厂)备案',
    '单品精益化工厂',
    '技术改造扶持',
  ].map((t) => [t, true]),
);
