import type { GradeOfRecord, GradeSource, LandRevitalizationCase } from './types.js';

/**
 * The reasons of a land revitalization case, one Chinese sentence per category, each citing the
 * figures behind it so that a clerk can check it against the departments' records.
 */

const mu = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 4 });
const twoPlaces = new Intl.NumberFormat('zh-CN', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const kwh = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 2 });

const SOURCE_NAMES: Record<GradeSource, string> = {
  live: '实时评价',
  notice: '公示结果',
  final: '正式结果',
};
const POPULATION_NAMES = { ABOVE_SCALE: '规上', BELOW_SCALE: '规下' } as const;

/** "15 亩（10,000.00 平方米）" */
export const landText = (c: Pick<LandRevitalizationCase, 'landAreaMu' | 'landAreaM2'>) =>
  `${mu.format(c.landAreaMu)} 亩（${twoPlaces.format(c.landAreaM2)} 平方米）`;

/** "D类（规下，得分 12.34，实时评价）" */
function gradeText(g: GradeOfRecord): string {
  const parts = [
    g.population ? POPULATION_NAMES[g.population] : null,
    g.score === null ? null : `得分 ${twoPlaces.format(g.score)}`,
    `${SOURCE_NAMES[g.source]}${g.runId ? `，第 ${g.runId} 号评价发布` : ''}`,
  ].filter(Boolean);
  return `${g.grade}类（${parts.join('，')}）`;
}

function deregistered(c: LandRevitalizationCase): string {
  return (
    `登记状态为“${c.status}”（非存续、在业；据 ${c.registerLoadedOn} 载入的企业登记数据，登记数据未载明状态变更日期），` +
    `${c.year}年12月31日仍占用土地 ${landText(c)}`
  );
}

function idle(c: LandRevitalizationCase): string {
  const power =
    c.electricityKwh === null ? '无用电记录' : `用电量 ${kwh.format(c.electricityKwh)} 千瓦时`;
  const tax =
    c.taxPaidYuan === null ? '无实缴税款记录' : `实缴税款 ${twoPlaces.format(c.taxPaidYuan)} 元`;
  return (
    `${c.year}年${power}、${tax}；企业${c.status}，成立于 ${c.establishedOn}，` +
    `${c.year}年12月31日占用土地 ${landText(c)}`
  );
}

function lowEfficiency(c: LandRevitalizationCase): string {
  const { previous, current } = c.grades;
  if (!current) return `${c.year}年亩产效益评价等级缺失`;
  const before = previous ? `${c.year - 1}年为${gradeText(previous)}` : `${c.year - 1}年未评价`;
  const rule =
    current.grade === 'D' ? `${c.year}年评为D类` : `${c.year - 1}年、${c.year}年连续两年评为C类`;
  return `亩产效益${rule}：${c.year}年为${gradeText(current)}，${before}；占用土地 ${landText(c)}`;
}

/** One reason per category of the case, in the categories' order. */
export function reasonsFor(c: LandRevitalizationCase): string[] {
  return c.categories.map((k) =>
    k === 'DEREGISTERED_HOLDER'
      ? deregistered(c)
      : k === 'SUSPECTED_IDLE'
        ? idle(c)
        : lowEfficiency(c),
  );
}
