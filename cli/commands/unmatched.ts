import { type Command, InvalidArgumentError } from 'commander';
import { listUnmatched } from '../../connectors/index.js';
import { withDatabase } from '../shared.js';

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number of at least 1');
  return n;
};

/** `edp unmatched [--source S]`: records that link to no enterprise (or to several), with id, reason and candidates. */
export function registerUnmatched(program: Command) {
  program
    .command('unmatched')
    .description(
      'list records that link to no enterprise, or to several (link them with `edp link <id> <uscc>`)',
    )
    .option('--source <source>', 'only this source')
    .option('--first <n>', 'how many to list', positive, 100)
    .option('--after <id>', 'continue after this record id')
    .action(async (flags: { source?: string; first: number; after?: string }) => {
      await withDatabase(async (database) => {
        const page = await listUnmatched(database, flags);
        for (const r of page.records) {
          const said = [r.identifier && `identifier ${r.identifier}`, r.name && `name ${r.name}`]
            .filter(Boolean)
            .join(', ');
          process.stdout.write(`${r.id}\n  ${said}\n  ${r.reason}\n`);
          if (r.candidates.length > 0)
            process.stdout.write(`  candidates: ${r.candidates.join(', ')}\n`);
        }
        const more = page.hasNextPage ? `; more after ${page.endCursor} (--after)` : '';
        process.stdout.write(
          `${page.records.length} of ${page.totalCount} unmatched record(s)${more}\n`,
        );
      });
    });
}
