/**
 * Hand-made enterprises placed among the random ones so that every award of docs/awards.md and
 * every resolution rule of docs/sources.md occurs, including the boundaries (the window's first
 * and last day, exactly 5亿, a software share of exactly 10 %, 29 February …). Each carries
 * what an evaluation should answer for it; the manifest lists them with their USCCs.
 *
 * Scenario enterprises get no random recognitions, projects, invalid rows or corrections,
 * so these expectations hold whatever the seed.
 */
import type { SectorKey, Status } from './county.js';

export type AwardCode =
  | 'REVENUE_500M'
  | 'REVENUE_1B'
  | 'REVENUE_2B'
  | 'APPAREL_CORE_FACTORY'
  | 'FIRST_SCALE_ENTRY'
  | 'CLIMBING_PROGRAM'
  | 'LITTLE_GIANT'
  | 'PROVINCIAL_SRDI'
  | 'IT_INTEGRATION_CERT'
  | 'SMART_UPGRADE_SUBSIDY'
  | 'PROVINCIAL_5G_PILOT'
  | 'INDUSTRIAL_INTERNET_DEMO'
  | 'SMART_FACTORY'
  | 'DIGITAL_WORKSHOP'
  | 'SOFTWARE_REVENUE_10M'
  | 'SOFTWARE_REVENUE_20M'
  | 'SOFTWARE_REVENUE_30M'
  | 'FIRST_SET_NATIONAL'
  | 'FIRST_SET_PROVINCIAL';

/** What `awardEligibility(asOf)` should answer for one code. */
export interface Expectation {
  code: AwardCode;
  asOf: string;
  eligible: boolean;
  eventDate?: string;
  /** gross 元; null when eligible but set by another document */
  amountYuan?: number | null;
}

export interface ScenarioDesignation {
  type: string;
  date: string;
  /** for 单品精益化工厂: the role of the core factory it is attached to */
  coreRole?: string;
  /** deliver the row without a USCC, under this kind of name */
  nameOnly?: 'former';
}

export interface ScenarioProject {
  equipment: number;
  software: number;
  accepted: string;
  supported?: boolean;
  name?: string;
}

export interface ScenarioSpec {
  role: string;
  /** what the enterprise exercises, in words */
  description: string;
  sector: SectorKey;
  code?: string;
  established?: string;
  status?: Status;
  /** 营业收入 2022–2025 (元); null where there is no return */
  revenue?: ReadonlyArray<number | null>;
  /** 软件业务收入 2022–2025 (元) */
  software?: ReadonlyArray<number | null>;
  /** 年平均从业人数 2022–2025 */
  employees?: ReadonlyArray<number | null>;
  designations?: readonly ScenarioDesignation[];
  projects?: readonly ScenarioProject[];
  /** years whose tax-annual row carries the legacy 15-character tax number */
  legacyTaxYears?: readonly number[];
  expect?: readonly Expectation[];
  /** an active firm that stands still after this year: no tax, power or annual return later */
  lastYear?: number;
  /** holds exactly one 工业用地 parcel of this many 亩 from its establishment, never cancelled */
  landMu?: number;
  /** the land revitalization categories it should carry in the demo's last year (docs/land-revitalization.md) */
  revitalization?: readonly RevitalizationCategory[];
}

export type RevitalizationCategory = 'DEREGISTERED_HOLDER' | 'SUSPECTED_IDLE' | 'LOW_EFFICIENCY';

/** The date every expectation is checked at unless it says otherwise. */
export const EXPECT_AS_OF = '2025-12-31';
const AS_OF = EXPECT_AS_OF;

const yes = (code: AwardCode, eventDate: string, amountYuan: number | null): Expectation => ({
  code,
  asOf: AS_OF,
  eligible: true,
  eventDate,
  amountYuan,
});
const no = (code: AwardCode, asOf = AS_OF): Expectation => ({ code, asOf, eligible: false });

