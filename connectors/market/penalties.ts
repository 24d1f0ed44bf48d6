import { marketPenalties as t } from '../../db/market.js';
import type { RowView } from '../pipeline/columns.js';
import { SINGLE_PARTY, type SourceDefinition } from '../pipeline/source.js';

/**
 * 1b `market-penalties` — 市场监督管理局 行政处罚. Natural key 决定书文号; 罚没金额 in 元
 * (empty when the decision imposed no fine).
 */
export const marketPenaltiesSource: SourceDefinition = {
  name: 'market-penalties',
  title: '市场监督管理局 行政处罚 (administrative penalties)',
  readBy: 'market',
  columns: [
    { key: 'ident', header: '统一社会信用代码', required: true },
    { key: 'name', header: '企业名称', required: true },
    { key: 'decisionNo', header: '决定书文号', required: true },
    { key: 'violationType', header: '违法类型' },
    { key: 'decidedOn', header: '处罚决定日期', required: true },
    { key: 'amount', header: '罚没金额(元)', money: true, required: true },
  ],
  table: 'market_penalties',
  keyColumns: [t.decisionNo.name],
  valueColumns: [t.decisionNo.name, t.violationType.name, t.decidedOn.name, t.amountYuan.name],
  keySql: (p) => `${p}decision_no`,
  keyLabel: '决定书文号',
  parties: [SINGLE_PARTY],
  parse(row: RowView) {
    const decisionNo = row.required('decisionNo') ?? '';
    return {
      key: decisionNo,
      parties: [row.party('ident', 'name')],
      values: {
        [t.decisionNo.name]: decisionNo,
        [t.violationType.name]: row.optional('violationType'),
        [t.decidedOn.name]: row.date('decidedOn', true),
        [t.amountYuan.name]: row.money('amount'),
      },
    };
  },
};
