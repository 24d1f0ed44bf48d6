/**
 * Checks, from the raw files alone, that the demo set gives every award of docs/awards.md a
 * candidate (and the boundaries beside it), and that a small reference reading of the rules
 * agrees with what the manifest promises for each scenario enterprise.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isValidUscc } from '../../connectors/common/uscc.js';
import type { SourceName } from '../../connectors/pipeline/source.js';
import { generateDemo } from '../../demo/generate.js';
import type { Manifest } from '../../demo/manifest.js';
import { normaliseName } from '../../lib/names.js';
import { isoDate, money, type RawFile, readRaw, text } from './raw.js';

const WINDOW = ['2022-12-24', '2025-12-23'] as const;
const inWindow = (d: string): boolean => d >= WINDOW[0] && d <= WINDOW[1];

interface Ent {
  uscc: string;
  name: string;
  status: string;
  established: string;
  code: string;
}
interface Designation {
  uscc: string;
  type: string;
  date: string;
  core: string;
}
interface Project {
  uscc: string;
  equipmentFen: number;
  softwareFen: number;
  accepted: string;
  supported: boolean;
}
interface Annual {
  revenue: number;
  software: number | null;
  employees: number | null;
}

const DESIGNATION_AWARDS: Record<string, [string, number | null]> = {
  LITTLE_GIANT: ['国家级专精特新小巨人', 200_000],
  PROVINCIAL_SRDI: ['省级专精特新中小企业', 100_000],
  IT_INTEGRATION_CERT: ['两化融合管理体系贯标', 200_000],
  SMART_FACTORY: ['省级智能工厂', 50_000],
  DIGITAL_WORKSHOP: ['省级数字化车间', 50_000],
  PROVINCIAL_5G_PILOT: ['省级5G产业试点示范项目', 50_000],
  INDUSTRIAL_INTERNET_DEMO: ['工业互联网创新示范企业', 100_000],
  FIRST_SET_NATIONAL: ['国家首台(套)重大技术装备', 50_000],
  FIRST_SET_PROVINCIAL: ['省首台(套)重大技术装备', 30_000],
  FIRST_SCALE_ENTRY: ['规上工业企业首次纳统', null],
  CLIMBING_PROGRAM: ['攀登工程协议完成', null],
};
const THRESHOLDS: Record<string, [number, 'revenue' | 'software', number]> = {
  REVENUE_500M: [500_000_000, 'revenue', 50_000],
  REVENUE_1B: [1_000_000_000, 'revenue', 100_000],
  REVENUE_2B: [2_000_000_000, 'revenue', 200_000],
  SOFTWARE_REVENUE_10M: [10_000_000, 'software', 50_000],
  SOFTWARE_REVENUE_20M: [20_000_000, 'software', 100_000],
  SOFTWARE_REVENUE_30M: [30_000_000, 'software', 150_000],
};

let dir: string;
let manifest: Manifest;
const ents = new Map<string, Ent>();
const annual = new Map<string, Map<number, Annual>>();
const designations: Designation[] = [];
const projects: Project[] = [];

/** Links an identifier or name to a registered USCC the way docs/sources.md says, or null. */
let resolve: (id: string, name: string) => string | null;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'edp-demo-awards-'));
  manifest = await generateDemo(dir, { enterprises: 2000 });
  const raw = await Promise.all(manifest.files.map((f) => readRaw(dir, f)));
  const of = (source: SourceName): RawFile[] => raw.filter((f) => f.entry.source === source);
  const valid = (f: RawFile): Array<RawFile['rows'][number]> => {
    const invalid = new Set(f.entry.invalidRows.map((r) => r.row));
    return f.rows.filter((_, i) => !invalid.has(i + 2));
  };

  const byOrg = new Map<string, string>();
  const byName = new Map<string, string>();
  const byFormer = new Map<string, string[]>();
  for (const f of of('market-registry')) {
    for (const r of valid(f)) {
      const e: Ent = {
        uscc: text(f, r, '统一社会信用代码'),
        name: text(f, r, '企业名称'),
        status: text(f, r, '登记状态'),
        established: isoDate(text(f, r, '成立日期'))!,
        code: text(f, r, '行业代码'),
      };
      ents.set(e.uscc, e);
      byOrg.set(e.uscc.slice(8, 17), e.uscc);
      byName.set(normaliseName(e.name), e.uscc);
      for (const former of text(f, r, '曾用名').split(/[;；]/).filter(Boolean)) {
        const key = normaliseName(former);
        byFormer.set(key, [...(byFormer.get(key) ?? []), e.uscc]);
      }
    }
  }
  resolve = (id, name) => {
    if (id.length === 15) return byOrg.get(id.slice(6)) ?? null;
    if (id) return isValidUscc(id) && ents.has(id) ? id : null;
    const key = normaliseName(name);
    const former = byFormer.get(key) ?? [];
    return byName.get(key) ?? (former.length === 1 ? former[0] : null);
  };
  for (const f of of('tax-annual')) {
    for (const r of valid(f)) {
      const uscc = resolve(text(f, r, '纳税人识别号'), text(f, r, '纳税人名称'));
      if (!uscc) continue;
      const sw = text(f, r, '软件业务收入(元)');
      const staff = text(f, r, '年平均从业人数');
      const years = annual.get(uscc) ?? new Map<number, Annual>();
      years.set(Number(text(f, r, '年度')), {
        revenue: money(text(f, r, '营业收入(元)')),
        software: sw ? money(sw) : null,
        employees: staff ? Number(staff) : null,
      });
      annual.set(uscc, years);
    }
  }
  for (const f of of('designations')) {
    for (const r of valid(f)) {
      const uscc = resolve(text(f, r, '统一社会信用代码'), text(f, r, '企业名称'));
      if (uscc)
        designations.push({
          uscc,
          type: text(f, r, '认定类型'),
          date: isoDate(text(f, r, '认定日期'))!,
          core: text(f, r, '关联企业统一社会信用代码'),
        });
    }
  }
  for (const f of of('tech-projects')) {
    for (const r of valid(f)) {
      const fen = (c: string): number => Math.round(money(text(f, r, c)) * 100);
      projects.push({
        uscc: text(f, r, '统一社会信用代码'),
        equipmentFen: fen('设备投资(元,不含税)'),
        softwareFen: fen('软件投资(元,不含税)'),
        accepted: isoDate(text(f, r, '验收日期'))!,
        supported: text(f, r, '已享受技术改造扶持') === '是',
      });
    }
  }
}, 300_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const active = (e: Ent | undefined): boolean => !!e && (e.status === '存续' || e.status === '在业');
const addOneYear = (d: string): string => {
  const [y, m, day] = d.split('-').map(Number);
  const last = new Date(Date.UTC(y + 1, m, 0)).getUTCDate();
  return `${y + 1}-${String(m).padStart(2, '0')}-${String(Math.min(day, last)).padStart(2, '0')}`;
};

