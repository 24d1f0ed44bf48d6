import path from 'node:path';
import type { Command } from 'commander';
import { didYouMean } from '../../lib/names.js';
import { awardExport, writeAwardsCsv, writeAwardsXlsx } from '../../resolvers/awards/export.js';
import { AwardInputError, isIsoDate, limitText, sumYuan } from '../../resolvers/awards/format.js';
import { awardCodes, defaultRegistry } from '../../resolvers/awards/ruleset.js';
import { withDatabase } from '../shared.js';

/** `edp awards --as-of DATE [--code C] --out FILE.xlsx|FILE.csv`: the finance bureau's candidate list. */
export function registerAwards(program: Command) {
  program
    .command('awards')
    .description(
      'export award candidates (汶政发〔2022〕9号 and later rule sets) as of a date to .xlsx (a sheet per code and a summary) or .csv',
    )
    .requiredOption('--as-of <date>', 'judge on the records as of this date, YYYY-MM-DD')
    .option('--code <code>', 'only this award code, e.g. REVENUE_500M')
    .requiredOption('--out <file>', 'output file ending in .xlsx or .csv')
    .action(async (opts: { asOf: string; code?: string; out: string }) => {
      if (!isIsoDate(opts.asOf))
        throw new AwardInputError(`--as-of 须写作 YYYY-MM-DD，收到 "${opts.asOf}"`);
      const known = awardCodes(defaultRegistry()).map((b) => b.rule.code);
      if (opts.code && !known.includes(opts.code))
        throw new AwardInputError(
          `--code ${opts.code} 不是奖励代码${didYouMean(opts.code, known)}；可选代码：${known.join('、')}`,
        );
      const ext = path.extname(opts.out).toLowerCase();
      if (ext !== '.xlsx' && ext !== '.csv')
        throw new AwardInputError(`--out 须以 .xlsx 或 .csv 结尾，收到 "${opts.out}"`);
      await withDatabase(async (database) => {
        const data = await awardExport(database, opts.asOf, {
          codes: opts.code ? [opts.code] : undefined,
        });
        await (ext === '.xlsx' ? writeAwardsXlsx(data, opts.out) : writeAwardsCsv(data, opts.out));
        const total = sumYuan(data.summary.map((s) => s.totalAmountYuan));
        process.stdout.write(
          `wrote ${data.rows.length} candidates over ${new Set(data.rules.map((b) => b.rule.code)).size} award codes as of ${opts.asOf} to ${opts.out} (total ${limitText(total)})\n`,
        );
      });
    });
}