// ---------------------------------------------------------------------------------------------
// Clause 4: revenue first crossing 5亿 / 10亿 / 20亿 (event: December 31 of the crossing year).
const revenue: ScenarioSpec[] = [
  {
    role: 'revenue-500m-2022',
    sector: 'machinery',
    code: 'C3514',
    established: '2003-04-18',
    description:
      '营业收入 above 5亿 from 2022, the first year on record: eligible, event 2022-12-31 (earlier years not on record)',
    revenue: [530_000_000.0, 561_234_000.0, 590_870_000.0, 612_300_000.0],
    expect: [yes('REVENUE_500M', '2022-12-31', 50_000), no('REVENUE_1B')],
  },
  {
    role: 'revenue-500m-exact-2023',
    sector: 'auto',
    code: 'C3670',
    established: '2006-09-01',
    description:
      '营业收入 exactly 500,000,000.00 in 2023 after 4.62亿 in 2022: "突破" means ≥, eligible 2023',
    revenue: [462_000_000.0, 500_000_000.0, 540_300_000.0, 521_000_000.0],
    expect: [yes('REVENUE_500M', '2023-12-31', 50_000)],
  },
  {
    role: 'revenue-just-under-500m',
    sector: 'chemical',
    code: 'C2661',
    established: '2008-03-12',
    description: '营业收入 499,999,999.99 at most: never crosses 5亿',
    revenue: [450_000_000.0, 499_999_999.99, 480_500_000.0, 495_000_000.0],
    expect: [no('REVENUE_500M')],
  },
  {
    role: 'revenue-1b-2024',
    sector: 'machinery',
    code: 'C3511',
    established: '2001-06-20',
    description: '9.99亿 in 2023, 10.32亿 in 2024: 10亿 first crossed 2024; 5亿 already in 2022',
    revenue: [720_000_000.0, 999_000_000.0, 1_032_000_000.0, 1_100_000_000.0],
    expect: [
      yes('REVENUE_500M', '2022-12-31', 50_000),
      yes('REVENUE_1B', '2024-12-31', 100_000),
      no('REVENUE_2B'),
    ],
  },
  {
    role: 'revenue-two-tiers-2024',
    sector: 'auto',
    code: 'C3670',
    established: '2009-11-05',
    description:
      '4.1亿 in 2023 jumps to 11.2亿 in 2024: first crosses 5亿 and 10亿 in the same year, both eligible',
    revenue: [360_000_000.0, 410_000_000.0, 1_120_000_000.0, 1_150_000_000.0],
    expect: [yes('REVENUE_500M', '2024-12-31', 50_000), yes('REVENUE_1B', '2024-12-31', 100_000)],
  },
  {
    role: 'revenue-2b-2023',
    sector: 'chemical',
    code: 'C2614',
    established: '1998-05-08',
    description: '18.2亿 in 2022, 20.6亿 in 2023: 20亿 first crossed 2023; 5亿 and 10亿 in 2022',
    revenue: [1_820_000_000.0, 2_060_000_000.0, 2_200_000_000.0, 2_310_000_000.0],
    expect: [
      yes('REVENUE_500M', '2022-12-31', 50_000),
      yes('REVENUE_1B', '2022-12-31', 100_000),
      yes('REVENUE_2B', '2023-12-31', 200_000),
    ],
  },
  {
    role: 'revenue-first-2025',
    sector: 'newMaterial',
    code: 'C2651',
    established: '2012-07-16',
    description: '5亿 first crossed in 2025: event 2025-12-31 lies after the window, not eligible',
    revenue: [310_000_000.0, 350_000_000.0, 420_000_000.0, 515_000_000.0],
    expect: [no('REVENUE_500M')],
  },
  {
    role: 'revenue-recross-legacy',
    sector: 'machinery',
    code: 'C3444',
    established: '2004-02-10',
    description:
      '5.2亿 in 2023, 4.7亿 in 2024, 5.6亿 in 2025: first crossing 2023; the 2023 return carries the legacy 15-character tax number, so it only counts if legacy numbers link',
    revenue: [440_000_000.0, 520_000_000.0, 470_000_000.0, 560_000_000.0],
    legacyTaxYears: [2023],
    expect: [yes('REVENUE_500M', '2023-12-31', 50_000)],
  },
];