/** First year a figure reaches the threshold, over every year on record. */
function firstCrossing(
  uscc: string,
  field: 'revenue' | 'software',
  threshold: number,
): number | null {
  const years = [...(annual.get(uscc) ?? new Map()).entries()].sort((a, b) => a[0] - b[0]);
  const hit = years.find(([, a]) => (a[field] ?? 0) >= threshold);
  return hit ? hit[0] : null;
}

function projectAmountFen(p: Project, e: Ent, asOf: string): number | null {
  const total = p.equipmentFen + p.softwareFen;
  const ok =
    inWindow(p.accepted) &&
    p.accepted <= asOf &&
    addOneYear(e.established) <= p.accepted &&
    total >= 100_000_000 &&
    p.softwareFen * 10 >= total &&
    !p.supported;
  return ok ? Math.min(Math.round(total * 0.05), 100_000_000) : null;
}

function latestEmployees(uscc: string, asOf: string): number | null {
  const years = [...(annual.get(uscc) ?? new Map()).entries()]
    .filter(([y]) => `${y}-12-31` <= asOf)
    .sort((a, b) => b[0] - a[0]);
  return years.length ? years[0][1].employees : null;
}

function apparelEvent(core: string, asOf: string): { qualifying: number; event: string | null } {
  const earliest = new Map<string, string>();
  for (const d of designations) {
    if (d.type !== '单品精益化工厂' || d.core !== core || d.date > asOf) continue;
    if (!earliest.has(d.uscc) || d.date < earliest.get(d.uscc)!) earliest.set(d.uscc, d.date);
  }
  const qualifying = [...earliest.entries()]
    .filter(
      ([uscc]) =>
        ents.get(uscc)?.code.startsWith('C18') && (latestEmployees(uscc, asOf) ?? 0) >= 30,
    )
    .map(([, date]) => date)
    .sort();
  return { qualifying: qualifying.length, event: qualifying.length >= 10 ? qualifying[9] : null };
}

