/**
 * The department sources by name, in the order a full load runs them (the register first), with
 * the Chinese name and the department a clerk reads (dashboard, spreadsheets, CLI messages).
 *
 * This is the one list of sources: `SOURCES` and `SourceName` (connectors/pipeline/source.ts)
 * derive from it, the definitions registry (connectors/sources.ts) must hold a definition for
 * each name (the type checker says which is missing), and the data-freshness table, the CLI's
 * help and the demo's manifest follow the registry. It lives in lib/ because the dashboard
 * (a browser bundle) reads it too.
 */
export const SOURCE_LABELS = {
  'market-registry': { name: '企业登记', department: '市场监管局' },
  'market-penalties': { name: '行政处罚', department: '市场监管局' },
  'tax-payments': { name: '实缴税款', department: '税务局' },
  'tax-annual': { name: '年度申报', department: '税务局' },
  'land-parcels': { name: '土地使用权', department: '自然资源局' },
  'land-leases': { name: '租赁备案', department: '自然资源局' },
  power: { name: '用电量', department: '供电公司' },
  designations: { name: '认定名单', department: '工信局' },
  'tech-projects': { name: '技改项目', department: '工信局' },
} as const satisfies Record<string, SourceLabel>;

/** A source's Chinese name (e.g. 实缴税款) and the department that delivers it (e.g. 税务局). */
export interface SourceLabel {
  name: string;
  department: string;
}

/** A source's name, e.g. tax-payments. */
export type SourceName = keyof typeof SOURCE_LABELS;

/** The label of a source named by a caller or a stored row; undefined when it names none. */
export const labelOf = (source: string): SourceLabel | undefined =>
  (SOURCE_LABELS as Record<string, SourceLabel>)[source];

/** "税务局 实缴税款" for a source, or its name when unknown. */
export const sourceLabel = (source: string): string => {
  const label = labelOf(source);
  return label ? `${label.department} ${label.name}` : source;
};