// Clause 10: 软件业务收入 of software enterprises (I65).
const software: ScenarioSpec[] = [
  {
    role: 'software-stepwise',
    sector: 'software',
    code: 'I6513',
    established: '2014-05-06',
    description:
      '软件业务收入 0.82 → 1.24 → 2.51 → 3.30 千万: 1000万 in 2023, 2000万 in 2024, 3000万 only in 2025 (after the window)',
    software: [8_200_000.0, 12_400_000.0, 25_100_000.0, 33_000_000.0],
    expect: [
      yes('SOFTWARE_REVENUE_10M', '2023-12-31', 50_000),
      yes('SOFTWARE_REVENUE_20M', '2024-12-31', 100_000),
      no('SOFTWARE_REVENUE_30M'),
    ],
  },
  {
    role: 'software-10m-exact-2022',
    sector: 'software',
    code: 'I6531',
    established: '2013-08-19',
    description: '软件业务收入 exactly 10,000,000.00 in 2022',
    software: [10_000_000.0, 11_500_000.0, 13_200_000.0, 14_000_000.0],
    expect: [yes('SOFTWARE_REVENUE_10M', '2022-12-31', 50_000), no('SOFTWARE_REVENUE_20M')],
  },
  {
    role: 'software-three-tiers-2024',
    sector: 'software',
    code: 'I6513',
    established: '2016-03-22',
    description:
      '软件业务收入 9.2百万 in 2023, 31.2百万 in 2024: all three tiers first crossed in 2024',
    software: [6_500_000.0, 9_200_000.0, 31_200_000.0, 33_000_000.0],
    expect: [
      yes('SOFTWARE_REVENUE_10M', '2024-12-31', 50_000),
      yes('SOFTWARE_REVENUE_20M', '2024-12-31', 100_000),
      yes('SOFTWARE_REVENUE_30M', '2024-12-31', 150_000),
    ],
  },
  {
    role: 'software-30m-2022',
    sector: 'software',
    code: 'I6511',
    established: '2011-10-10',
    description: '软件业务收入 above 3000万 from 2022, the first year on record',
    software: [34_500_000.0, 36_000_000.0, 39_000_000.0, 41_000_000.0],
    expect: [
      yes('SOFTWARE_REVENUE_10M', '2022-12-31', 50_000),
      yes('SOFTWARE_REVENUE_20M', '2022-12-31', 100_000),
      yes('SOFTWARE_REVENUE_30M', '2022-12-31', 150_000),
    ],
  },
  {
    role: 'software-not-i65',
    sector: 'research',
    code: 'M7320',
    established: '2015-01-15',
    description:
      '1500万 软件业务收入 but industry M7320, not a software enterprise (I65): not eligible',
    software: [9_000_000.0, 15_000_000.0, 16_000_000.0, 17_000_000.0],
    expect: [no('SOFTWARE_REVENUE_10M')],
  },
];

// Designation-based awards: for each type, the window's edges, the days beside them, and a
// re-recognition of a type first granted before the window.
const DESIGNATION_AWARDS: ReadonlyArray<readonly [AwardCode, string, number | null, SectorKey]> = [
  ['LITTLE_GIANT', '国家级专精特新小巨人', 200_000, 'machinery'],
  ['PROVINCIAL_SRDI', '省级专精特新中小企业', 100_000, 'auto'],
  ['IT_INTEGRATION_CERT', '两化融合管理体系贯标', 200_000, 'chemical'],
  ['SMART_FACTORY', '省级智能工厂', 50_000, 'machinery'],
  ['DIGITAL_WORKSHOP', '省级数字化车间', 50_000, 'apparel'],
  ['PROVINCIAL_5G_PILOT', '省级5G产业试点示范项目', 50_000, 'newMaterial'],
  ['INDUSTRIAL_INTERNET_DEMO', '工业互联网创新示范企业', 100_000, 'machinery'],
  ['FIRST_SET_NATIONAL', '国家首台(套)重大技术装备', 50_000, 'machinery'],
  ['FIRST_SET_PROVINCIAL', '省首台(套)重大技术装备', 30_000, 'auto'],
  ['FIRST_SCALE_ENTRY', '规上工业企业首次纳统', null, 'metal'],
  ['CLIMBING_PROGRAM', '攀登工程协议完成', null, 'chemical'],
];

const designationEdges: ScenarioSpec[] = DESIGNATION_AWARDS.flatMap(
  ([code, type, amount, sector]) => {
    const slug = code.toLowerCase().replace(/_/g, '-');
    const one = (
      edge: string,
      dates: string[],
      expect: Expectation,
      description: string,
    ): ScenarioSpec => ({
      role: `designation-${slug}-${edge}`,
      sector,
      established: '2010-06-01',
      description: `${type}: ${description}`,
      designations: dates.map((date) => ({ type, date })),
      expect: [expect],
    });
    return [
      one(
        'window-start',
        ['2022-12-24'],
        yes(code, '2022-12-24', amount),
        'recognised on 2022-12-24, the first day of the window',
      ),
      one(
        'window-end',
        ['2025-12-23'],
        yes(code, '2025-12-23', amount),
        'recognised on 2025-12-23, the last day of the window',
      ),
      one(
        'day-before-window',
        ['2022-12-23'],
        no(code),
        'recognised on 2022-12-23, the day before the window',
      ),
      one(
        'day-after-window',
        ['2025-12-24'],
        no(code),
        'recognised on 2025-12-24, the day after the window',
      ),
      one(
        'rerecognised',
        ['2020-11-16', '2023-11-20'],
        no(code),
        'first recognised 2020-11-16 and again 2023-11-20: not a new recognition',
      ),
    ];
  },
);

