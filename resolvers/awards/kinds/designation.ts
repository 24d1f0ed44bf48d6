import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { checkEventDate, foldType, lastEventDay } from '../format.js';
import type { DesignationFact, Facts, Outcome, RuleKind } from '../types.js';

/** SQL twin of `foldType`: a 认定类型 column with full-width brackets folded. */
export const foldedTypeSql = (alias: string) =>
  sql.raw(`translate(btrim(${alias}.type), '（）', '()')`);

/** 「type」 认定日期 2023-05-06（认定部门 …，文号 …）: one recognition as a clerk finds it in the file. */
export function designationText(d: DesignationFact): string {
  const from = [d.issuer && `认定部门 ${d.issuer}`, d.documentNo && `文号 ${d.documentNo}`]
    .filter(Boolean)
    .join('，');
  return `「${d.type}」认定日期 ${d.recognizedOn}${from ? `（${from}）` : ''}`;
}

/** The enterprise's recognitions of one type, earliest first. */
export const designationsOfType = (facts: Facts, type: string) =>
  facts.designations.filter((d) => d.type === foldType(type));

const conditionOf = <K extends string>(kind: K) =>
  z.object({ kind: z.literal(kind), type: z.string().min(1) }).strict();

/** A newly granted recognition (新认定): the earliest of its type on record lies in the window. */
export const designationNewCondition = conditionOf('designation-new');
/** The first time an enterprise passes a certification (首次通过): the earliest of its type on record. */
export const designationFirstCondition = conditionOf('designation-first');

type DesignationCondition =
  | z.infer<typeof designationNewCondition>
  | z.infer<typeof designationFirstCondition>;

/**
 * Both kinds judge the earliest recognition of the type on record: a later one of the same
 * type is a re-recognition (重新认定), never new, so a type first granted before the window
 * gives no award inside it. They differ only in the words the clerk reads.
 */
function designationKind<C extends DesignationCondition>(
  kind: C['kind'],
  wording: { noun: string; earliest: string; later: string },
): RuleKind<C> {
  return {
    kind,
    computesAmount: false,
    needs: () => ['designations'],
    prefilter: (c, asOf, window) => sql`
      select d.uscc from designations d
      where d.uscc is not null and ${foldedTypeSql('d')} = ${foldType(c.type)}
      group by d.uscc
      having min(d.recognized_on) between ${window.from} and ${lastEventDay(window, asOf)}`,
    evaluate(c, facts, at): Outcome {
      const type = foldType(c.type);
      const all = designationsOfType(facts, type);
      if (all.length === 0)
        return { met: false, eventDate: null, reasons: [`无「${type}」认定记录`], missing: [] };
      const [first, ...later] = all;
      const check = checkEventDate(first.recognizedOn, at.window, at.asOf);
      const reasons = [`${wording.earliest}${designationText(first)}`];
      if (later.length > 0) {
        reasons.push(
          `其后另有 ${later.length} 次「${type}」认定（${later.map((d) => d.recognizedOn).join('、')}），${wording.later}`,
        );
      }
      if (first.recognizedOn < at.window.from) {
        reasons.push(
          `最早一次认定早于政策有效期起始日 ${at.window.from}，有效期内的认定属于再次认定，不是${wording.noun}`,
        );
      }
      reasons.push(check.reason);
      return { met: check.ok, eventDate: first.recognizedOn, reasons, missing: [] };
    },
  };
}

export const designationNewKind = designationKind<z.infer<typeof designationNewCondition>>(
  'designation-new',
  {
    noun: '新认定',
    earliest: '有记录的最早一次',
    later: '属于重新认定，不另计',
  },
);

export const designationFirstKind = designationKind<z.infer<typeof designationFirstCondition>>(
  'designation-first',
  {
    noun: '首次通过',
    earliest: '有记录的第一次',
    later: '不是首次，不另计',
  },
);
