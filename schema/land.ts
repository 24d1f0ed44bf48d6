import { DECIMALS } from '../lib/decimals.js';
import { muFromSquareMetres } from '../lib/units.js';
import type { LandInUse } from '../resolvers/profile.js';
import { builder, REFUSED } from './builder.js';
import { Enterprise } from './enterprise.js';
import { PROVENANCE_COLUMNS, Provenance, provenanceOf } from './provenance.js';

/** 自然资源和规划局 detail: land-use rights and filed leases. */
const naturalResources = { department: 'natural-resources' } as const;

export const LandParcel = builder.drizzleObject('landParcels', {
  name: 'LandParcel',
  description:
    '土地使用权: one registered land-use right (不动产登记); a parcel that changes holder appears again with a new 登记日期.',
  authScopes: naturalResources,
  // A list loads the columns its fields ask for, and always the holder (the audit names it).
  select: { columns: { uscc: true } },
  fields: (t) => ({
    unitNo: t.exposeString('unitNo', { description: '不动产单元号: real-estate unit number' }),
    registeredOn: t.field({
      type: 'Date',
      description: '登记日期: the holder holds the parcel from this day',
      select: { columns: { registeredOn: true } },
      resolve: (p) => p.registeredOn,
    }),
    cancelledOn: t.field({
      type: 'Date',
      nullable: true,
      description: '注销日期: the last day the right was held; null while held',
      select: { columns: { cancelledOn: true } },
      resolve: (p) => p.cancelledOn,
    }),
    holderName: t.exposeString('rawName', {
      nullable: true,
      description: '权利人: holder name as registered',
    }),
    location: t.exposeString('location', { nullable: true, description: '坐落: location' }),
    town: t.exposeString('town', { nullable: true, description: '所属乡镇: town of the parcel' }),
    landUse: t.exposeString('landUse', {
      nullable: true,
      description: '用途: land use, e.g. 工业用地',
    }),
    rightType: t.exposeString('rightType', {
      nullable: true,
      description: '权利性质: e.g. 出让, 划拨',
    }),
    areaM2: t.float({
      decimals: DECIMALS.m2,
      description: '宗地面积 in 平方米 (m²)',
      select: { columns: { areaM2: true } },
      resolve: (p) => Number(p.areaM2),
    }),
    areaMu: t.float({
      decimals: DECIMALS.landMu,
      description: '宗地面积 in 亩 (m² ÷ 10000/15)',
      select: { columns: { areaM2: true } },
      resolve: (p) => muFromSquareMetres(p.areaM2)!,
    }),
    provenance: t.field({
      type: Provenance,
      description: '数据来源: batch, file row and how the holder was linked',
      select: { columns: PROVENANCE_COLUMNS },
      resolve: (p) => provenanceOf('land-parcels', p),
    }),
  }),
});

export const LandLease = builder.drizzleObject('landLeases', {
  name: 'LandLease',
  description: '租赁备案: a filed lease of industrial land or buildings between two enterprises.',
  authScopes: naturalResources,
  // A list loads the columns its fields ask for, and always both parties (the audit names them).
  select: { columns: { lessorUscc: true, lesseeUscc: true } },
  fields: (t) => ({
    filingNo: t.exposeString('filingNo', {
      description: '备案编号: filing number (the natural key)',
    }),
    lessorName: t.exposeString('lessorName', {
      nullable: true,
      description: '出租方: lessor name as filed',
    }),
    lessorUscc: t.exposeString('lessorUscc', {
      nullable: true,
      description: '出租方统一社会信用代码 as resolved; null while unmatched',
    }),
    lessorMatchMethod: t.exposeString('lessorMatchMethod', {
      nullable: true,
      description: '出租方关联方式: uscc, legacy, name, former_name or manual',
    }),
    lessor: t.relation('lessor', {
      nullable: true,
      description: '出租方: the lessor enterprise; null while unmatched',
    }),
    lesseeName: t.exposeString('lesseeName', {
      nullable: true,
      description: '承租方: lessee name as filed',
    }),
    lesseeUscc: t.exposeString('lesseeUscc', {
      nullable: true,
      description: '承租方统一社会信用代码 as resolved; null while unmatched',
    }),
    lesseeMatchMethod: t.exposeString('lesseeMatchMethod', {
      nullable: true,
      description: '承租方关联方式: uscc, legacy, name, former_name or manual',
    }),
    lessee: t.relation('lessee', {
      nullable: true,
      description: '承租方: the lessee enterprise; null while unmatched',
    }),
    unitNo: t.exposeString('unitNo', {
      nullable: true,
      description: '不动产单元号 of the leased parcel',
    }),
    areaM2: t.float({
      decimals: DECIMALS.m2,
      description: '租赁面积 in 平方米 (m²)',
      select: { columns: { areaM2: true } },
      resolve: (l) => Number(l.areaM2),
    }),
    areaMu: t.float({
      decimals: DECIMALS.landMu,
      description: '租赁面积 in 亩',
      select: { columns: { areaM2: true } },
      resolve: (l) => muFromSquareMetres(l.areaM2)!,
    }),
    startsOn: t.field({
      type: 'Date',
      description: '起始日期 (inclusive)',
      select: { columns: { startsOn: true } },
      resolve: (l) => l.startsOn,
    }),
    endsOn: t.field({
      type: 'Date',
      description: '终止日期 (inclusive)',
      select: { columns: { endsOn: true } },
      resolve: (l) => l.endsOn,
    }),
    provenance: t.field({
      type: Provenance,
      description: '数据来源: batch and file row; the match fields describe the lessee (承租方)',
      select: {
        columns: {
          batchId: true,
          loadedAt: true,
          sourceRow: true,
          lesseeMatchMethod: true,
          lesseeIdentifier: true,
          lesseeName: true,
        },
      },
      resolve: (l) =>
        provenanceOf('land-leases', l, {
          matchMethod: l.lesseeMatchMethod,
          rawIdentifier: l.lesseeIdentifier,
          rawName: l.lesseeName,
        }),
    }),
  }),
});