const designationOther: ScenarioSpec[] = [
  {
    role: 'designation-inactive',
    sector: 'machinery',
    established: '2011-04-01',
    status: '吊销',
    description:
      '省级专精特新中小企业 on 2023-05-10, but the licence is revoked (吊销): not active, not eligible',
    designations: [{ type: '省级专精特新中小企业', date: '2023-05-10' }],
    expect: [no('PROVINCIAL_SRDI')],
  },
  {
    role: 'designation-by-former-name',
    sector: 'auto',
    established: '2012-09-09',
    description:
      '省级数字化车间 on 2024-04-01, delivered without a USCC under the former name (曾用名): eligible once linked by former name',
    designations: [{ type: '省级数字化车间', date: '2024-04-01', nameOnly: 'former' }],
    expect: [yes('DIGITAL_WORKSHOP', '2024-04-01', 50_000)],
  },
  {
    role: 'designation-established-later',
    sector: 'newEnergy',
    established: '2024-06-03',
    description:
      '省级专精特新中小企业 on 2025-03-18 for a firm established 2024-06-03 (asOf 2024-12-31: event not yet reached)',
    designations: [{ type: '省级专精特新中小企业', date: '2025-03-18' }],
    expect: [yes('PROVINCIAL_SRDI', '2025-03-18', 100_000), no('PROVINCIAL_SRDI', '2024-12-31')],
  },
];

// Clause 4: apparel core factories (服装加工龙头企业(核心厂)) and their 单品精益化工厂 partners.
function apparelGroup(
  core: string,
  filed: string,
  partners: ReadonlyArray<{
    role: string;
    date: string | string[];
    employees: Array<number | null>;
    code?: string;
    status?: Status;
    note: string;
  }>,
  coreDescription: string,
  expect: Expectation[],
): ScenarioSpec[] {
  return [
    {
      role: core,
      sector: 'apparel',
      code: 'C1810',
      established: '2005-03-01',
      description: coreDescription,
      revenue: [168_000_000.0, 182_000_000.0, 201_000_000.0, 214_000_000.0],
      employees: [620, 650, 700, 720],
      designations: [{ type: '服装加工龙头企业(核心厂)备案', date: filed }],
      expect,
    },
    ...partners.map(
      (p): ScenarioSpec => ({
        role: p.role,
        sector: p.code?.startsWith('C17') ? 'textile' : 'apparel',
        code: p.code ?? 'C1810',
        established: '2014-04-01',
        status: p.status,
        description: p.note,
        employees: p.employees,
        designations: (Array.isArray(p.date) ? p.date : [p.date]).map((date) => ({
          type: '单品精益化工厂',
          date,
          coreRole: core,
        })),
      }),
    ),
  ];
}

