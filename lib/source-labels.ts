/**
 * The nine sources by their Chinese names and the department that delivers each, as a clerk reads
 * them (dashboard, spreadsheets, CLI messages).
 */
export const SOURCE_LABELS: Record<string, { name: string; department: string }> = {
  'market-registry': { name: '企业登记', department: '市场监管局' },
  'market-penalties': { name: '行政处罚', department: '市场监管局' },
  'tax-payments': { name: '实缴税款', department: '税务局' },
  'tax-annual': { name: '年度申报', department: '税务局' },
  'land-parcels': { name: '土地使用权', department: '自然资源局' },
  'land-leases': { name: '租赁备案', department: '自然资源局' },
  power: { name: '用电量', department: '供电公司' },
  designations: { name: '认定名单', department: '工信局' },
  'tech-projects': { name: '技改项目', department: '工信局' },
};

/** "税务局 实缴税款" for a source, or its name when unknown. */
export const sourceLabel = (source: string): string => {
  const label = SOURCE_LABELS[source];
  return label ? `${label.department} ${label.name}` : source;
};
