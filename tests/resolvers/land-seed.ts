import { CountySeed } from '../support/seed.js';

/*
 * A county built so that every boundary of the land revitalization rules of 2024 is met by hand.
 *
 * Grades (规下: 亩均税收 alone, weight 100; n = 40 members in 2023 and in 2024, each holding 15 亩:
 * A = positions 1–8, B = 9–24, C = 25–38, D = 39–40). 36 fillers F1…F36 pay 1,010,000 + i × 10,000 元
 * in 2024 and the reverse order in 2023, 1,010,000 + (37 − i) × 10,000 (so that no filler is C twice),
 * and draw 1,000 kWh in 2024-06.
 *   2024: 17 fillers (F20…F36) > CB (1,200,005) → CB 18th: B; F19…F2 (F13…F2 are C), then CC (1,025,000)
 *         37th: C, F1 38th: C, DP (1,000 元) 39th: D, DI (no tax) 40th: D
 *   2023: DP, DI (5,000,000) 1st–2nd: A; F1…F32 (F23…F32 are C) > CB (1,055,000) → CB 35th: C; F33,
 *         then CC (1,045,000) 37th: C; F34 38th: C; F35, F36: D
 *   → low efficiency in 2024: DP (A then D), DI (A then D), CC (C then C); not CB (C then B), not F35/F36
 *     (D then A), not F1 (A then C).
 * Idle (1.5 亩 = 1,000 m² each: below the 3 亩 of the 规下 population, so not graded), active, established 2010:
 *   K0 0 kWh and no tax → idle; KN nothing at all (在业) → idle; K1 1 kWh → not; TM1 tax −1 → idle;
 *   T0 tax 0 → idle; T1 tax 1 → not; E0101 established 2024-01-01 → idle; E0102 established 2024-01-02 → not.
 *   DI (no kWh, no tax, 15 亩) is idle as well: two categories.
 * Deregistered: R1 注销 whose parcel ends 2024-12-31 (still held that day) → case; R2 吊销 with 3 亩 → case;
 *   R3 注销 whose parcel ends 2024-12-30 → no land on Dec 31, no case; R4 迁出 with 0.75 亩, no town → case.
 * Lease: LR (注销) holds 1.5 亩 and leases all of it to LE for 2024 → LR's land in use is 0, no case;
 *   LE (存续, nothing paid or drawn) uses 1.5 亩 through the lease → idle.
 *
 * Cases of 2024 (12, 72.75 亩), largest land first then USCC: DP, DI, CC, R1 (15 亩), R2 (3), LE, K0, KN,
 * TM1, T0, E0101 (1.5), R4 (0.75).
 */
export const id = (n: number) => `9137083000000${String(n).padStart(4, '0')}X`;

export const L = {
  DP: id(1),
  DI: id(2),
  CC: id(3),
  CB: id(4),
  R1: id(11),
  R2: id(12),
  R3: id(13),
  R4: id(14),
  LR: id(15),
  LE: id(16),
  K0: id(21),
  KN: id(22),
  K1: id(23),
  TM1: id(24),
  T0: id(25),
  T1: id(26),
  E0101: id(27),
  E0102: id(28),
} as const;

export const filler = (i: number) => id(100 + i);