const q = (n: number, a: number): number[] => [a, a + n, a + 2 * n, a + 3 * n];
const apparel: ScenarioSpec[] = [
  ...apparelGroup(
    'apparel-core-10',
    '2023-03-15',
    [
      {
        role: 'apparel-core-10-p01',
        date: '2023-04-10',
        employees: q(2, 36),
        code: 'C1810',
        note: 'partner 1 of apparel-core-10',
      },
      {
        role: 'apparel-core-10-p02',
        date: '2023-04-10',
        employees: q(1, 52),
        code: 'C1820',
        note: 'partner 2 of apparel-core-10',
      },
      {
        role: 'apparel-core-10-p03',
        date: '2023-05-18',
        employees: [48, 46, 45, null],
        status: '吊销',
        note: 'partner 3 of apparel-core-10, since revoked (吊销): still counts ("active or not"); latest return 2024',
      },
      {
        role: 'apparel-core-10-p04',
        date: '2023-06-20',
        employees: q(3, 60),
        code: 'C1830',
        note: 'partner 4 of apparel-core-10',
      },
      {
        role: 'apparel-core-10-n29',
        date: '2023-07-01',
        employees: [28, 29, 29, 29],
        note: '29 employees: does not qualify for apparel-core-10',
      },
      {
        role: 'apparel-core-10-p05',
        date: ['2023-08-08', '2024-08-20'],
        employees: q(1, 41),
        note: 'partner 5 of apparel-core-10, attached twice: counts once, from 2023-08-08',
      },
      {
        role: 'apparel-core-10-p06',
        date: '2023-09-15',
        employees: q(4, 75),
        note: 'partner 6 of apparel-core-10',
      },
      {
        role: 'apparel-core-10-c17',
        date: '2023-10-10',
        employees: q(5, 150),
        code: 'C1711',
        note: 'a cotton mill (C17, not C18): does not qualify for apparel-core-10',
      },
      {
        role: 'apparel-core-10-p07',
        date: '2023-11-02',
        employees: q(0, 30),
        note: 'partner 7 of apparel-core-10 with exactly 30 employees',
      },
      {
        role: 'apparel-core-10-p08',
        date: '2024-01-12',
        employees: q(2, 88),
        code: 'C1820',
        note: 'partner 8 of apparel-core-10',
      },
      {
        role: 'apparel-core-10-p09',
        date: '2024-03-06',
        employees: q(1, 39),
        note: 'partner 9 of apparel-core-10',
      },
      {
        role: 'apparel-core-10-p10',
        date: '2024-05-20',
        employees: q(3, 57),
        note: 'partner 10 of apparel-core-10: its attachment (2024-05-20) is the event',
      },
      {
        role: 'apparel-core-10-p11',
        date: '2024-07-01',
        employees: q(2, 44),
        note: 'partner 11 of apparel-core-10',
      },
      {
        role: 'apparel-core-10-p12',
        date: '2024-10-15',
        employees: q(1, 33),
        note: 'partner 12 of apparel-core-10',
      },
    ],
    'core factory with 12 qualifying C18 partners (plus one of 29 employees and one C17 mill): the 10th qualifying attachment, 2024-05-20, is the event',
    [yes('APPAREL_CORE_FACTORY', '2024-05-20', 100_000)],
  ),
  ...apparelGroup(
    'apparel-core-9',
    '2022-08-01',
    [
      {
        role: 'apparel-core-9-p01',
        date: '2023-02-14',
        employees: q(2, 45),
        note: 'partner 1 of apparel-core-9',
      },
      {
        role: 'apparel-core-9-p02',
        date: '2023-03-20',
        employees: q(1, 38),
        code: 'C1820',
        note: 'partner 2 of apparel-core-9',
      },
      {
        role: 'apparel-core-9-p03',
        date: '2023-05-05',
        employees: q(3, 66),
        note: 'partner 3 of apparel-core-9',
      },
      {
        role: 'apparel-core-9-p04',
        date: ['2023-06-12', '2024-06-12'],
        employees: q(2, 50),
        note: 'partner 4 of apparel-core-9, attached twice: counts once',
      },
      {
        role: 'apparel-core-9-p05',
        date: '2023-09-01',
        employees: q(1, 31),
        note: 'partner 5 of apparel-core-9',
      },
      {
        role: 'apparel-core-9-p06',
        date: '2023-12-08',
        employees: q(4, 92),
        code: 'C1830',
        note: 'partner 6 of apparel-core-9',
      },
      {
        role: 'apparel-core-9-p07',
        date: '2024-02-26',
        employees: q(2, 47),
        note: 'partner 7 of apparel-core-9',
      },
      {
        role: 'apparel-core-9-p08',
        date: '2024-04-16',
        employees: q(1, 35),
        note: 'partner 8 of apparel-core-9',
      },
      {
        role: 'apparel-core-9-p09',
        date: '2024-09-09',
        employees: q(2, 58),
        note: 'partner 9 of apparel-core-9',
      },
      {
        role: 'apparel-core-9-n29',
        date: '2024-10-10',
        employees: [29, 29, 28, 29],
        note: '29 employees: does not qualify for apparel-core-9',
      },
      {
        role: 'apparel-core-9-c17',
        date: '2024-11-11',
        employees: q(3, 210),
        code: 'C1713',
        note: 'a dyeing mill (C17): does not qualify for apparel-core-9',
      },
    ],
    'core factory with only 9 qualifying C18 partners (one attached twice, one of 29 employees, one C17 mill): not eligible',
    [no('APPAREL_CORE_FACTORY')],
  ),
  ...apparelGroup(
    'apparel-core-as-of',
    '2023-06-01',
    [
      {
        role: 'apparel-core-as-of-p01',
        date: '2023-07-03',
        employees: q(1, 40),
        note: 'partner 1 of apparel-core-as-of',
      },
      {
        role: 'apparel-core-as-of-p02',
        date: '2023-07-24',
        employees: q(2, 46),
        note: 'partner 2 of apparel-core-as-of',
      },
      {
        role: 'apparel-core-as-of-p03',
        date: '2023-08-15',
        employees: q(1, 33),
        note: 'partner 3 of apparel-core-as-of',
      },
      {
        role: 'apparel-core-as-of-p04',
        date: '2023-09-05',
        employees: q(3, 70),
        note: 'partner 4 of apparel-core-as-of',
      },
      {
        role: 'apparel-core-as-of-p05',
        date: '2023-10-16',
        employees: q(2, 55),
        note: 'partner 5 of apparel-core-as-of',
      },
      {
        role: 'apparel-core-as-of-p06',
        date: '2023-11-20',
        employees: q(1, 37),
        note: 'partner 6 of apparel-core-as-of',
      },
      {
        role: 'apparel-core-as-of-p07',
        date: '2023-12-11',
        employees: q(2, 49),
        code: 'C1820',
        note: 'partner 7 of apparel-core-as-of',
      },
      {
        role: 'apparel-core-as-of-p08',
        date: '2024-01-22',
        employees: q(1, 42),
        note: 'partner 8 of apparel-core-as-of',
      },
      {
        role: 'apparel-core-as-of-p09',
        date: '2024-02-19',
        employees: q(2, 61),
        note: 'partner 9 of apparel-core-as-of',
      },
      {
        role: 'apparel-core-as-of-grows',
        date: '2024-03-18',
        employees: [22, 26, 34, 38],
        note: 'attached 2024-03-18 with 26 employees in 2023 and 34 in 2024: qualifies from asOf 2024-12-31',
      },
    ],
    'core factory whose 10th partner qualifies only once its 2024 return (34 employees) is the latest on or before asOf',
    [
      no('APPAREL_CORE_FACTORY', '2024-06-30'),
      {
        code: 'APPAREL_CORE_FACTORY',
        asOf: '2024-12-31',
        eligible: true,
        eventDate: '2024-03-18',
        amountYuan: 100_000,
      },
    ],
  ),
];

