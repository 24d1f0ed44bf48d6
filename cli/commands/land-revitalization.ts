import path from 'node:path';
import type { Command } from 'commander';
import {
  revitalizationFile,
  writeRevitalizationCsv,
  writeRevitalizationXlsx,
} from '../../resolvers/land-revitalization/export.js';
import { withDatabase } from '../shared.js';

/** `edp land-revitalization --year Y --out FILE.xlsx|FILE.csv`: the land bureau's revitalization list. */
export function registerLandRevitalization(program: Command) {
  program
    .command('land-revitalization')
    .description(
      '写出存量工业用地盘活名单（主体注销/吊销仍占地、疑似闲置、低效用地）：.xlsx 含汇总表，.csv 仅名单',
    )
    .requiredOption('--year <year>', '年度，例如 2024（以当年12月31日的在用土地为准）')
    .requiredOption('--out <file>', '输出文件，以 .xlsx 或 .csv 结尾')
    .action(async (opts: { year: string; out: string }) => {
      if (!/^\d{4}$/.test(opts.year)) throw new Error(`--year 须为四位年份，收到 "${opts.year}"`);
      const year = Number(opts.year);
      const ext = path.extname(opts.out).toLowerCase();
      if (ext !== '.xlsx' && ext !== '.csv')
        throw new Error(`--out 须以 .xlsx 或 .csv 结尾，收到 "${opts.out}"`);
      await withDatabase(async (database) => {
        const file = await revitalizationFile(database, year);
        await (ext === '.xlsx'
          ? writeRevitalizationXlsx(file, opts.out)
          : writeRevitalizationCsv(file, opts.out));
        const area = file.totals.totalAreaMu.toLocaleString('zh-CN', { maximumFractionDigits: 4 });
        const notes = file.totals.notes.map((n) => `\n说明：${n.text}`).join('');
        process.stdout.write(
          `已写出 ${opts.out}：${year}年盘活对象 ${file.totals.totalCount} 家，在用土地合计 ${area} 亩${notes}\n`,
        );
      });
    });
}
