import { taxAnnual as t } from '../../db/tax.js';
import type { RowView } from '../pipeline/columns.js';
import { SINGLE_PARTY, type SourceDefinition } from '../pipeline/source.js';

/**
 * 2b `tax-annual` — annual figures from the enterprise income-tax return. Natural key (enterprise, 年度),
 * the enterprise as delivered: its identifier, or its normalised name when it has none. Amounts in 元;
 * an empty 软件业务收入 is 0 (docs/sources.md), other empty figures stay unknown (null).
 */
export const taxAnnualSource: SourceDefinition = {
  name: 'tax-annual',
  title: '税务局 企业所得税年度申报 (annual return figures)',
  readBy: 'tax',
  columns: [
    { key: 'ident', header: '纳税人识别号', required: true },
    { key: 'name', header: '纳税人名称', required: true },
    { key: 'year', header: '年度', required: true },
    { key: 'revenue', header: '营业收入(元)', money: true, required: true },
    { key: 'softwareRevenue', header: '软件业务收入(元)', money: true },
    { key: 'rdExpense', header: '研发费用(元)', money: true },
    { key: 'employees', header: '年平均从业人数' },
  ],
  table: 'tax_annual',
  keyColumns: [t.identityKey.name, t.year.name],
  valueColumns: [
    t.identityKey.name,
    t.year.name,
    t.revenueYuan.name,
    t.softwareRevenueYuan.name,
    t.rdExpenseYuan.name,
    t.employees.name,
  ],
  keySql: (p) => `${p}identity_key || '|' || ${p}year`,
  keyLabel: '纳税人 and 年度',
  parties: [SINGLE_PARTY],
  parse(row: RowView) {
    const party = row.party('ident', 'name');
    const identityKey = party.ident || party.nameNorm;
    const year = row.year('year', true);
    return {
      key: `${identityKey}|${year}`,
      parties: [party],
      values: {
        [t.identityKey.name]: identityKey,
        [t.year.name]: year,
        [t.revenueYuan.name]: row.money('revenue'),
        [t.softwareRevenueYuan.name]: row.money('softwareRevenue') ?? '0',
        [t.rdExpenseYuan.name]: row.money('rdExpense'),
        [t.employees.name]: row.count('employees'),
      },
    };
  },
};
