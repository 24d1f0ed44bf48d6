import { taxPayments as t } from '../../db/tax.js';
import type { RowView } from '../pipeline/columns.js';
import { SINGLE_PARTY, type SourceDefinition } from '../pipeline/source.js';

/**
 * 2a `tax-payments` — 税务局 实缴税款 per month and tax type. Natural key 税票号码 (an enterprise may pay
 * the same tax type several times a month). 实缴金额 in 元, negative for a refund (退税).
 * 纳税人识别号 is a USCC or a legacy 15-character tax registration number.
 */
export const taxPaymentsSource: SourceDefinition = {
  name: 'tax-payments',
  title: '税务局 实缴税款 (taxes paid)',
  readBy: 'tax',
  columns: [
    { key: 'receiptNo', header: '税票号码', required: true },
    { key: 'ident', header: '纳税人识别号', required: true },
    { key: 'name', header: '纳税人名称', required: true },
    { key: 'period', header: '税款所属期', required: true },
    { key: 'taxType', header: '税种', required: true },
    { key: 'amount', header: '实缴金额(元)', money: true, required: true },
  ],
  table: 'tax_payments',
  keyColumns: [t.receiptNo.name],
  valueColumns: [t.receiptNo.name, t.period.name, t.taxType.name, t.amountYuan.name],
  keySql: (p) => `${p}receipt_no`,
  keyLabel: '税票号码',
  parties: [SINGLE_PARTY],
  parse(row: RowView) {
    const receiptNo = row.required('receiptNo') ?? '';
    return {
      key: receiptNo,
      parties: [row.party('ident', 'name')],
      values: {
        [t.receiptNo.name]: receiptNo,
        [t.period.name]: row.month('period', true),
        [t.taxType.name]: row.required('taxType'),
        [t.amountYuan.name]: row.money('amount', true),
      },
    };
  },
};
