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
  const audit = program
    .command('audit')
    .description('the audit log of reads of department detail and personal data');
  audit
    .command('export')
    .description(
      'write the audit rows of a period to a CSV file (UTF-8 with BOM; lists joined with ;)',
    )
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD', day)
    .requiredOption('--to <date>', 'last day (inclusive), YYYY-MM-DD', day)
    .requiredOption('--out <file>', 'the CSV file to write')
    .option('--role <role>', 'only this role')
    .option('--key-name <name>', 'only this key name')
    .option('--uscc <uscc>', 'only rows that read this enterprise')
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
