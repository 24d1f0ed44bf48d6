import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { SOURCES } from '../../connectors/index.js';
import { sourceLabel } from '../../lib/source-labels.js';
import { knownSource } from '../../resolvers/quarantine.js';
import { allQuarantinedRows, writeQuarantine } from '../../resolvers/quarantine-export.js';
import { withDatabase } from '../shared.js';

const batchNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('批次号须为正整数');
  return n;
};

/**
 * `edp quarantine [--source S] [--batch N] [--out FILE.csv|.xlsx]`: the rows that failed validation,
 * with file, row number, raw content and every reason, printed or written for the department to correct.
 */
export function registerQuarantine(program: Command) {
  program
    .command('quarantine')
    .description(
      '列出隔离行（未通过校验、未入库的行）：批次、文件、行号、原始内容和全部原因；--out 写成 .xlsx 或 .csv 交部门更正',
    )
    .option('--source <source>', `只列此数据源（${SOURCES.join(', ')}）`)
    .option(
      '--batch <n>',
      '只列此批次（含已被后来批次取代的行）；不加时只列当前的隔离行',
      batchNumber,
    )
    .option(
      '--out <file>',
      '写入文件（.xlsx 每个数据源一页，或 .csv），不打印；只写仍待更正的行，不写已被后来批次取代的行',
    )
    .action(async (flags: { source?: string; batch?: number; out?: string }) => {
      if (flags.source) knownSource(flags.source);
      const ext = flags.out ? path.extname(flags.out).toLowerCase() : '';
      if (flags.out && ext !== '.xlsx' && ext !== '.csv')
        throw new Error(`--out 须以 .xlsx 或 .csv 结尾，收到 "${flags.out}"`);
      await withDatabase(async (database) => {
        const rows = await allQuarantinedRows(database, SOURCES, {
          source: flags.source,
          batchId: flags.batch,
        });
        if (flags.out) {
          // the file goes to the department to correct: rows a later load superseded (reloaded or
          // already corrected) stay out of it, and the count of them is said
          const current = rows.filter((r) => r.supersededBy === null);
          await writeQuarantine(current, flags.out);
          const left = rows.length - current.length;
          process.stdout.write(
            `已将 ${current.length} 行隔离记录写入 ${flags.out}` +
              (left ? `；另有 ${left} 行已被后来的批次取代（重新载入或已更正），未写入` : '') +
              '\n',
          );
          return;
        }
        for (const r of rows) {
          process.stdout.write(
            `批次 #${r.batchId} ${sourceLabel(r.source)} ${r.fileName ?? ''} 第 ${r.rowNumber} 行` +
              (r.supersededBy === null ? '\n' : `（已被批次 #${r.supersededBy} 取代）\n`) +
              `  原始内容：${r.raw.map((c) => `${c.column}=${c.value}`).join('，')}\n` +
              r.reasons.map((reason) => `  原因：${reason}\n`).join(''),
          );
        }
        process.stdout.write(`共 ${rows.length} 行隔离记录\n`);
      });
    });
}