// Clause 8: 智能化改造 projects (5 % of equipment + software, at most 1,000,000 per project).
const subsidy = (code: AwardCode, eventDate: string, amount: number): Expectation =>
  yes(code, eventDate, amount);
const projects: ScenarioSpec[] = [
  {
    role: 'project-eligible',
    sector: 'machinery',
    established: '2010-03-03',
    description: '设备 3,000,000 + 软件 400,000 accepted 2023-06-15: 170,000',
    projects: [{ equipment: 3_000_000, software: 400_000, accepted: '2023-06-15' }],
    expect: [subsidy('SMART_UPGRADE_SUBSIDY', '2023-06-15', 170_000)],
  },
  {
    role: 'project-share-exact-10pct',
    sector: 'auto',
    established: '2011-05-12',
    description: '软件 200,000 of 2,000,000: exactly 10 %, eligible 100,000',
    projects: [{ equipment: 1_800_000, software: 200_000, accepted: '2024-04-10' }],
    expect: [subsidy('SMART_UPGRADE_SUBSIDY', '2024-04-10', 100_000)],
  },
  {
    role: 'project-share-below-10pct',
    sector: 'auto',
    established: '2011-05-12',
    description: '软件 222,222 of 2,222,222: just under 10 %, not eligible',
    projects: [{ equipment: 2_000_000, software: 222_222, accepted: '2024-04-10' }],
    expect: [no('SMART_UPGRADE_SUBSIDY')],
  },
  {
    role: 'project-total-exact-1m',
    sector: 'metal',
    established: '2013-01-20',
    description: '设备 900,000 + 软件 100,000: exactly 1,000,000, eligible 50,000',
    projects: [{ equipment: 900_000, software: 100_000, accepted: '2023-09-01' }],
    expect: [subsidy('SMART_UPGRADE_SUBSIDY', '2023-09-01', 50_000)],
  },
  {
    role: 'project-total-below-1m',
    sector: 'metal',
    established: '2013-01-20',
    description: '设备 899,999 + 软件 100,000: 999,999, not eligible',
    projects: [{ equipment: 899_999, software: 100_000, accepted: '2023-09-01' }],
    expect: [no('SMART_UPGRADE_SUBSIDY')],
  },
  {
    role: 'project-already-supported',
    sector: 'chemical',
    established: '2009-08-08',
    description:
      '已享受技术改造扶持 = 是: not eligible (the 技术改造扶持 designation is reference only)',
    projects: [
      { equipment: 5_000_000, software: 800_000, accepted: '2024-06-30', supported: true },
    ],
    designations: [{ type: '技术改造扶持', date: '2024-09-01' }],
    expect: [no('SMART_UPGRADE_SUBSIDY')],
  },
  {
    role: 'project-designation-only',
    sector: 'machinery',
    established: '2008-12-01',
    description:
      'a 技术改造扶持 designation but the project says 否: the project column decides, eligible 150,000',
    projects: [{ equipment: 2_500_000, software: 500_000, accepted: '2024-03-15' }],
    designations: [{ type: '技术改造扶持', date: '2023-10-20' }],
    expect: [subsidy('SMART_UPGRADE_SUBSIDY', '2024-03-15', 150_000)],
  },
  {
    role: 'project-capped',
    sector: 'newEnergy',
    code: 'C3825',
    established: '2015-07-07',
    description: '设备 28,000,000 + 软件 4,500,000: 5 % is 1,625,000, capped at 1,000,000',
    projects: [
      {
        equipment: 28_000_000,
        software: 4_500_000,
        accepted: '2024-11-28',
        name: '光伏组件智能工厂建设项目',
      },
    ],
    expect: [subsidy('SMART_UPGRADE_SUBSIDY', '2024-11-28', 1_000_000)],
  },
  {
    role: 'project-young-firm',
    sector: 'auto',
    established: '2023-05-10',
    description:
      'established 2023-05-10: a project accepted 2024-05-09 is too early, one accepted 2024-05-10 (exactly one year) is eligible',
    projects: [
      { equipment: 1_500_000, software: 300_000, accepted: '2024-05-09' },
      { equipment: 2_000_000, software: 250_000, accepted: '2024-05-10' },
    ],
    expect: [subsidy('SMART_UPGRADE_SUBSIDY', '2024-05-10', 112_500)],
  },
  {
    role: 'project-leap-day-firm',
    sector: 'newMaterial',
    code: 'C3985',
    established: '2024-02-29',
    description:
      'established 2024-02-29: one year later is 2025-02-28; accepted 2025-02-27 is too early, 2025-02-28 is eligible',
    projects: [
      { equipment: 1_300_000, software: 200_000, accepted: '2025-02-27' },
      { equipment: 1_200_000, software: 180_000, accepted: '2025-02-28' },
    ],
    expect: [subsidy('SMART_UPGRADE_SUBSIDY', '2025-02-28', 69_000)],
  },
  {
    role: 'project-window-edges',
    sector: 'machinery',
    established: '2012-02-02',
    description:
      'projects accepted 2022-12-23 (out), 2022-12-24 (in), 2025-12-23 (in), 2025-12-24 (out)',
    projects: [
      { equipment: 1_500_000, software: 300_000, accepted: '2022-12-23' },
      { equipment: 1_000_000, software: 200_000, accepted: '2022-12-24' },
      { equipment: 2_000_000, software: 300_000, accepted: '2025-12-23' },
      { equipment: 3_000_000, software: 500_000, accepted: '2025-12-24' },
    ],
    expect: [subsidy('SMART_UPGRADE_SUBSIDY', '2022-12-24', 175_000)],
  },
  {
    role: 'project-several',
    sector: 'auto',
    established: '2007-07-07',
    description: 'three projects: two eligible (230,617.28 and 350,000), one with 6.25 % software',
    projects: [
      { equipment: 4_012_345.6, software: 600_000, accepted: '2023-03-01' },
      { equipment: 1_500_000, software: 100_000, accepted: '2024-07-15' },
      { equipment: 6_000_000, software: 1_000_000, accepted: '2025-05-20' },
    ],
    expect: [subsidy('SMART_UPGRADE_SUBSIDY', '2023-03-01', 580_617.28)],
  },
];

