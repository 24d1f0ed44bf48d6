import { sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  addYears,
  checkEventDate,
  lastEventDay,
  limitText,
  percentText,
  toFen,
  yuanText,
} from '../format.js';
import type { GrantedFact, Outcome, RuleKind, TechProjectFact } from '../types.js';

/** A fraction kept exact as parts per million (0.05 → 50000). */
const PPM = 1_000_000n;
const fraction = z
  .number()
  .min(0)
  .max(1)
  .refine((x) => Math.abs(x * 1e6 - Math.round(x * 1e6)) < 1e-6, 'at most six decimals');
const ppm = (x: number) => BigInt(Math.round(x * 1e6));

/**
 * A subsidy paid per intelligent-transformation project (智能化改造, clause 8 of 汶政发〔2022〕9号):
 * accepted in the window, the enterprise established at least `minYearsEstablished` calendar
 * years before acceptance, equipment + software ≥ `minTotalYuan`, software ≥ `minSoftwareShare`
 * of that total, not already supported; `rate` of the total, at most `capYuanPerProject` each.
 */
export const techProjectCondition = z
  .object({
    kind: z.literal('tech-project-subsidy'),
    minTotalYuan: z.number().nonnegative(),
    minSoftwareShare: fraction,
    rate: fraction,
    capYuanPerProject: z.number().positive(),
    minYearsEstablished: z.number().int().nonnegative(),
  })
  .strict();

type TechProjectCondition = z.infer<typeof techProjectCondition>;

interface ProjectVerdict {
  project: TechProjectFact;
  ok: boolean;
  amountFen: bigint;
  text: string;
}

/** Floor to two decimals so that 9.999% never reads as 10.00%. */
function shareText(softwareFen: bigint, totalFen: bigint): string {
  if (totalFen <= 0n) return '—';
  const basisPoints = (softwareFen * 10_000n) / totalFen;
  return `${basisPoints / 100n}.${String(basisPoints % 100n).padStart(2, '0')}%`;
}

function judgeProject(
  c: TechProjectCondition,
  p: TechProjectFact,
  establishedOn: string | null,
  asOf: string,
  window: { from: string; to: string },
  granted: GrantedFact | undefined,
) {
  const checks: string[] = [];
  const missing: string[] = [];
  let ok = true;
  // a project an approved round holds is subsidised once; the enterprise's other projects still count
  if (granted) {
    ok = false;
    checks.push(
      `已在第${granted.roundId}轮（${granted.roundAsOf}）核定（${granted.ruleSet} 第${granted.clause}条，轮次行号 ${granted.lineId}），同一项目只补助一次`,
    );
  }
  if (!p.acceptedOn) {
    ok = false;
    checks.push('尚未验收（无验收日期）');
  } else {
    const acceptance = checkEventDate(p.acceptedOn, window, asOf, '验收日期');
    ok &&= acceptance.ok;
    checks.push(acceptance.reason);
    if (!establishedOn) {
      ok = false;
      missing.push(
        `成立日期（市场监管局 企业登记）为空，无法判断项目 ${p.projectNo} 验收时是否已注册经营满 ${c.minYearsEstablished} 年`,
      );
    } else {
      const anniversary = addYears(establishedOn, c.minYearsEstablished);
      const old = anniversary <= p.acceptedOn;
      ok &&= old;
      checks.push(
        `成立日期 ${establishedOn}，满 ${c.minYearsEstablished} 年为 ${anniversary}，${old ? '不晚于' : '晚于'}验收日期（${old ? '经营满' : '经营不满'} ${c.minYearsEstablished} 年）`,
      );
    }
  }
  const equipment = toFen(p.equipmentYuan);
  const software = toFen(p.softwareYuan);
  const total = equipment + software;
  const bigEnough = total >= toFen(c.minTotalYuan);
  ok &&= bigEnough;
  checks.push(
    `设备投资 ${yuanText(equipment)} + 软件投资 ${yuanText(software)} = ${yuanText(total)} ${bigEnough ? '≥' : '<'} ${limitText(c.minTotalYuan)}`,
  );
  const shareOk = total > 0n && software * PPM >= total * ppm(c.minSoftwareShare);
  ok &&= shareOk;
  checks.push(
    `软件投资占比 ${shareText(software, total)} ${shareOk ? '≥' : '<'} ${percentText(c.minSoftwareShare)}`,
  );
  ok &&= !p.alreadySupported;
  checks.push(p.alreadySupported ? '已享受技术改造扶持政策（除外）' : '未享受技术改造扶持政策');
  let amountFen = 0n;
  if (ok) {
    const raw = (total * ppm(c.rate) + PPM / 2n) / PPM;
    const cap = toFen(c.capYuanPerProject);
    amountFen = raw > cap ? cap : raw;
    checks.push(
      raw > cap
        ? `补助 ${percentText(c.rate)} × ${yuanText(total)} = ${yuanText(raw)}，超过每个项目上限 ${limitText(c.capYuanPerProject)}，按上限 ${yuanText(cap)}`
        : `补助 ${percentText(c.rate)} × ${yuanText(total)} = ${yuanText(raw)}（每个项目上限 ${limitText(c.capYuanPerProject)}）`,
    );
  }
  const name = p.projectName ? `「${p.projectName}」` : '';
  const text = `项目 ${p.projectNo}${name}：${checks.join('；')} → ${ok ? '符合' : '不符合'}`;
  return { verdict: { project: p, ok, amountFen, text } satisfies ProjectVerdict, missing };
}

export const techProjectKind: RuleKind<TechProjectCondition> = {
  kind: 'tech-project-subsidy',
  computesAmount: true,
  needs: () => ['techProjects'],
  prefilter: (c, asOf, window) => sql`
    select p.uscc from tech_projects p
    where p.uscc is not null and not p.already_supported
      and p.accepted_on between ${window.from} and ${lastEventDay(window, asOf)}
      and p.equipment_yuan + p.software_yuan >= ${c.minTotalYuan}`,
  evaluate(c, facts, at): Outcome {
    if (facts.techProjects.length === 0) {
      return {
        met: false,
        eventDate: null,
        reasons: ['无智能化改造项目记录（工业和信息化局 技术改造项目）'],
        missing: [],
      };
    }
    const establishedOn = facts.enterprise?.establishedOn ?? null;
    const judged = facts.techProjects.map((p) =>
      judgeProject(
        c,
        p,
        establishedOn,
        at.asOf,
        at.window,
        facts.granted.find((g) => g.code === at.code && g.project === p.projectNo),
      ),
    );
    const reasons = judged.map((j) => j.verdict.text);
    const missing = [...new Set(judged.flatMap((j) => j.missing))];
    const eligible = judged.map((j) => j.verdict).filter((v) => v.ok);
    if (eligible.length === 0) return { met: false, eventDate: null, reasons, missing };
    const amountFen = eligible.reduce((sum, v) => sum + v.amountFen, 0n);
    const eventDate = eligible.map((v) => v.project.acceptedOn!).sort()[0];
    reasons.push(
      `符合条件的项目 ${eligible.length} 个（${eligible.map((v) => v.project.projectNo).join('、')}），补助按项目计算后合计 ${yuanText(amountFen)}；事件日期取最早符合条件的验收日期 ${eventDate}`,
    );
    const parts = eligible.map((v) => ({
      project: v.project.projectNo,
      amountFen: v.amountFen,
      eventDate: v.project.acceptedOn!,
    }));
    return { met: true, eventDate, amountFen, parts, reasons, missing };
  },
};
