import { date, index, pgTable, primaryKey, text, varchar } from 'drizzle-orm/pg-core';
import { linkColumns, provenanceColumns, squareMetres } from './common.js';

/**
 * 不动产登记 land-use rights (docs/sources.md 3a). Natural key: (不动产单元号, 登记日期);
 * a parcel that changes holder appears again with a new 登记日期.
 */
export const landParcels = pgTable(
  'land_parcels',
  {
    /** 不动产单元号 */
    unitNo: text('unit_no').notNull(),
    /** 登记日期: held from this day */
    registeredOn: date('registered_on').notNull(),
    /** 权利人 (rawName) and 权利人证件号 (rawIdentifier) */
    ...linkColumns(),
    /** 坐落 */
    location: text('location'),
    /** 所属乡镇 */
    town: text('town'),
    /** 用途: 工业用地, 仓储用地, 商服用地 … */
    landUse: text('land_use'),
    /** 权利性质: 出让, 划拨 … */
    rightType: text('right_type'),
    /** 宗地面积 (m²) */
    areaM2: squareMetres('area_m2').notNull(),
    /** 注销日期: the last day the right was held; null while held */
    cancelledOn: date('cancelled_on'),
    ...provenanceColumns(),
  },
  (t) => [
    primaryKey({ columns: [t.unitNo, t.registeredOn] }),
    index('land_parcels_uscc_idx').on(t.uscc),
  ],
);

/** 租赁备案 leases of industrial land or buildings (docs/sources.md 3b). Natural key: 备案编号. */
export const landLeases = pgTable(
  'land_leases',
  {
    /** 备案编号 */
    filingNo: text('filing_no').primaryKey(),
    /** 出租方 as delivered and resolved */
    lessorName: text('lessor_name'),
    lessorIdentifier: varchar('lessor_identifier', { length: 32 }),
    lessorNameNorm: text('lessor_name_norm'),
    lessorUscc: varchar('lessor_uscc', { length: 18 }),
    lessorMatchMethod: varchar('lessor_match_method', { length: 16 }),
    lessorMatchReason: text('lessor_match_reason'),
    lessorMatchCandidates: text('lessor_match_candidates').array(),
    /** 承租方 as delivered and resolved */
    lesseeName: text('lessee_name'),
    lesseeIdentifier: varchar('lessee_identifier', { length: 32 }),
    lesseeNameNorm: text('lessee_name_norm'),
    lesseeUscc: varchar('lessee_uscc', { length: 18 }),
    lesseeMatchMethod: varchar('lessee_match_method', { length: 16 }),
    lesseeMatchReason: text('lessee_match_reason'),
    lesseeMatchCandidates: text('lessee_match_candidates').array(),
    /** 不动产单元号 of the leased parcel */
    unitNo: text('unit_no'),
    /** 租赁面积 (m²) */
    areaM2: squareMetres('area_m2').notNull(),
    /** 起始日期 / 终止日期, both inclusive */
    startsOn: date('starts_on').notNull(),
    endsOn: date('ends_on').notNull(),
    ...provenanceColumns(),
  },
  (t) => [
    index('land_leases_lessor_idx').on(t.lessorUscc),
    index('land_leases_lessee_idx').on(t.lesseeUscc),
  ],
);
