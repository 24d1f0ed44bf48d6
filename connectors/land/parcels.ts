import { landParcels as t } from '../../db/land.js';
import type { RowView } from '../pipeline/columns.js';
import { SINGLE_PARTY, type SourceDefinition } from '../pipeline/source.js';

/**
 * 3a `land-parcels` — 自然资源和规划局 不动产登记 land-use rights. Natural key (不动产单元号, 登记日期): a
 * parcel that changes holder appears again with a new 登记日期. 宗地面积 in m² (平方米).
 */
export const landParcelsSource: SourceDefinition = {
  name: 'land-parcels',
  title: '自然资源和规划局 不动产登记 (land-use rights)',
  readBy: 'natural-resources',
  columns: [
    { key: 'unitNo', header: '不动产单元号', required: true },
    { key: 'name', header: '权利人', required: true },
    { key: 'ident', header: '权利人证件号', required: true },
    { key: 'location', header: '坐落' },
    { key: 'town', header: '所属乡镇' },
    { key: 'landUse', header: '用途' },
    { key: 'rightType', header: '权利性质' },
    { key: 'area', header: '宗地面积(平方米)', required: true },
    { key: 'registeredOn', header: '登记日期', required: true },
    { key: 'cancelledOn', header: '注销日期' },
  ],
  table: 'land_parcels',
  keyColumns: [t.unitNo.name, t.registeredOn.name],
  valueColumns: [
    t.unitNo.name,
    t.registeredOn.name,
    t.location.name,
    t.town.name,
    t.landUse.name,
    t.rightType.name,
    t.areaM2.name,
    t.cancelledOn.name,
  ],
  keySql: (p) => `${p}unit_no || '|' || to_char(${p}registered_on, 'YYYY-MM-DD')`,
  keyLabel: '不动产单元号 and 登记日期',
  parties: [SINGLE_PARTY],
  parse(row: RowView) {
    const unitNo = row.required('unitNo') ?? '';
    const registeredOn = row.date('registeredOn', true);
    const cancelledOn = row.date('cancelledOn');
    if (registeredOn && cancelledOn && cancelledOn < registeredOn) {
      row.reasons.push(`注销日期 ${cancelledOn} 早于登记日期 ${registeredOn}`);
    }
    return {
      key: `${unitNo}|${registeredOn}`,
      parties: [row.party('ident', 'name')],
      values: {
        [t.unitNo.name]: unitNo,
        [t.registeredOn.name]: registeredOn,
        [t.location.name]: row.optional('location'),
        [t.town.name]: row.optional('town'),
        [t.landUse.name]: row.optional('landUse'),
        [t.rightType.name]: row.optional('rightType'),
        [t.areaM2.name]: row.quantity('area', true),
        [t.cancelledOn.name]: cancelledOn,
      },
    };
  },
};
