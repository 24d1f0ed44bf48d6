import os from 'node:os';
import type { Command } from 'commander';
import { linkRecord } from '../../connectors/index.js';
import { withDatabase } from '../shared.js';

/** `edp link <record-id> <uscc>`: links an unmatched record to an enterprise; its values count from then on. */
export function registerLink(program: Command) {
  program
    .command('link')
    .description(
      'link a record (an id from `edp unmatched`) to a registered enterprise; the link survives reloads',
    )
    .argument('<record-id>', 'e.g. tax-payments:T2024031200017 or land-leases:ZL-2024-003#lessee')
    .argument('<uscc>', '统一社会信用代码 of the enterprise')
    .action(async (id: string, uscc: string) => {
      await withDatabase(async (database) => {
        const record = await linkRecord(database, id, uscc, `cli:${os.userInfo().username}`);
        process.stdout.write(
          `linked ${record.id} (${record.name ?? record.identifier ?? ''}) to ${record.linkedTo}; was: ${record.reason}\n`,
        );
      });
    });
}