/** A small reading of docs/awards.md: eligibility and event date of one code for one enterprise. */
function evaluate(
  uscc: string,
  code: string,
  asOf: string,
): { eligible: boolean; eventDate?: string; amountYuan?: number | null } {
  const e = ents.get(uscc)!;
  if (!active(e) || e.established > asOf) return { eligible: false };
  const at = (event: string | null, amount: number | null) =>
    event && inWindow(event) && event <= asOf
      ? { eligible: true, eventDate: event, amountYuan: amount }
      : { eligible: false };
  if (code in THRESHOLDS) {
    const [threshold, field, amount] = THRESHOLDS[code];
    if (field === 'software' && !e.code.startsWith('I65')) return { eligible: false };
    const year = firstCrossing(uscc, field, threshold);
    return at(year === null ? null : `${year}-12-31`, amount);
  }
  if (code in DESIGNATION_AWARDS) {
    const [type, amount] = DESIGNATION_AWARDS[code];
    const dates = designations
      .filter((d) => d.uscc === uscc && d.type === type)
      .map((d) => d.date)
      .sort();
    return at(dates[0] ?? null, amount);
  }
  if (code === 'APPAREL_CORE_FACTORY') {
    if (
      !designations.some(
        (d) => d.uscc === uscc && d.type === '服装加工龙头企业(核心厂)备案' && d.date <= asOf,
      )
    )
      return { eligible: false };
    return at(apparelEvent(uscc, asOf).event, 100_000);
  }
  if (code === 'SMART_UPGRADE_SUBSIDY') {
    const eligible = projects
      .filter((p) => p.uscc === uscc)
      .map((p) => [p, projectAmountFen(p, e, asOf)] as const)
      .filter(([, a]) => a !== null);
    if (!eligible.length) return { eligible: false };
    return {
      eligible: true,
      eventDate: eligible.map(([p]) => p.accepted).sort()[0],
      amountYuan: eligible.reduce((s, [, a]) => s + a!, 0) / 100,
    };
  }
  throw new Error(`unknown code ${code}`);
}

