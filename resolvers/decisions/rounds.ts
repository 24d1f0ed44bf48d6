import { asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { type Database, hasSqlState } from '../../db/client.js';
import {
  type AwardPaymentRow,
  type AwardRoundLineRow,
  type AwardRoundRow,
  awardPayments,
  awardRoundLines,
  awardRounds,
} from '../../db/decisions.js';
import { countyToday } from '../../lib/clock.js';
import { UserInputError } from '../../lib/errors.js';
import { fenText, fenToYuan, toFen } from '../../lib/money.js';
import { actorOf, writeAuditAction } from '../audit.js';
import { eligibleAnswers } from '../awards/engine.js';
import { assertAsOf, isIsoDate } from '../awards/format.js';
import { awardCodes, defaultRegistry } from '../awards/ruleset.js';
import type { Viewer } from '../roles.js';

/** A round line with what has been paid on it (payments and reversing entries added up). */
export type AwardRoundLineRecord = AwardRoundLineRow & {
  /** 元: Σ payments, reversing entries included */
  paidYuan: number;
  payments: AwardPaymentRow[];
};

/** A round with its lines in line order. */
export type AwardRoundRecord = AwardRoundRow & { lines: AwardRoundLineRecord[] };

const UNIQUE_VIOLATION = '23505';

const today = countyToday;

function checkCodes(codes: readonly string[] | null | undefined): string[] | null {
  if (!codes || codes.length === 0) return null;
  const known = new Set(awardCodes(defaultRegistry()).map((b) => b.rule.code));
  const unknown = codes.filter((c) => !known.has(c));
  if (unknown.length)
    throw new UserInputError(
      `不是奖励项目代码：${unknown.join('、')}；可用代码：${[...known].join(', ')}`,
    );
  return [...new Set(codes)];
}

/** True for the database's unique violation, whichever driver raised it. */
const isUniqueViolation = (error: unknown): boolean => hasSqlState(error, UNIQUE_VIOLATION);

/**
 * 核定: freezes every eligible award answer as of `asOf` (YYYY-MM-DD, not after today) for `codes`
 * (default every code in force) as a round with numbered lines: enterprise, code, clause, amount
 * (元, gross), event date and reasons; an award paid per project gives one line per project. What
 * an earlier round holds is not eligible again, so it is never in a later round; two approvals at
 * once cannot both take the same award (the database keeps each award once). Refused when nothing
 * is eligible. Administrators only (checked by the caller); one audit row.
 */
export async function approveAwardRound(
  database: Database,
  viewer: Viewer,
  args: { asOf: string; codes?: readonly string[] | null; note?: string | null },
  requestId?: string,
): Promise<AwardRoundRecord> {
  assertAsOf(args.asOf);
  if (args.asOf > today())
    throw new UserInputError(`核定日期 ${args.asOf} 晚于今天 ${today()}，不能按未来的数据核定`);
  const codes = checkCodes(args.codes);
  const { answers } = await eligibleAnswers(database, args.asOf, { codes: codes ?? undefined });
  const lines = answers.flatMap((a) =>
    (a.projects ?? [null]).map((p) => ({
      uscc: a.uscc,
      ruleSet: a.ruleSet,
      code: a.code,
      clause: a.clause,
      amountYuan: p
        ? fenText(toFen(p.amountYuan))
        : a.amountYuan === null
          ? null
          : fenText(toFen(a.amountYuan)),
      eventDate: p ? p.eventDate : a.eventDate,
      project: p?.project ?? '',
      reasons: p
        ? a.reasons.filter(
            (r) =>
              !r.startsWith('项目 ') ||
              r.startsWith(`项目 ${p.project}：`) ||
              r.startsWith(`项目 ${p.project}「`),
          )
        : a.reasons,
    })),
  );
  if (lines.length === 0)
    throw new UserInputError(
      `截至 ${args.asOf} 没有尚未核定的符合条件奖励${codes ? `（${codes.join('、')}）` : ''}，不生成空的核定轮次`,
    );
  try {
    const round = await database.db.transaction(async (tx) => {
      const [created] = await tx
        .insert(awardRounds)
        .values({ asOf: args.asOf, codes, note: args.note ?? null, approvedBy: actorOf(viewer) })
        .returning();
      const inserted = await tx
        .insert(awardRoundLines)
        .values(lines.map((l, i) => ({ ...l, roundId: created.id, lineNo: i + 1 })))
        .returning();
      const total = inserted.reduce(
        (s, l) => s + (l.amountYuan === null ? 0n : toFen(l.amountYuan)),
        0n,
      );
      await writeAuditAction(tx, {
        viewer,
        action: 'approveAwardRound',
        detail: {
          roundId: created.id,
          asOf: args.asOf,
          codes,
          note: args.note ?? null,
          lines: inserted.length,
          totalAmountYuan: fenText(total),
        },
        enterprises: inserted.map((l) => l.uscc),
        requestId,
      });
      return created;
    });
    return (await listAwardRounds(database, { ids: [round.id] }))[0];
  } catch (error) {
    if (isUniqueViolation(error))
      throw new UserInputError('其中的奖励刚被另一轮次核定（同一奖励只核定一次），请重新核定');
    throw error;
  }
}

/**
 * 兑现: records a payment of a round line — or, with a negative amount and a reason, a reversing
 * entry that corrects an earlier one. The line's paid total stays between 0 and its approved
 * amount (when the amount is set elsewhere, only above 0). The payment date lies between the
 * round's 核定日期 and today; a voucher is recorded once per line, so a file given twice pays
 * nothing twice. Administrators only (checked by the caller); one audit row.
 */
export async function recordAwardPayment(
  database: Database,
  viewer: Viewer,
  args: {
    lineId: string;
    paidOn: string;
    amountYuan: number | string;
    voucherNo: string;
    reason?: string | null;
  },
  requestId?: string,
): Promise<AwardRoundLineRecord> {
  const voucherNo = args.voucherNo.trim();
  const reason = args.reason?.trim() || null;
  if (!isIsoDate(args.paidOn))
    throw new UserInputError(`支付日期须写作 YYYY-MM-DD，收到「${args.paidOn}」`);
  if (args.paidOn > today()) throw new UserInputError(`支付日期 ${args.paidOn} 晚于今天`);
  if (!voucherNo) throw new UserInputError('凭证号不能为空');
  let fen: bigint;
  try {
    fen = toFen(args.amountYuan);
  } catch {
    throw new UserInputError(`金额(元)不是数字：「${args.amountYuan}」`);
  }
  if (fen === 0n) throw new UserInputError('金额不能为 0');
  if (fen < 0n && !reason) throw new UserInputError('冲销（负数金额）须写明原因');
  const id = Number(args.lineId);
  if (!Number.isSafeInteger(id)) throw new UserInputError(`轮次行号 ${args.lineId} 不存在`);
  const lineId = await database.db.transaction(async (tx) => {
    // the line's row lock serialises payments of one line, so that two at once cannot overpay it
    const [line] = (await tx.execute(
      sql`select l.id, l.uscc, l.round_id, l.line_no, l.amount_yuan::text as amount, r.as_of::text as as_of
        from award_round_lines l join award_rounds r on r.id = l.round_id where l.id = ${id} for update of l`,
      'objects',
    )) as {
      id: number;
      uscc: string;
      round_id: number;
      line_no: number;
      amount: string | null;
      as_of: string;
    }[];
    if (!line) throw new UserInputError(`轮次行号 ${args.lineId} 不存在`);
    if (args.paidOn < line.as_of)
      throw new UserInputError(
        `支付日期 ${args.paidOn} 早于第${line.round_id}轮的核定日期 ${line.as_of}`,
      );
    const [dup] = (await tx.execute(
      sql`select id, paid_on::text as paid_on from award_payments where line_id = ${id} and voucher_no = ${voucherNo}`,
      'objects',
    )) as { id: number; paid_on: string }[];
    if (dup)
      throw new UserInputError(
        `轮次行号 ${id} 的凭证号 ${voucherNo} 已于 ${dup.paid_on} 登记（兑现记录 ${dup.id}），不重复登记`,
      );
    const [{ paid }] = (await tx.execute(
      sql`select coalesce(sum(amount_yuan), 0)::text as paid from award_payments where line_id = ${id}`,
      'objects',
    )) as { paid: string }[];
    const after = toFen(paid) + fen;
    if (after < 0n)
      throw new UserInputError(
        `冲销后已兑现金额为 ${fenText(after)} 元，小于 0（已兑现 ${fenText(toFen(paid))} 元）`,
      );
    if (line.amount !== null && after > toFen(line.amount))
      throw new UserInputError(
        `兑现后合计 ${fenText(after)} 元，超过核定金额 ${fenText(toFen(line.amount))} 元（已兑现 ${fenText(toFen(paid))} 元）`,
      );
    const [payment] = await tx
      .insert(awardPayments)
      .values({
        lineId: id,
        paidOn: args.paidOn,
        amountYuan: fenText(fen),
        voucherNo,
        reason,
        recordedBy: actorOf(viewer),
      })
      .returning();
    await writeAuditAction(tx, {
      viewer,
      action: 'recordAwardPayment',
      detail: {
        paymentId: payment.id,
        lineId: id,
        roundId: Number(line.round_id),
        lineNo: line.line_no,
        paidOn: args.paidOn,
        amountYuan: fenText(fen),
        voucherNo,
        reason,
        paidAfterYuan: fenText(after),
      },
      enterprises: [line.uscc],
      requestId,
    });
    return id;
  });
  return (await linesByIds(database, [lineId]))[0];
}

async function withPayments(
  database: Database,
  lines: AwardRoundLineRow[],
): Promise<AwardRoundLineRecord[]> {
  const payments = lines.length
    ? await database.db
        .select()
        .from(awardPayments)
        .where(
          inArray(
            awardPayments.lineId,
            lines.map((l) => l.id),
          ),
        )
        .orderBy(asc(awardPayments.id))
    : [];
  return lines.map((l) => {
    const mine = payments.filter((p) => p.lineId === l.id);
    return {
      ...l,
      payments: mine,
      paidYuan: fenToYuan(mine.reduce((s, p) => s + toFen(p.amountYuan), 0n)),
    };
  });
}

/** Round lines by id (in the order asked), with their payments. */
export async function linesByIds(
  database: Database,
  ids: readonly number[],
): Promise<AwardRoundLineRecord[]> {
  const rows = ids.length
    ? await database.db
        .select()
        .from(awardRoundLines)
        .where(inArray(awardRoundLines.id, [...ids]))
    : [];
  const lines = await withPayments(database, rows);
  return ids.flatMap((id) => lines.filter((l) => l.id === id));
}

/**
 * The approved rounds, newest first (at most `first`, or exactly `ids`), each with its lines in
 * line order and what was paid on each: three statements.
 */
export async function listAwardRounds(
  database: Database,
  options: { first?: number | null; ids?: readonly number[] } = {},
): Promise<AwardRoundRecord[]> {
  if (options.first != null && (!Number.isInteger(options.first) || options.first < 1))
    throw new UserInputError(`first 须为正整数，收到 ${options.first}`);
  const query = database.db
    .select()
    .from(awardRounds)
    .where(options.ids ? inArray(awardRounds.id, [...options.ids]) : undefined)
    .orderBy(desc(awardRounds.id));
  const rounds = await (options.first != null ? query.limit(options.first) : query);
  const rows = rounds.length
    ? await database.db
        .select()
        .from(awardRoundLines)
        .where(
          inArray(
            awardRoundLines.roundId,
            rounds.map((r) => r.id),
          ),
        )
        .orderBy(asc(awardRoundLines.roundId), asc(awardRoundLines.lineNo))
    : [];
  const lines = await withPayments(database, rows);
  return rounds.map((r) => ({ ...r, lines: lines.filter((l) => l.roundId === r.id) }));
}

/**
 * The lines of every round approved with 核定日期 on or before `asOf` for `codes` (default all),
 * with what was paid on each, in round then line order: what the award list shows as granted.
 */
export async function heldLines(
  database: Database,
  asOf: string,
  codes?: readonly string[],
): Promise<(AwardRoundLineRecord & { roundAsOf: string })[]> {
  const rows = await database.db
    .select({ line: awardRoundLines, roundAsOf: awardRounds.asOf })
    .from(awardRoundLines)
    .innerJoin(awardRounds, eq(awardRounds.id, awardRoundLines.roundId))
    .where(
      sql`${awardRounds.asOf} <= ${asOf}${codes?.length ? sql` and ${awardRoundLines.code} = any(${sql.param([...codes])}::text[])` : sql``}`,
    )
    .orderBy(asc(awardRoundLines.roundId), asc(awardRoundLines.lineNo));
  const lines = await withPayments(
    database,
    rows.map((r) => r.line),
  );
  return lines.map((l, i) => ({ ...l, roundAsOf: rows[i].roundAsOf }));
}
