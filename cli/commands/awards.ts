import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { didYouMean } from '../../lib/names.js';
import { awardExport, writeAwardsCsv, writeAwardsXlsx } from '../../resolvers/awards/export.js';
import { AwardInputError, isIsoDate, limitText, sumYuan } from '../../resolvers/awards/format.js';
import { awardCodes, defaultRegistry } from '../../resolvers/awards/ruleset.js';
import { approveAwardRound, recordAwardPayment } from '../../resolvers/decisions/rounds.js';
import { cliViewer, withDatabase } from '../shared.js';

function checkDate(flag: string, value: string | undefined): string {
  if (!value) throw new AwardInputError(`缺少 ${flag}（YYYY-MM-DD）`);
  if (!isIsoDate(value)) throw new AwardInputError(`${flag} 须写作 YYYY-MM-DD，收到 "${value}"`);
  return value;
}

function checkCodes(codes: readonly string[]): void {
  const known = awardCodes(defaultRegistry()).map((b) => b.rule.code);
  for (const code of codes)
    if (!known.includes(code))
      throw new AwardInputError(
        `--code ${code} 不是奖励代码${didYouMean(code, known)}；可选代码：${known.join('、')}`,
      );
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The columns of a payments file (`edp awards paid`); 冲销原因 only for a reversing line. */
const PAYMENT_COLUMNS = ['轮次行号', '支付日期', '金额(元)', '凭证号'] as const;

/**
 * `edp awards --as-of DATE [--code C] --out FILE`: the finance bureau's list (rounds' lines with
 * what was paid, then new candidates); `edp awards approve`: a round; `edp awards paid`: payments.
 */
export function registerAwards(program: Command) {
  const awards = program
    .command('awards')
    .description(
      '导出截至某日的奖励名单（汶政发〔2022〕9号及以后的政策）：.xlsx 每项奖励一页另有汇总页，或 .csv；先列已核定轮次的行及已兑现金额，再列新的候选企业',
    )
    // the subcommands' own --as-of and --code are theirs, not this command's
    .enablePositionalOptions()
    .option('--as-of <date>', '按截至此日的记录认定，写作 YYYY-MM-DD（必填）')
    .option('--code <code>', '只列此奖励代码，例如 REVENUE_500M')
    .option('--out <file>', '输出文件，以 .xlsx 或 .csv 结尾（必填）')
    .action(async (opts: { asOf?: string; code?: string; out?: string }) => {
      const asOf = checkDate('--as-of', opts.asOf);
      if (opts.code) checkCodes([opts.code]);
      if (!opts.out) throw new AwardInputError('缺少 --out（以 .xlsx 或 .csv 结尾的文件）');
      const out = opts.out;
      const ext = path.extname(out).toLowerCase();
      if (ext !== '.xlsx' && ext !== '.csv')
        throw new AwardInputError(`--out 须以 .xlsx 或 .csv 结尾，收到 "${out}"`);
      await withDatabase(async (database) => {
        const data = await awardExport(database, asOf, {
          codes: opts.code ? [opts.code] : undefined,
        });
        await (ext === '.xlsx' ? writeAwardsXlsx(data, out) : writeAwardsCsv(data, out));
        const total = sumYuan(data.summary.map((s) => s.totalAmountYuan));
        const held = data.rows.filter((r) => r.round !== null).length;
        process.stdout.write(
          `wrote ${data.rows.length - held} candidates over ${new Set(data.rules.map((b) => b.rule.code)).size} award codes as of ${asOf} to ${out} (total ${limitText(total)})` +
            (held ? `, and ${held} lines already approved in rounds` : '') +
            '\n',
        );
      });
    });

  awards
    .command('approve')
    .description('核定一轮奖励：把截至某日符合条件的奖励固定为编号的行；一项奖励只核定一次')
    .requiredOption('--as-of <date>', '核定日期，写作 YYYY-MM-DD')
    .option('--code <code>', '只核定此奖励代码（可重复给出多个）', collect)
    .requiredOption('--note <text>', '说明，例如核定文件的文号')
    .action(async (opts: { asOf: string; code?: string[]; note: string }) => {
      const asOf = checkDate('--as-of', opts.asOf);
      checkCodes(opts.code ?? []);
      await withDatabase(async (database) => {
        const round = await approveAwardRound(database, cliViewer(), {
          asOf,
          codes: opts.code,
          note: opts.note,
        });
        const total = sumYuan(
          round.lines.map((l) => (l.amountYuan === null ? null : Number(l.amountYuan))),
        );
        process.stdout.write(
          `approved round ${round.id} as of ${asOf}: ${round.lines.length} lines, total ${limitText(total)}\n` +
            round.lines
              .map(
                (l) =>
                  `  ${l.id}\t${l.lineNo}\t${l.code}\t${l.uscc}${l.project ? `\t${l.project}` : ''}\t${l.amountYuan ?? '另行确定'}`,
              )
              .join('\n') +
            '\n',
        );
      });
    });

  awards
    .command('paid')
    .description(
      `登记兑现：从 CSV 读入兑现记录，列为 ${PAYMENT_COLUMNS.join(', ')}（金额为负的冲销行另填冲销原因）；同一行已登记过的凭证号不再登记，同一文件交两次不会重复兑现`,
    )
    .requiredOption('--file <file>', '兑现记录 CSV 文件（UTF-8）')
    .action(async (opts: { file: string }) => {
      const records = parse(readFileSync(opts.file, 'utf8'), {
        bom: true,
        columns: true,
        skip_empty_lines: true,
        trim: true,
      }) as Record<string, string>[];
      const absent = PAYMENT_COLUMNS.filter((c) => records.length && !(c in records[0]));
      if (absent.length) throw new AwardInputError(`${opts.file} 缺少列：${absent.join('、')}`);
      await withDatabase(async (database) => {
        const viewer = cliViewer();
        let recorded = 0;
        const refused: string[] = [];
        for (const [i, r] of records.entries()) {
          try {
            const line = await recordAwardPayment(database, viewer, {
              lineId: r['轮次行号'],
              paidOn: r['支付日期'],
              amountYuan: r['金额(元)'].replaceAll(',', ''),
              voucherNo: r['凭证号'],
              reason: r['冲销原因'],
            });
            recorded++;
            process.stdout.write(
              `row ${i + 2}: line ${line.id} (${line.code} ${line.uscc}) paid ${line.paidYuan.toFixed(2)} of ${line.amountYuan ?? '另行确定'}\n`,
            );
          } catch (error) {
            refused.push(
              `第 ${i + 2} 行：${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }
        process.stdout.write(
          `recorded ${recorded} of ${records.length} payments from ${opts.file}\n`,
        );
        if (refused.length)
          throw new AwardInputError(`${refused.length} 行未登记：\n${refused.join('\n')}`);
      });
    });
}
