import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { CsvSink } from '../../demo/writers.js';
import { safeCell } from '../../lib/spreadsheet.js';
import { auditRows } from '../../resolvers/audit.js';
import { withDatabase } from '../shared.js';

function day(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value)))
    throw new InvalidArgumentError('日期须写作 YYYY-MM-DD');
  return value;
}

const HEADER = [
  'id',
  'at',
  'key_id',
  'role',
  'key_name',
  'operation_name',
  'enterprises',
  'fields',
  'request_id',
];

/** `edp audit export`: the audit log of a period as a UTF-8 CSV with a byte-order mark (opens in Excel). */
export function registerAudit(program: Command) {
  const audit = program.command('audit').description('审计日志：谁读取了部门明细与个人信息');
  audit
    .command('export')
    .description('把一段时间的审计记录写入 CSV 文件（UTF-8 带 BOM；多个值以 ; 分隔）')
    .requiredOption('--from <date>', '起始日，写作 YYYY-MM-DD', day)
    .requiredOption('--to <date>', '截止日（含当日），写作 YYYY-MM-DD', day)
    .requiredOption('--out <file>', '要写入的 CSV 文件')
    .option('--role <role>', '只列此角色')
    .option('--key-name <name>', '只列此密钥名称')
    .option('--uscc <uscc>', '只列读取过此企业的记录')
    .action(
      async (flags: {
        from: string;
        to: string;
        out: string;
        role?: string;
        keyName?: string;
        uscc?: string;
      }) => {
        if (flags.from > flags.to) throw new Error(`--from ${flags.from} 晚于 --to ${flags.to}`);
        await withDatabase(async (database) => {
          const rows = await auditRows(database, flags);
          const sink = new CsvSink(path.resolve(flags.out), 'utf-8-bom', '\r\n');
          sink.header(HEADER);
          for (const r of rows) {
            sink.row(
              [
                String(r.id),
                new Date(r.at).toISOString(),
                r.keyId === null ? '' : String(r.keyId),
                r.role,
                r.keyName,
                r.operationName ?? '',
                r.enterprises.join(';'),
                r.fields.join(';'),
                r.requestId,
              ].map(safeCell),
            );
            await sink.drain();
          }
          await sink.close();
          process.stdout.write(
            `Wrote ${rows.length} audit rows (${flags.from} to ${flags.to}) to ${flags.out}\n`,
          );
        });
      },
    );
}
