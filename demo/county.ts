/**
 * The shape of 汶上县 for the demo: its fifteen towns, the industry clusters the county policy
 * names (工程机械配件, 汽车零部件, 精细化工, 纺织服装, 石材, 新能源, 新材料, 医药) and the
 * non-industrial firms around them. Figures are plausible orders of magnitude, not statistics.
 */
export const TOWNS = [
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
] as const;

/** Industry sits mostly in the sub-districts and the economic development zone (南站街道). */
export const TOWN_WEIGHTS: ReadonlyArray<readonly [string, number]> = [
  ['中都街道', 14],
  ['汶上街道', 16],
  ['南站街道', 18],
  ['南旺镇', 6],
  ['次邱镇', 5],
  ['寅寺镇', 4],
  ['郭楼镇', 4],
  ['康驿镇', 5],
  ['苑庄镇', 4],
  ['义桥镇', 5],
  ['郭仓镇', 4],
  ['白石镇', 5],
  ['杨店镇', 4],
  ['刘楼镇', 3],
  ['军屯乡', 3],
];

export const isSubDistrict = (town: string): boolean => town.endsWith('街道');

export const ROADS = [
  '中都大街',
  '圣泽大街',
  '宁民路',
  '泉河路',
  '汶河大道',
  '翔宇路',
  '政通路',
  '兴业路',
  '开发区大道',
  '工业园路',
  '创业路',
  '科技路',
  '昌盛路',
  '东环路',
  '西环路',
  '北外环路',
  '金桥路',
  '和平路',
] as const;

export type SectorKey =
  | 'machinery'
  | 'auto'
  | 'chemical'
  | 'apparel'
  | 'textile'
  | 'stone'
  | 'newEnergy'
  | 'power'
  | 'newMaterial'
  | 'medicine'
  | 'food'
  | 'metal'
  | 'mining'
  | 'trade'
  | 'logistics'
  | 'software'
  | 'business'
  | 'research';

/** A kind of firm: its industry codes, the words in its names, and how its figures scale. */
export interface Sector {
  key: SectorKey;
  /** GB/T 4754-2017 codes with weights */
  codes: ReadonlyArray<readonly [string, number]>;
  /** words between the trade name and the legal form: 汶上县<字号><word>有限公司 */
  words: readonly string[];
  /** share of all registered firms */
  weight: number;
  /** industry section B, C or D: evaluated (B, C) or at least metered (D) */
  industrial: boolean;
  /** median 营业收入 (元) and log-spread */
  revenueMedian: number;
  revenueSigma: number;
  /** total tax paid as a share of revenue */
  taxRate: number;
  /** kWh per 元 of revenue */
  kwhPerYuan: number;
  /** revenue (元) per employee */
  revenuePerEmployee: number;
  /** R&D expense as a share of revenue, for firms that report any */
  rdShare: number;
  /** pays 环境保护税 */
  emits: boolean;
}

const s = (sector: Sector): Sector => sector;