describe('demo data: award candidates in the raw rows', () => {
  it('has revenue crossing 5亿, 10亿 and 20亿 first in 2022–2024, two tiers in one year, and a first crossing in 2025', () => {
    for (const code of ['REVENUE_500M', 'REVENUE_1B', 'REVENUE_2B']) {
      const [threshold] = THRESHOLDS[code];
      const firsts = [...annual.keys()]
        .filter((u) => active(ents.get(u)))
        .map((u) => firstCrossing(u, 'revenue', threshold));
      expect(
        firsts.some((y) => y !== null && y >= 2022 && y <= 2024),
        code,
      ).toBe(true);
      if (code === 'REVENUE_500M') expect(firsts).toContain(2025);
    }
    const twoTiers = [...annual.keys()].some((u) => {
      const y = firstCrossing(u, 'revenue', 5e8);
      return y !== null && y > 2022 && firstCrossing(u, 'revenue', 1e9) === y;
    });
    expect(twoTiers).toBe(true);
    expect(
      [...annual.values()].some((ys) => [...ys.values()].some((a) => a.revenue === 500_000_000)),
    ).toBe(true);
  });

  it('has software enterprises (I65) crossing 1000万, 2000万 and 3000万, all with 软件业务收入', () => {
    const software = [...ents.values()].filter((e) => e.code.startsWith('I65'));
    expect(software.length).toBeGreaterThan(10);
    for (const e of software)
      for (const a of annual.get(e.uscc)?.values() ?? []) expect(a.software, e.uscc).not.toBeNull();
    for (const threshold of [1e7, 2e7, 3e7]) {
      expect(
        software.some(
          (e) =>
            active(e) &&
            [2022, 2023, 2024].includes(firstCrossing(e.uscc, 'software', threshold) ?? 0),
        ),
        String(threshold),
      ).toBe(true);
    }
  });

  it('has every designation type, new in the window and on both edges, and re-recognitions of older ones', () => {
    const dates = designations.map((d) => d.date).sort();
    expect(dates[0] < '2020-12-31').toBe(true);
    expect(dates[dates.length - 1].startsWith('2026')).toBe(true);
    for (const [code, [type]] of Object.entries(DESIGNATION_AWARDS)) {
      const ofType = designations.filter((d) => d.type === type);
      const firstBy = new Map<string, string>();
      for (const d of ofType)
        if (!firstBy.has(d.uscc) || d.date < firstBy.get(d.uscc)!) firstBy.set(d.uscc, d.date);
      expect(
        [...firstBy.entries()].some(
          ([u, d]) => inWindow(d) && active(ents.get(u)) && ents.get(u)!.established <= d,
        ),
        code,
      ).toBe(true);
      for (const edge of ['2022-12-23', '2022-12-24', '2025-12-23', '2025-12-24'])
        expect(
          ofType.some((d) => d.date === edge),
          `${code} ${edge}`,
        ).toBe(true);
      expect(
        ofType.some((d) => inWindow(d.date) && firstBy.get(d.uscc)! < WINDOW[0]),
        `${code} re-recognised`,
      ).toBe(true);
    }
  });

  it('has a core apparel factory with ten qualifying C18 partners and one with only nine', () => {
    const cores = [
      ...new Set(
        designations.filter((d) => d.type === '服装加工龙头企业(核心厂)备案').map((d) => d.uscc),
      ),
    ];
    const counts = cores.map((c) => apparelEvent(c, '2025-12-31'));
    expect(counts.some((c) => c.qualifying >= 10 && c.event !== null && inWindow(c.event))).toBe(
      true,
    );
    expect(counts.some((c) => c.qualifying === 9)).toBe(true);
  });

  it('has smart-upgrade projects that qualify, one capped, one just under 10 % software, one too soon after establishment', () => {
    const withEnt = projects.map((p) => ({ p, e: ents.get(p.uscc)! })).filter(({ e }) => e);
    expect(withEnt.some(({ p, e }) => projectAmountFen(p, e, '2025-12-31') !== null)).toBe(true);
    expect(
      withEnt.some(
        ({ p, e }) =>
          projectAmountFen(p, e, '2025-12-31') === 100_000_000 &&
          (p.equipmentFen + p.softwareFen) * 0.05 > 100_000_000,
      ),
    ).toBe(true);
    expect(
      withEnt.some(
        ({ p }) =>
          p.softwareFen * 10 < p.equipmentFen + p.softwareFen &&
          p.softwareFen * 10.01 >= p.equipmentFen + p.softwareFen,
      ),
    ).toBe(true);
    expect(
      withEnt.some(({ p, e }) => inWindow(p.accepted) && addOneYear(e.established) > p.accepted),
    ).toBe(true);
    expect(withEnt.some(({ p }) => p.supported)).toBe(true);
    const perEnterprise = new Map<string, number>();
    for (const { p } of withEnt) perEnterprise.set(p.uscc, (perEnterprise.get(p.uscc) ?? 0) + 1);
    expect(Math.max(...perEnterprise.values())).toBeGreaterThanOrEqual(3);
  });

  it('agrees with every expectation the manifest states for its scenario enterprises', () => {
    const mismatches: string[] = [];
    for (const s of manifest.scenarios) {
      for (const x of s.expect) {
        const got = evaluate(s.uscc, x.code, x.asOf);
        const want = {
          eligible: x.eligible,
          ...(x.eligible ? { eventDate: x.eventDate, amountYuan: x.amountYuan } : {}),
        };
        if (JSON.stringify(got) !== JSON.stringify(want))
          mismatches.push(
            `${s.role} ${x.code} @${x.asOf}: got ${JSON.stringify(got)}, manifest says ${JSON.stringify(want)}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  });
});
