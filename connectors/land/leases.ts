import { landLeases as t } from '../../db/land.js';
import type { Party, RowView } from '../pipeline/columns.js';
import type { PartyColumns, SourceDefinition } from '../pipeline/source.js';

const partyColumns = (party: Exclude<Party, ''>): PartyColumns => ({
  party,
  rawIdentifier: `${party}_identifier`,
  rawName: `${party}_name`,
  nameNorm: `${party}_name_norm`,
  uscc: `${party}_uscc`,
  matchMethod: `${party}_match_method`,
  matchReason: `${party}_match_reason`,
  matchCandidates: `${party}_match_candidates`,
});

/**
 * 3b `land-leases` — filed leases of industrial land or buildings. Natural key 备案编号. Two parties,
 * 出租方 (lessor) and 承租方 (lessee), each resolved on its own; each must carry a name or an identifier
 * (else the row is quarantined). A lease counts as unmatched in its batch when either party resolves to
 * no enterprise or to several; each such party is listed as its own unmatched record
 * (`land-leases:<备案编号>#lessor` / `#lessee`), and the party that did resolve counts for its enterprise.
 * 租赁面积 in m²; 起始日期 and 终止日期 both inclusive.
 */
export const landLeasesSource: SourceDefinition = {
  name: 'land-leases',
  title: '自然资源和规划局 租赁备案 (filed leases)',
  readBy: 'natural-resources',
  columns: [
    { key: 'filingNo', header: '备案编号', required: true },
    { key: 'lessorName', header: '出租方', required: true },
    { key: 'lessorIdent', header: '出租方证件号', required: true },
    { key: 'lesseeName', header: '承租方', required: true },
    { key: 'lesseeIdent', header: '承租方证件号', required: true },
    { key: 'unitNo', header: '不动产单元号' },
    { key: 'area', header: '租赁面积(平方米)', required: true },
    { key: 'startsOn', header: '起始日期', required: true },
    { key: 'endsOn', header: '终止日期', required: true },
  ],
  table: 'land_leases',
  keyColumns: [t.filingNo.name],
  valueColumns: [t.filingNo.name, t.unitNo.name, t.areaM2.name, t.startsOn.name, t.endsOn.name],
  keySql: (p) => `${p}filing_no`,
  keyLabel: '备案编号',
  parties: [partyColumns('lessor'), partyColumns('lessee')],
  parse(row: RowView) {
    const filingNo = row.required('filingNo') ?? '';
    const startsOn = row.date('startsOn', true);
    const endsOn = row.date('endsOn', true);
    if (startsOn && endsOn && endsOn < startsOn)
      row.reasons.push(`终止日期 ${endsOn} 早于起始日期 ${startsOn}`);
    return {
      key: filingNo,
      parties: [
        row.party('lessorIdent', 'lessorName', 'lessor'),
        row.party('lesseeIdent', 'lesseeName', 'lessee'),
      ],
      values: {
        [t.filingNo.name]: filingNo,
        [t.unitNo.name]: row.optional('unitNo'),
        [t.areaM2.name]: row.quantity('area', true),
        [t.startsOn.name]: startsOn,
        [t.endsOn.name]: endsOn,
      },
    };
  },
};
