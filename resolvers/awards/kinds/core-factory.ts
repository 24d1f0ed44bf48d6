import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { checkEventDate, foldType, lastClosedYear, lastEventDay } from '../format.js';
import type { Outcome, PartnerFact, RuleKind } from '../types.js';
import { designationsOfType, designationText, foldedTypeSql } from './designation.js';

/**
 * A core factory (核心厂) with at least `minPartners` distinct enterprises attached to it by a
 * `partnerType` designation (关联企业统一社会信用代码 = the core factory), each in one of
 * `partnerDivisions` with 年平均从业人数 ≥ `minEmployees` in its latest tax-annual year closed on
 * or before asOf. Each partner counts once, from its earliest attachment, active or not; the
 * event is the attachment date of the `minPartners`-th qualifying partner.
 */
export const coreFactoryCondition = z
  .object({
    kind: z.literal('core-factory-partners'),
    /** the core factory's own filing, e.g. 服装加工龙头企业(核心厂)备案 */
    filingType: z.string().min(1),
    /** the partners' designation that names the core factory, e.g. 单品精益化工厂 */
    partnerType: z.string().min(1),
    minPartners: z.number().int().positive(),
    partnerDivisions: z.array(z.string().regex(/^[A-T]\d{2}$/)).min(1),
    partnerDivisionLabel: z.string().optional(),
    minEmployees: z.number().int().nonnegative(),
  })
  .strict();

type CoreFactoryCondition = z.infer<typeof coreFactoryCondition>;

type PartnerVerdict = 'counts' | 'fails' | 'unknown';

function judgePartner(
  c: CoreFactoryCondition,
  p: PartnerFact,
  asOf: string,
): { verdict: PartnerVerdict; text: string } {
  const divisionOk = p.industryDivision !== null && c.partnerDivisions.includes(p.industryDivision);
  const divisionText = p.industryDivision
    ? `行业大类 ${p.industryDivision}${divisionOk ? '' : `（不是 ${c.partnerDivisions.join('、')}${c.partnerDivisionLabel ? ` ${c.partnerDivisionLabel}` : ''}）`}`
    : '行业大类未登记';
  let staffText: string;
  let staffOk: boolean | null;
  if (p.employeesYear === null) {
    staffText = `截至 ${asOf} 无已结束年度（${lastClosedYear(asOf)} 年及以前）的年度申报`;
    staffOk = null;
  } else if (p.employees === null) {
    staffText = `${p.employeesYear}年度申报的年平均从业人数为空`;
    staffOk = null;
  } else {
    staffOk = p.employees >= c.minEmployees;
    staffText = `${p.employeesYear}年年平均从业人数 ${p.employees} 人 ${staffOk ? '≥' : '<'} ${c.minEmployees} 人`;
  }
  const verdict: PartnerVerdict =
    p.industryDivision !== null && !divisionOk
      ? 'fails'
      : staffOk === false
        ? 'fails'
        : p.industryDivision === null || staffOk === null
          ? 'unknown'
          : 'counts';
  const who = `${p.name ?? '（未登记企业）'}（${p.uscc}）`;
  return {
    verdict,
    text: `${c.partnerType} ${who}：首次挂靠认定日期 ${p.attachedOn}；${divisionText}；${staffText}`,
  };
}

export const coreFactoryKind: RuleKind<CoreFactoryCondition> = {
  kind: 'core-factory-partners',
  computesAmount: false,
  needs: (c) => ['designations', { partnerType: foldType(c.partnerType) }],
  prefilter: (c, asOf, window) => sql`
    select f.uscc from designations f
    where f.uscc is not null and ${foldedTypeSql('f')} = ${foldType(c.filingType)} and f.recognized_on <= ${asOf}
      and (select count(distinct p.uscc) from designations p
           where p.core_factory_uscc = f.uscc and p.uscc is not null and p.uscc <> f.uscc
             and ${foldedTypeSql('p')} = ${foldType(c.partnerType)} and p.recognized_on <= ${lastEventDay(window, asOf)}) >= ${c.minPartners}`,
  evaluate(c, facts, at): Outcome {
    const reasons: string[] = [];
    const missing: string[] = [];
    const [filing] = designationsOfType(facts, c.filingType);
    let filed = false;
    if (!filing) reasons.push(`无「${foldType(c.filingType)}」记录`);
    else if (filing.recognizedOn > at.asOf)
      reasons.push(`${designationText(filing)}，晚于查询日期 ${at.asOf}`);
    else {
      filed = true;
      reasons.push(`已备案：${designationText(filing)}`);
    }
    const partners = facts.partners.filter((p) => p.partnerType === foldType(c.partnerType));
    const counted: PartnerFact[] = [];
    const unknown: PartnerFact[] = [];
    for (const p of partners) {
      const { verdict, text } = judgePartner(c, p, at.asOf);
      if (verdict === 'counts') counted.push(p);
      if (verdict === 'unknown') unknown.push(p);
      reasons.push(
        `${text} → ${verdict === 'counts' ? `计入（第 ${counted.length} 家）` : verdict === 'unknown' ? '无法判断，不计入' : '不计入'}`,
      );
    }
    const rule = `${c.partnerDivisions.join('、')}、年平均从业人数 ≥ ${c.minEmployees} 人`;
    reasons.push(
      `挂靠本企业的${c.partnerType} ${partners.length} 家（每家按首次挂靠计一次），符合条件（${rule}）的 ${counted.length} 家，${counted.length >= c.minPartners ? '达到' : '不足'} ${c.minPartners} 家`,
    );
    if (counted.length < c.minPartners) {
      if (counted.length + unknown.length >= c.minPartners) {
        for (const p of unknown)
          missing.push(
            `${c.partnerType} ${p.uscc} 的行业大类或截至 ${at.asOf} 最近一个年度的年平均从业人数无记录`,
          );
      }
      return { met: false, eventDate: null, reasons, missing };
    }
    const decisive = counted[c.minPartners - 1];
    const check = checkEventDate(decisive.attachedOn, at.window, at.asOf);
    reasons.push(
      `第 ${c.minPartners} 家符合条件的${c.partnerType}（${decisive.uscc}）挂靠认定日期 ${decisive.attachedOn} 为事件日期；${check.reason}`,
    );
    return { met: filed && check.ok, eventDate: decisive.attachedOn, reasons, missing };
  },
};
