import type { Command } from 'commander';
import { checkYear } from '../../lib/year.js';
import {
  finalizeEvaluation,
  listEvaluationRuns,
  publishEvaluation,
} from '../../resolvers/decisions/runs.js';
import { cliViewer, withDatabase } from '../shared.js';

const when = (value: Date | string | null) =>
  value ? new Date(value).toISOString().slice(0, 16).replace('T', ' ') : '-';

/** `edp evaluation publish|finalize|runs`: the year's 亩产效益 evaluation as a run of record (docs/decisions.md). */
export function registerEvaluation(program: Command) {
  const evaluation = program
    .command('evaluation')
    .description('evaluation runs of record: publish (公示), finalize (正式发布), list');

  evaluation
    .command('publish')
    .description('freeze the live evaluation of a year as a notice run (公示)')
    .requiredOption('--year <year>', '评价年度, e.g. 2024')
    .requiredOption('--note <text>', '说明, e.g. the notice’s document number')
    .action(async (opts: { year: string; note: string }) => {
      if (!/^\d{4}$/.test(opts.year))
        throw new Error(`--year must be a four-digit year, got "${opts.year}"`);
      const year = checkYear(Number(opts.year));
      await withDatabase(async (database) => {
        const run = await publishEvaluation(database, cliViewer(), year, opts.note);
        process.stdout.write(
          `published run ${run.id}: the ${year} evaluation as a notice (公示), method ${run.methodId}, data cut at batch ${run.dataCutBatchId}\n`,
        );
      });
    });

  evaluation
    .command('finalize')
    .description('make a notice run final (正式发布); earlier runs of its year become superseded')
    .requiredOption('--run <id>', '评价结果编号')
    .action(async (opts: { run: string }) => {
      await withDatabase(async (database) => {
        const run = await finalizeEvaluation(database, cliViewer(), opts.run);
        process.stdout.write(`run ${run.id} (${run.year}) is final\n`);
      });
    });

  evaluation
    .command('runs')
    .description('list the evaluation runs, newest first')
    .option('--year <year>', 'only this year')
    .action(async (opts: { year?: string }) => {
      await withDatabase(async (database) => {
        const runs = await listEvaluationRuns(
          database,
          opts.year ? checkYear(Number(opts.year)) : null,
        );
        for (const r of runs)
          process.stdout.write(
            `${r.id}\t${r.year}\t${r.status}\t${when(r.publishedAt)}\t${r.publishedBy}\t批次截点 ${r.dataCutBatchId}\t异议 ${r.objections.length}\t${r.note ?? ''}\n`,
          );
        if (runs.length === 0) process.stdout.write('no evaluation runs\n');
      });
    });
}