export const SECTORS: readonly Sector[] = [
  s({
    key: 'machinery',
    codes: [
      ['C3514', 4],
      ['C3511', 3],
      ['C3431', 2],
      ['C3444', 2],
      ['C3484', 3],
    ],
    words: ['机械', '重工机械', '液压科技', '精工机械', '机械制造', '工程机械配件', '机电设备'],
    weight: 15,
    industrial: true,
    revenueMedian: 14e6,
    revenueSigma: 1.45,
    taxRate: 0.035,
    kwhPerYuan: 0.07,
    revenuePerEmployee: 800e3,
    rdShare: 0.03,
    emits: false,
  }),
  s({
    key: 'auto',
    codes: [['C3670', 1]],
    words: ['汽车零部件', '汽车配件', '车桥', '汽车部件'],
    weight: 7,
    industrial: true,
    revenueMedian: 16e6,
    revenueSigma: 1.45,
    taxRate: 0.035,
    kwhPerYuan: 0.06,
    revenuePerEmployee: 900e3,
    rdShare: 0.03,
    emits: false,
  }),
  s({
    key: 'chemical',
    codes: [
      ['C2661', 4],
      ['C2662', 2],
      ['C2614', 2],
      ['C2641', 1],
    ],
    words: ['化工', '精细化工', '化学', '化工科技'],
    weight: 5,
    industrial: true,
    revenueMedian: 20e6,
    revenueSigma: 1.4,
    taxRate: 0.05,
    kwhPerYuan: 0.28,
    revenuePerEmployee: 1500e3,
    rdShare: 0.025,
    emits: true,
  }),
  s({
    key: 'apparel',
    codes: [
      ['C1810', 6],
      ['C1820', 3],
      ['C1830', 1],
    ],
    words: ['服饰', '服装', '制衣', '时装'],
    weight: 10,
    industrial: true,
    revenueMedian: 9e6,
    revenueSigma: 1.2,
    taxRate: 0.025,
    kwhPerYuan: 0.02,
    revenuePerEmployee: 220e3,
    rdShare: 0.01,
    emits: false,
  }),
  s({
    key: 'textile',
    codes: [
      ['C1711', 2],
      ['C1713', 1],
      ['C1752', 1],
    ],
    words: ['纺织', '棉纺', '织造'],
    weight: 3,
    industrial: true,
    revenueMedian: 12e6,
    revenueSigma: 1.2,
    taxRate: 0.025,
    kwhPerYuan: 0.09,
    revenuePerEmployee: 350e3,
    rdShare: 0.01,
    emits: true,
  }),
  s({
    key: 'stone',
    codes: [['C3032', 1]],
    words: ['石材', '石业', '石材加工'],
    weight: 4,
    industrial: true,
    revenueMedian: 7e6,
    revenueSigma: 1.1,
    taxRate: 0.04,
    kwhPerYuan: 0.16,
    revenuePerEmployee: 500e3,
    rdShare: 0.005,
    emits: true,
  }),
  s({
    key: 'newEnergy',
    codes: [
      ['C3825', 2],
      ['C3841', 1],
    ],
    words: ['新能源科技', '光伏科技', '能源科技'],
    weight: 2,
    industrial: true,
    revenueMedian: 25e6,
    revenueSigma: 1.4,
    taxRate: 0.03,
    kwhPerYuan: 0.08,
    revenuePerEmployee: 1200e3,
    rdShare: 0.035,
    emits: false,
  }),
  s({
    key: 'power',
    codes: [
      ['D4415', 1],
      ['D4416', 2],
    ],
    words: ['风电', '光伏发电', '新能源发电'],
    weight: 1,
    industrial: true,
    revenueMedian: 15e6,
    revenueSigma: 1.0,
    taxRate: 0.06,
    kwhPerYuan: 0.01,
    revenuePerEmployee: 3000e3,
    rdShare: 0,
    emits: false,
  }),
  s({
    key: 'newMaterial',
    codes: [
      ['C3985', 1],
      ['C2651', 1],
    ],
    words: ['新材料科技', '新材料', '高分子材料'],
    weight: 2.5,
    industrial: true,
    revenueMedian: 22e6,
    revenueSigma: 1.4,
    taxRate: 0.04,
    kwhPerYuan: 0.2,
    revenuePerEmployee: 1300e3,
    rdShare: 0.04,
    emits: true,
  }),
  s({
    key: 'medicine',
    codes: [
      ['C2710', 1],
      ['C2720', 2],
      ['C2740', 2],
      ['C2750', 1],
    ],
    words: ['药业', '制药', '生物科技'],
    weight: 1.5,
    industrial: true,
    revenueMedian: 25e6,
    revenueSigma: 1.3,
    taxRate: 0.05,
    kwhPerYuan: 0.08,
    revenuePerEmployee: 1000e3,
    rdShare: 0.05,
    emits: true,
  }),
  s({
    key: 'food',
    codes: [
      ['C1310', 2],
      ['C1391', 1],
      ['C1432', 1],
    ],
    words: ['食品', '面业', '粮油', '农产品加工'],
    weight: 4,
    industrial: true,
    revenueMedian: 10e6,
    revenueSigma: 1.2,
    taxRate: 0.02,
    kwhPerYuan: 0.05,
    revenuePerEmployee: 700e3,
    rdShare: 0.005,
    emits: false,
  }),
  s({
    key: 'metal',
    codes: [
      ['C3311', 2],
      ['C3399', 1],
      ['C2929', 1],
    ],
    words: ['钢结构', '金属制品', '塑业', '五金制品'],
    weight: 5,
    industrial: true,
    revenueMedian: 8e6,
    revenueSigma: 1.2,
    taxRate: 0.03,
    kwhPerYuan: 0.09,
    revenuePerEmployee: 700e3,
    rdShare: 0.01,
    emits: false,
  }),
  s({
    key: 'mining',
    codes: [['B1019', 1]],
    words: ['矿业', '砂石'],
    weight: 0.8,
    industrial: true,
    revenueMedian: 8e6,
    revenueSigma: 1.0,
    taxRate: 0.06,
    kwhPerYuan: 0.12,
    revenuePerEmployee: 800e3,
    rdShare: 0,
    emits: true,
  }),
  s({
    key: 'trade',
    codes: [
      ['F5165', 2],
      ['F5211', 1],
      ['F5174', 1],
      ['F5261', 1],
    ],
    words: ['商贸', '贸易', '建材', '物资'],
    weight: 20,
    industrial: false,
    revenueMedian: 4e6,
    revenueSigma: 1.2,
    taxRate: 0.012,
    kwhPerYuan: 0.01,
    revenuePerEmployee: 1500e3,
    rdShare: 0,
    emits: false,
  }),
  s({
    key: 'logistics',
    codes: [
      ['G5430', 3],
      ['G5960', 1],
    ],
    words: ['物流', '运输', '仓储'],
    weight: 5,
    industrial: false,
    revenueMedian: 5e6,
    revenueSigma: 1.1,
    taxRate: 0.02,
    kwhPerYuan: 0.01,
    revenuePerEmployee: 600e3,
    rdShare: 0,
    emits: false,
  }),
  s({
    key: 'software',
    codes: [
      ['I6513', 3],
      ['I6511', 1],
      ['I6531', 2],
    ],
    words: ['软件', '信息技术', '网络科技', '数字科技'],
    weight: 3,
    industrial: false,
    revenueMedian: 5e6,
    revenueSigma: 1.0,
    taxRate: 0.05,
    kwhPerYuan: 0.005,
    revenuePerEmployee: 400e3,
    rdShare: 0.12,
    emits: false,
  }),
  s({
    key: 'business',
    codes: [
      ['L7212', 2],
      ['L7219', 1],
      ['L7259', 1],
    ],
    words: ['投资', '企业管理', '广告传媒', '商务服务'],
    weight: 4,
    industrial: false,
    revenueMedian: 3e6,
    revenueSigma: 1.0,
    taxRate: 0.05,
    kwhPerYuan: 0.005,
    revenuePerEmployee: 500e3,
    rdShare: 0,
    emits: false,
  }),
  s({
    key: 'research',
    codes: [
      ['M7320', 1],
      ['M7491', 1],
      ['M7452', 1],
    ],
    words: ['科技', '检测技术', '工业设计'],
    weight: 3,
    industrial: false,
    revenueMedian: 3e6,
    revenueSigma: 1.0,
    taxRate: 0.04,
    kwhPerYuan: 0.01,
    revenuePerEmployee: 400e3,
    rdShare: 0.08,
    emits: false,
  }),
];