const LandInUseRef = builder.objectRef<LandInUse>('LandInUse').implement({
  description:
    '在用土地: the land an enterprise uses on a date — parcels held − area leased out + area leased in (docs/metrics.md).',
  authScopes: naturalResources,
  fields: (t) => ({
    date: t.field({
      type: 'Date',
      description: '日期: the day asked about',
      resolve: (l) => l.date,
    }),
    heldM2: t.float({
      decimals: DECIMALS.m2,
      description: '自有宗地面积 in m²: parcels held on the day',
      resolve: (l) => Number(l.heldM2),
    }),
    leasedOutM2: t.float({
      decimals: DECIMALS.m2,
      description: '出租面积 in m²: leased out, in force on the day',
      resolve: (l) => Number(l.leasedOutM2),
    }),
    leasedInM2: t.float({
      decimals: DECIMALS.m2,
      description: '承租面积 in m²: leased in, in force on the day',
      resolve: (l) => Number(l.leasedInM2),
    }),
    areaM2: t.float({
      decimals: DECIMALS.m2,
      nullable: true,
      description:
        '在用土地面积 in m²: held − leased out + leased in; null when nothing is in force',
      resolve: (l) => (l.netM2 === null ? null : Number(l.netM2)),
    }),
    areaMu: t.float({
      decimals: DECIMALS.landMu,
      nullable: true,
      description: '在用土地面积 in 亩 (m² ÷ 10000/15); null when nothing is in force',
      resolve: (l) => muFromSquareMetres(l.netM2),
    }),
    parcels: t.field({
      type: [LandParcel],
      description: '在用宗地: parcels held on the day',
      resolve: (l) => l.parcels,
    }),
    leasesIn: t.field({
      type: [LandLease],
      description: '承租: leases in force on the day where the enterprise is the lessee',
      resolve: (l) => l.leasesIn,
    }),
    leasesOut: t.field({
      type: [LandLease],
      description: '出租: leases in force on the day where the enterprise is the lessor',
      resolve: (l) => l.leasesOut,
    }),
  }),
});

builder.drizzleObjectFields(Enterprise, (t) => ({
  parcels: t.relation('parcels', {
    description: `土地使用权: every registered land-use right of the enterprise, current and past, by 不动产单元号.${REFUSED}`,
    nullable: true,
    authScopes: naturalResources,
    query: { orderBy: { unitNo: 'asc', registeredOn: 'asc' } },
  }),
  leasesOut: t.relation('leasesOut', {
    description: `出租备案: filed leases where the enterprise is the lessor (出租方), newest first.${REFUSED}`,
    nullable: true,
    authScopes: naturalResources,
    query: { orderBy: { startsOn: 'desc', filingNo: 'asc' } },
  }),
  leasesIn: t.relation('leasesIn', {
    description: `承租备案: filed leases where the enterprise is the lessee (承租方), newest first.${REFUSED}`,
    nullable: true,
    authScopes: naturalResources,
    query: { orderBy: { startsOn: 'desc', filingNo: 'asc' } },
  }),
  landInUse: t.field({
    type: LandInUseRef,
    description: `在用土地: what is in force on \`date\` (default: today) and the m² and 亩 arithmetic.${REFUSED}`,
    nullable: true,
    authScopes: naturalResources,
    args: {
      date: t.arg({
        type: 'Date',
        required: false,
        description: '日期 (YYYY-MM-DD); default today',
      }),
    },
    resolve: (e, args, ctx) =>
      ctx.loaders.landInUse.load(`${e.uscc}|${args.date ?? new Date().toISOString().slice(0, 10)}`),
  }),
}));