// Entity resolution (docs/sources.md): names that link, names that do not, and an ambiguous one.
const naming: ScenarioSpec[] = [
  {
    role: 'name-ambiguous-former-1',
    sector: 'metal',
    established: '2006-06-06',
    description:
      'shares its former name with name-ambiguous-former-2: a name-only power account and lease under that name are ambiguous (unmatched with two candidates)',
  },
  {
    role: 'name-ambiguous-former-2',
    sector: 'trade',
    established: '2010-10-10',
    description: 'shares its former name with name-ambiguous-former-1',
  },
  {
    role: 'name-current-wins',
    sector: 'machinery',
    established: '2016-04-04',
    description:
      "its current name is name-renamed-away's former name: a name-only power account under it links here (a current name wins)",
  },
  {
    role: 'name-renamed-away',
    sector: 'machinery',
    established: '2003-03-03',
    description: "renamed; its former name is now name-current-wins's registered name",
  },
  {
    role: 'name-former-only',
    sector: 'chemical',
    established: '2007-08-08',
    description:
      'two former names separated by "；": a name-only power account under the second links by former name',
  },
  {
    role: 'name-brackets',
    sector: 'machinery',
    established: '2002-02-02',
    description:
      'registered with full-width （集团）; power (name only) and tax use half-width (集团)',
  },
  {
    role: 'land-transfer-from',
    sector: 'food',
    established: '2001-01-01',
    description:
      'held a parcel until 2023-12-31 (注销日期); land-transfer-to holds it from 2024-01-01',
  },
  {
    role: 'land-transfer-to',
    sector: 'machinery',
    established: '2019-05-05',
    description: 'holds the parcel of land-transfer-from from 2024-01-01',
  },
];

