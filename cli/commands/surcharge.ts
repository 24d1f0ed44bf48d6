import path from 'node:path';
import type { Command } from 'commander';
import { countyAllocation } from '../../resolvers/allocation.js';
import {
  surchargeFile,
  writeSurchargeCsv,
  writeSurchargeXlsx,
} from '../../resolvers/allocation-export.js';
import { withDatabase } from '../shared.js';

/** `edp surcharge --year Y --out FILE.xlsx|FILE.csv`: the power company's D-class surcharge list. */
export function registerSurcharge(program: Command) {
  program
    .command('surcharge')
    .description(
      '写出供电公司的差别电价名单（按某年度的评价等级，次年执行）：.xlsx 含汇总页，或 .csv 只含用电户行',
    )
    .requiredOption('--year <year>', '所依据的评价年度，例如 2024（2025 年加价）')
    .requiredOption('--out <file>', '输出文件，以 .xlsx 或 .csv 结尾')
    .action(async (opts: { year: string; out: string }) => {
      const year = Number(opts.year);
      if (!/^\d{4}$/.test(opts.year)) throw new Error(`--year 须为四位年份，收到 "${opts.year}"`);
      const ext = path.extname(opts.out).toLowerCase();
      if (ext !== '.xlsx' && ext !== '.csv')
        throw new Error(`--out 须以 .xlsx 或 .csv 结尾，收到 "${opts.out}"`);
      await withDatabase(async (database) => {
        const county = await countyAllocation(database, year);
        // a year not evaluated has no grades: an empty list would read as "no one is surcharged"
        if (county.notEvaluated.length)
          throw new Error(
            `${year} 年不评价，不生成差别电价名单：${county.notEvaluated.join('；')}`,
          );
        const file = surchargeFile(county);
        await (ext === '.xlsx'
          ? writeSurchargeXlsx(file, opts.out)
          : writeSurchargeCsv(file, opts.out));
        const t = file.totals;
        process.stdout.write(
          `wrote ${t.accounts} accounts of ${t.enterprises} enterprises to ${opts.out} (grades: ${file.gradesFrom}): ${t.kwh.toLocaleString('en-US')} kWh in ${year}, ` +
            `estimated surcharge ${t.estimatedSurchargeYuan.toLocaleString('en-US', { minimumFractionDigits: 2 })} 元 during ${year + 1}` +
            (file.withoutAccounts.length
              ? `; ${file.withoutAccounts.length} surcharged enterprises have no linked account (see sheet 无用电户号)`
              : '') +
            '\n',
        );
      });
    });
}