export const sectorByKey = (key: SectorKey): Sector => SECTORS.find((x) => x.key === key)!;

/** The GB/T 4754 division of a code: its letter and two digits. */
export const divisionOf = (code: string): string => code.slice(0, 3);

export const LEGAL_FORMS: ReadonlyArray<readonly [string, number]> = [
  ['有限责任公司(自然人投资或控股)', 60],
  ['有限责任公司(自然人独资)', 18],
  ['有限责任公司(非自然人投资或控股的法人独资)', 8],
  ['股份有限公司(非上市、自然人投资或控股)', 5],
  ['其他有限责任公司', 6],
  ['个人独资企业', 3],
];

export type Status = '存续' | '在业' | '迁出' | '吊销' | '注销';
export const STATUS_WEIGHTS: ReadonlyArray<readonly [Status, number]> = [
  ['存续', 68],
  ['在业', 24],
  ['迁出', 2],
  ['吊销', 3],
  ['注销', 3],
];
export const isActiveStatus = (status: string): boolean => status === '存续' || status === '在业';

/** The years the demo covers: annual returns, tax payments and meter readings. */
export const YEARS = [2022, 2023, 2024, 2025] as const;
export const FIRST_YEAR = 2022;
export const LAST_YEAR = 2025;

/** 汶上县's administrative division code, characters 3–8 of a local USCC. */
export const REGION_CODE = '370830';
/** A neighbouring county (嘉祥县): firms registered there are not in the county's register. */
export const NEIGHBOUR_REGION_CODE = '370829';

export const PENALTY_TYPES: ReadonlyArray<readonly [string, number]> = [
  ['产品质量', 5],
  ['无照经营', 3],
  ['侵犯知识产权', 2],
  ['虚假宣传', 2],
  ['计量违法', 2],
  ['特种设备安全', 2],
  ['价格违法', 1],
  ['食品安全', 1],
];