// Land revitalization (clause 17) in 2025, the demo's last year: each holds one parcel of its own.
const revitalization: ScenarioSpec[] = [
  {
    role: 'revitalize-deregistered',
    sector: 'machinery',
    established: '2008-03-18',
    status: '注销',
    revenue: [9_000_000, 6_000_000, null, null],
    landMu: 42,
    revitalization: ['DEREGISTERED_HOLDER'],
    description:
      'dissolved (注销) after 2023 but still holds its 42 亩 parcel on 2025-12-31: 主体注销/吊销仍占地',
  },
  {
    role: 'revitalize-revoked',
    sector: 'food',
    established: '2012-07-02',
    status: '吊销',
    revenue: [4_000_000, null, null, null],
    landMu: 18,
    revitalization: ['DEREGISTERED_HOLDER'],
    description: 'licence revoked (吊销), still holds 18 亩 on 2025-12-31: 主体注销/吊销仍占地',
  },
  {
    role: 'revitalize-idle',
    sector: 'trade',
    established: '2011-05-09',
    revenue: [3_000_000, 2_500_000, 2_000_000, null],
    lastYear: 2024,
    landMu: 9,
    revitalization: ['SUSPECTED_IDLE'],
    description:
      'still 存续, but no electricity reading and no tax paid in 2025 on its 9 亩 (a trading firm, not graded): 疑似闲置',
  },
  {
    role: 'revitalize-idle-low',
    sector: 'machinery',
    established: '2009-09-09',
    revenue: [12_000_000, 10_000_000, 8_000_000, null],
    lastYear: 2024,
    landMu: 65,
    revitalization: ['SUSPECTED_IDLE', 'LOW_EFFICIENCY'],
    description:
      'still 存续 on 65 亩 with no electricity and no tax in 2025, so its 2025 亩产效益 score is 0 and it is graded D: 疑似闲置 and 低效用地',
  },
  {
    role: 'revitalize-low',
    sector: 'machinery',
    established: '2007-04-16',
    revenue: [1_500_000, 1_200_000, 1_000_000, 600_000],
    landMu: 150,
    revitalization: ['LOW_EFFICIENCY'],
    description:
      'works on 150 亩 but pays little tax: the lowest 亩均税收 of the 规下 firms that pay any, graded D in 2025: 低效用地',
  },
];

export const SCENARIOS: readonly ScenarioSpec[] = [
  ...revenue,
  ...software,
  ...designationEdges,
  ...designationOther,
  ...apparel,
  ...projects,
  ...naming,
  ...revitalization,
];

/** The fewest enterprises a demo set can have: the scenarios need room among random firms. */
export const MIN_ENTERPRISES = 300;
