import os from 'node:os';
import type { Command } from 'commander';
import { linkRecord } from '../../connectors/index.js';
import { withDatabase } from '../shared.js';

/** `edp link <record-id> <uscc>`: links an unmatched record to an enterprise; its values count from then on. */
export function registerLink(program: Command) {
  program
    .command('link')
    .description('把一条未匹配记录（`edp unmatched` 列出的编号）关联到登记企业；重新导入后关联仍在')
    .argument(
      '<record-id>',
      '记录编号，例如 tax-payments:T2024031200017 或 land-leases:ZL-2024-003#lessee',
    )
    .argument('<uscc>', '企业的统一社会信用代码')
    .action(async (id: string, uscc: string) => {
      await withDatabase(async (database) => {
        const record = await linkRecord(database, id, uscc, `cli:${os.userInfo().username}`);
        process.stdout.write(
          `已将 ${record.id}（${record.name ?? record.identifier ?? ''}）关联到 ${record.linkedTo}；此前：${record.reason}\n`,
        );
      });
    });
}
