import { type Command, InvalidArgumentError } from 'commander';
import { listUnmatched } from '../../connectors/index.js';
import { withDatabase } from '../shared.js';

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('须为不小于 1 的整数');
  return n;
};

/** `edp unmatched [--source S]`: records that link to no enterprise (or to several), with id, reason and candidates. */
export function registerUnmatched(program: Command) {
  program
    .command('unmatched')
    .description(
      '列出未匹配到企业（或匹配到多家）的记录；用 `edp link <编号> <统一社会信用代码>` 关联',
    )
    .option('--source <source>', '只列此数据源')
    .option('--first <n>', '列出条数', positive, 100)
    .option('--after <id>', '从此记录编号之后接着列')
    .action(async (flags: { source?: string; first: number; after?: string }) => {
      await withDatabase(async (database) => {
        const page = await listUnmatched(database, flags);
        for (const r of page.records) {
          const said = [r.identifier && `代码 ${r.identifier}`, r.name && `名称 ${r.name}`]
            .filter(Boolean)
            .join('，');
          process.stdout.write(`${r.id}\n  ${said}\n  ${r.reason}\n`);
          if (r.candidates.length > 0)
            process.stdout.write(`  候选企业：${r.candidates.join('、')}\n`);
        }
        const more = page.hasNextPage ? `；后面还有，用 --after ${page.endCursor} 接着列` : '';
        process.stdout.write(
          `共 ${page.totalCount} 条未匹配记录，此处列出 ${page.records.length} 条${more}\n`,
        );
      });
    });
}