/** The county above, for the year 2024 (and 2023 for the grades of the year before). */
export function landCounty(): { seed: CountySeed; leasedUnit: string } {
  const s = new CountySeed();
  for (let i = 1; i <= 36; i++) {
    const u = filler(i);
    s.enterprise(u, `填充企业${i}`).parcel(u, 15, '2015-01-01');
    s.tax(u, 2023, 1_010_000 + (37 - i) * 10_000).tax(u, 2024, 1_010_000 + i * 10_000);
    s.reading(u, `PF${i}`, '2024-06', 1_000);
  }
  // one annual return per year: a year's data counts as in when returns are loaded too
  s.annualReturn(filler(36), 2023, { revenue: 5_000_000, employees: 50, rd: 0 });
  s.annualReturn(filler(36), 2024, { revenue: 5_000_000, employees: 50, rd: 0 });

  s.enterprise(L.DP, '低效甲机械有限公司', { town: '南旺镇' }).parcel(L.DP, 15, '2015-01-01');
  s.tax(L.DP, 2023, 5_000_000).tax(L.DP, 2024, 1_000).reading(L.DP, 'PDP', '2024-03', 500);
  s.enterprise(L.DI, '停产乙纺织有限公司', { town: '南旺镇' }).parcel(L.DI, 15, '2015-01-01');
  s.tax(L.DI, 2023, 5_000_000);
  s.enterprise(L.CC, '连续丙化工有限公司', { town: '寅寺镇' }).parcel(L.CC, 15, '2015-01-01');
  s.tax(L.CC, 2023, 1_045_000).tax(L.CC, 2024, 1_025_000);
  s.enterprise(L.CB, '回升丁建材有限公司', { town: '寅寺镇' }).parcel(L.CB, 15, '2015-01-01');
  s.tax(L.CB, 2023, 1_055_000).tax(L.CB, 2024, 1_200_005);

  s.enterprise(L.R1, '已注销戊铸造有限公司', { status: '注销', town: '寅寺镇' });
  s.parcel(L.R1, 15, '2012-01-01', '2024-12-31');
  s.enterprise(L.R2, '已吊销己食品有限公司', { status: '吊销' }).parcel(L.R2, 3, '2012-01-01');
  s.enterprise(L.R3, '已注销庚塑料有限公司', { status: '注销' });
  s.parcel(L.R3, 15, '2012-01-01', '2024-12-30');
  s.enterprise(L.R4, '已迁出辛包装有限公司', { status: '迁出', town: null }).parcel(
    L.R4,
    0.75,
    '2012-01-01',
  );

  s.enterprise(L.LR, '出租壬木业有限公司', { status: '注销' }).parcel(L.LR, 1.5, '2012-01-01');
  const leasedUnit = s.lastUnitNo;
  s.enterprise(L.LE, '承租癸电子有限公司');
  s.lease(L.LR, L.LE, leasedUnit, 1.5, '2024-01-01', '2024-12-31');

  const small = (u: string, name: string, extra = {}) =>
    s.enterprise(u, name, extra).parcel(u, 1.5, '2012-01-01');
  small(L.K0, '零电量企业').reading(L.K0, 'PK0', '2024-05', 0);
  small(L.KN, '无记录企业', { status: '在业' });
  small(L.K1, '一度电企业').reading(L.K1, 'PK1', '2024-05', 1);
  small(L.TM1, '退税企业').tax(L.TM1, 2024, -1);
  small(L.T0, '零税企业').tax(L.T0, 2024, 0);
  small(L.T1, '一元税企业').tax(L.T1, 2024, 1);
  small(L.E0101, '年初成立企业', { establishedOn: '2024-01-01' });
  small(L.E0102, '次日成立企业', { establishedOn: '2024-01-02' });
  return { seed: s, leasedUnit };
}

/** The 2024 cases in list order, with their land (亩) and categories. */
export const EXPECTED_2024: [string, number, string[]][] = [
  [L.DP, 15, ['LOW_EFFICIENCY']],
  [L.DI, 15, ['SUSPECTED_IDLE', 'LOW_EFFICIENCY']],
  [L.CC, 15, ['LOW_EFFICIENCY']],
  [L.R1, 15, ['DEREGISTERED_HOLDER']],
  [L.R2, 3, ['DEREGISTERED_HOLDER']],
  [L.LE, 1.5, ['SUSPECTED_IDLE']],
  [L.K0, 1.5, ['SUSPECTED_IDLE']],
  [L.KN, 1.5, ['SUSPECTED_IDLE']],
  [L.TM1, 1.5, ['SUSPECTED_IDLE']],
  [L.T0, 1.5, ['SUSPECTED_IDLE']],
  [L.E0101, 1.5, ['SUSPECTED_IDLE']],
  [L.R4, 0.75, ['DEREGISTERED_HOLDER']],
];
