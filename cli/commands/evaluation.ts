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
    .description('评价结果：公示（publish）、正式发布（finalize）、列出（runs）');

  evaluation
    .command('publish')
    .description('公示：把某年度的实时评价固定为一份公示结果')
    .requiredOption('--year <year>', '评价年度，例如 2024')
    .requiredOption('--note <text>', '说明，例如公示文件的文号')
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
    .description('正式发布一份公示结果；该年度此前的结果随之作废')
    .requiredOption('--run <id>', '评价结果编号')
    .action(async (opts: { run: string }) => {
      await withDatabase(async (database) => {
        const run = await finalizeEvaluation(database, cliViewer(), opts.run);
        process.stdout.write(`run ${run.id} (${run.year}) is final\n`);
      });
    });

  evaluation
    .command('runs')
    .description('列出评价结果，最新的在前')
    .option('--year <year>', '只列此年度')
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
