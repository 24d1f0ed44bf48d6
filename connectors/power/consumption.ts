import { powerConsumption as t } from '../../db/power-view.js';
import type { RowView } from '../pipeline/columns.js';
import { SINGLE_PARTY, type SourceDefinition } from '../pipeline/source.js';
import { powerStore } from './store.js';

/**
 * 4a `power` — 供电公司 monthly consumption per electricity account (the file; the API pull feeds the
 * same definition through `ingestRecords`). Natural key (用电户号, 抄表年月); 用电量 in kWh (千瓦时).
 * 统一社会信用代码 is often empty: the account is then linked by 户名. One enterprise may hold several accounts.
 */
export const powerSource: SourceDefinition = {
  name: 'power',
  title: '供电公司 月度用电量 (monthly consumption)',
  readBy: 'power',
  columns: [
    { key: 'accountNo', header: '用电户号', required: true },
    { key: 'name', header: '户名', required: true },
    // Often empty, and an API record may leave it out altogether.
    { key: 'ident', header: '统一社会信用代码' },
    { key: 'month', header: '抄表年月', required: true },
    { key: 'kwh', header: '用电量(千瓦时)', required: true },
  ],
  table: 'power_consumption',
  store: powerStore,
  keyColumns: [t.accountNo.name, t.month.name],
  valueColumns: [t.accountNo.name, t.month.name, t.kwh.name],
  keySql: (p) => `${p}account_no || '|' || to_char(${p}month, 'YYYY-MM')`,
  keyLabel: '用电户号 and 抄表年月',
  parties: [SINGLE_PARTY],
  parse(row: RowView) {
    const accountNo = row.required('accountNo') ?? '';
    const month = row.month('month', true);
    return {
      key: `${accountNo}|${month?.slice(0, 7)}`,
      parties: [row.party('ident', 'name')],
      values: {
        [t.accountNo.name]: accountNo,
        [t.month.name]: month,
        [t.kwh.name]: row.quantity('kwh', true),
      },
    };
  },
};
